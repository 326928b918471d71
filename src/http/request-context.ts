import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { RequestContext } from '../context.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

declare module 'koa' {
  interface DefaultState {
    request: RequestContext;
    logger: Logger;
  }
}

/**
 * Builds the request context every command travels with: id, deadline, and an abort signal that
 * fires when the client goes away before its answer is written.
 */
export function requestContext(logger: Logger, timeoutMs: number) {
  return async function attachContext(ctx: Context, next: Next): Promise<void> {
    const started = Date.now();
    const header = ctx.get('X-Request-Id');
    const requestId = REQUEST_ID.test(header) ? header : randomUUID();
    const abort = new AbortController();
    // The response closes before it is finished when the socket goes; the request is destroyed
    // with an error when the client hangs up before its answer (Node's abortIncoming).
    ctx.res.once('close', () => { if (!ctx.res.writableFinished) abort.abort(); });
    ctx.req.once('close', () => { if (ctx.req.errored) abort.abort(); });
    ctx.state.request = { requestId, deadline: started + timeoutMs, signal: abort.signal };
    ctx.state.logger = logger.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      ctx.state.logger.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Date.now() - started }, 'request');
    }
  };
}
