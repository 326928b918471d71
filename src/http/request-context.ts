import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { RequestContext } from '../context.js';
import { GatewayError } from '../errors.js';
import { summarise, type CallSink, type SchedulerCall } from '../scheduler-calls.js';
import { serverTiming, takeTraceParameter } from './call-trace.js';
import { errorBody } from './errors.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

declare module 'koa' {
  interface DefaultState {
    request: RequestContext;
    logger: Logger;
    /** The scheduler calls made for this request so far (src/scheduler-calls.ts). */
    calls: SchedulerCall[];
    /** `?trace=1` under --allow-trace: the answer gets its calls (src/http/call-trace.ts, traceAnswers). */
    trace: boolean;
  }
}

export interface RequestContextOptions {
  timeoutMs: number;
  /** Send Server-Timing (--server-timing). @default true */
  serverTiming?: boolean;
  /** Answer `?trace=1` with the request's scheduler calls (--allow-trace). @default false */
  allowTrace?: boolean;
}

/**
 * Builds the request context every command travels with: id, deadline, an abort signal that
 * fires when the client goes away before its answer is written, and the sink of its scheduler
 * call records. The outermost middleware: every answer (errors, 404, 405 included) carries
 * `X-Request-Id` and `Server-Timing`, every log line of the request its `requestId`; each call is
 * logged at debug as it is reported, and the request's one `info` line counts them.
 */
export function requestContext(logger: Logger, options: RequestContextOptions) {
  const { timeoutMs, serverTiming: timingOn = true, allowTrace = false } = options;
  return async function attachContext(ctx: Context, next: Next): Promise<void> {
    const started = Date.now();
    const header = ctx.get('X-Request-Id');
    const requestId = REQUEST_ID.test(header) ? header : randomUUID();
    const abort = new AbortController();
    // The response closes before it is finished when the socket goes; the request is destroyed
    // with an error when the client hangs up before its answer (Node's abortIncoming).
    ctx.res.once('close', () => { if (!ctx.res.writableFinished) abort.abort(); });
    ctx.req.once('close', () => { if (ctx.req.errored) abort.abort(); });
    const log = logger.child({ requestId });
    const calls: SchedulerCall[] = [];
    const debug = log.isLevelEnabled('debug');
    const record: CallSink = (call) => {
      calls.push(call);
      if (debug) log.debug({ call }, `scheduler call: ${describe(call)}`);
    };
    ctx.state.request = { requestId, deadline: started + timeoutMs, signal: abort.signal, record };
    ctx.state.logger = log;
    ctx.state.calls = calls;
    ctx.set('X-Request-Id', requestId);
    const trace = takeTraceParameter(ctx);
    ctx.state.trace = trace === true && allowTrace;
    try {
      if (trace !== undefined && !allowTrace) {
        ctx.status = 400;
        ctx.body = errorBody(new GatewayError('invalid_request', 'trace is not enabled on this gateway (its operator can start it with --allow-trace)'));
        return;
      }
      await next();
    } finally {
      const ms = Date.now() - started;
      // A stop past its grace may have answered already (src/http/in-flight.ts).
      if (!ctx.headerSent) {
        ctx.set('X-Request-Id', requestId);
        if (timingOn) ctx.set('Server-Timing', serverTiming(calls, ms));
      }
      log.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms, slurm: summarise(calls) }, 'request');
    }
  };
}

/** `sbatch exit 0, 41.3 ms` / `slurm_load_jobs errno 1007 (…), 2.1 ms`. */
function describe(call: SchedulerCall): string {
  const outcome = call.error !== undefined
    ? `${call.errno !== undefined ? `errno ${call.errno} ` : ''}failed: ${call.error}`
    : call.exit_code !== undefined ? `exit ${call.exit_code}` : 'ok';
  return `${call.name} ${outcome}, ${call.ms} ms${call.coalesced ? ' (shared with an identical request)' : ''}`;
}
