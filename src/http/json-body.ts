import type { Context } from 'koa';
import etag from 'etag';
import { tagsAnswersTo } from './serving.js';

/** Serialised bodies, and their strong ETags, by the result object they were made from. */
const bodies = new WeakMap<object, { bytes: Buffer; tag?: string }>();

/**
 * Answers `shape(result)` as JSON, serialised once per result object: clients that share one
 * result (a coalesced read, a validated job list) share one Buffer instead of koa running
 * JSON.stringify for each response. Same bytes and Content-Type as `ctx.body = shape(result)`.
 * Its ETag is hashed once too, when a GET or HEAD first answers it (the same `etag` function
 * @koa/etag uses, which then skips it: about 1 ms per 1.5 MB measured here, per request
 * otherwise); other methods get no ETag (src/http/serving.ts). Results must not be mutated
 * after they are answered (none is: they are the executors' fresh or kept answers).
 */
export function jsonBody<T extends object>(ctx: Context, result: T, shape: (result: T) => unknown): void {
  let body = bodies.get(result);
  if (!body) {
    body = { bytes: Buffer.from(JSON.stringify(shape(result))) };
    bodies.set(result, body);
  }
  ctx.body = body.bytes;
  ctx.type = 'application/json';
  if (tagsAnswersTo(ctx.method)) ctx.response.etag = body.tag ??= etag(body.bytes);
}
