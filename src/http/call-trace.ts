/**
 * What a request's scheduler calls (src/scheduler-calls.ts) show the client: the `Server-Timing`
 * header (browsers' developer tools draw it), and with `?trace=1`, when the gateway allows it
 * (--allow-trace), the records themselves in the body. The records are the request's own calls,
 * made with the caller's identity, redacted where they were made: no token, no script text, no job
 * environment, nothing of another caller (coalesced calls are shared only by the same caller).
 */
import type { Context, Next } from 'koa';
import { Readable } from 'node:stream';
import type { SchedulerCall } from '../scheduler-calls.js';

/** Server-Timing entries per call, at most; the rest are summed in one. */
const MAX_TIMING_ENTRIES = 20;

/**
 * `slurm;dur=3.2;desc="squeue", …, total;dur=12.5;desc="request"`: one entry per scheduler call,
 * in the order they ended, and the whole request.
 */
export function serverTiming(calls: readonly SchedulerCall[], totalMs: number): string {
  const entries = calls.slice(0, MAX_TIMING_ENTRIES).map((call) => timing('slurm', call.ms, call.coalesced ? `${call.name} (shared)` : call.name));
  const rest = calls.slice(MAX_TIMING_ENTRIES);
  if (rest.length) entries.push(timing('slurm', rest.reduce((sum, call) => sum + call.ms, 0), `${rest.length} more calls`));
  entries.push(timing('total', totalMs, 'request'));
  return entries.join(', ');
}

function timing(name: string, ms: number, desc: string): string {
  return `${name};dur=${Math.round(ms * 10) / 10};desc="${desc.replace(/["\\]/g, '')}"`;
}

/** Whether the request asks for a trace (`trace=1` or `trace=true`); the parameter is taken out of the query either way. */
export function takeTraceParameter(ctx: Context): boolean | undefined {
  if (!ctx.querystring.includes('trace')) return undefined;
  const params = new URLSearchParams(ctx.querystring);
  if (!params.has('trace')) return undefined;
  const value = params.get('trace');
  params.delete('trace');
  ctx.querystring = params.toString();
  return value === '1' || value === 'true';
}

/**
 * Middleware: adds the request's calls to its answer when it asked (`ctx.state.trace`, set by
 * requestContext). Mounted right inside requestContext and outside the error boundary, so that
 * errors get their trace too; whatever rewrites the body for the wire (compression, ETag) must be
 * mounted outside it, so that it sees the traced body.
 */
export function traceAnswers() {
  return async function answerTrace(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } finally {
      if (ctx.state.trace && !ctx.headerSent) addTrace(ctx, ctx.state.calls);
    }
  };
}

/**
 * Adds `trace` to the body: a top-level field of the JSON object every route answers (a list is
 * `{ "jobs": [...], "trace": [...] }`, an error `{ "error": {...}, "trace": [...] }`; a 202 with no
 * body becomes `{ "trace": [...] }`). A streamed body (job output) is left alone: its calls are
 * in Server-Timing. Bodies may be shared between requests (coalesced reads), so they are copied.
 */
export function addTrace(ctx: Context, calls: readonly SchedulerCall[]): void {
  const body: unknown = ctx.body;
  if (body instanceof Readable || ctx.status === 204 || ctx.status === 304) return;
  let object: unknown = body;
  if (Buffer.isBuffer(body)) {
    if (!ctx.response.is('json')) return;
    object = JSON.parse(body.toString('utf8'));
  }
  if (object === null || object === undefined) object = {};
  if (typeof object !== 'object' || Array.isArray(object)) return;
  const status = ctx.status;
  ctx.body = { ...object, trace: [...calls] };
  ctx.status = status;
  // The ETag (src/http/serving.ts) names the untraced bytes: a traced answer has none.
  ctx.remove('ETag');
}
