/**
 * The requests being answered right now, so that a stop past its grace period can still answer
 * each one (503 shutting_down, in the gateway's JSON) instead of closing its connection with no
 * answer at all. A request answered this way may still have a command running (a tool, a worker):
 * when it settles, Koa finds the response already sent and writes nothing.
 */
import type { Context, Next } from 'koa';
import { GatewayError } from '../errors.js';

export class InFlightRequests {
  readonly #requests = new Set<Context>();

  get size(): number {
    return this.#requests.size;
  }

  /** Koa middleware: tracks each request from its start until its handler is done. */
  track() {
    const requests = this.#requests;
    return async function trackInFlight(ctx: Context, next: Next): Promise<void> {
      requests.add(ctx);
      try {
        await next();
      } finally {
        requests.delete(ctx);
      }
    };
  }

  /**
   * Answers every tracked request whose response has not started with `errorFor(ctx)`, asks its client
   * to close the connection, and resolves when those answers are written (or after `flushMs`).
   * @returns how many requests were answered.
   */
  async answerAll(errorFor: (ctx: Context) => GatewayError, flushMs = 1000): Promise<number> {
    const written: Array<Promise<void>> = [];
    for (const ctx of this.#requests) {
      const res = ctx.res;
      if (res.headersSent || res.writableEnded || res.destroyed) continue;
      const error = errorFor(ctx);
      const body = JSON.stringify({ error: { code: error.code, message: error.message } });
      res.writeHead(error.status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        Connection: 'close',
        ...(error.retryAfter !== undefined && { 'Retry-After': String(error.retryAfter) }),
        ...(ctx.response.get('X-Request-Id') && { 'X-Request-Id': ctx.response.get('X-Request-Id') }),
      });
      written.push(new Promise<void>((resolve) => res.end(body, () => resolve())));
      this.#requests.delete(ctx);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(written), new Promise<void>((resolve) => { timer = setTimeout(resolve, flushMs); })]);
    clearTimeout(timer);
    return written.length;
  }
}
