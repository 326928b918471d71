import type { Context } from 'koa';

/** Serialised bodies by the result object they were made from. */
const bodies = new WeakMap<object, Buffer>();

/**
 * Answers `shape(result)` as JSON, serialised once per result object: clients that share one
 * result (a coalesced read, a validated job list) share one Buffer instead of koa running
 * JSON.stringify for each response. Same bytes and Content-Type as `ctx.body = shape(result)`.
 * Results must not be mutated after they are answered (none is: they are the executors' fresh
 * or kept answers).
 */
export function jsonBody<T extends object>(ctx: Context, result: T, shape: (result: T) => unknown): void {
  let body = bodies.get(result);
  if (!body) {
    body = Buffer.from(JSON.stringify(shape(result)));
    bodies.set(result, body);
  }
  ctx.body = body;
  ctx.type = 'application/json';
}
