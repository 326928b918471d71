/**
 * HTTP as proxies and browsers expect it (#13): CORS for listed origins, compression above a
 * size, a strong ETag from the body with 304 on If-None-Match, and Cache-Control. Libraries do the
 * work (@koa/cors, koa-compress, @koa/etag, koa-conditional-get); this file only decides.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Context, Middleware, Next } from 'koa';
import cors from '@koa/cors';
import compress from 'koa-compress';
import conditional from 'koa-conditional-get';
import etag from '@koa/etag';
import type { HttpOptions } from '../options.js';
import { GatewayError } from '../errors.js';
import type { AuthMode } from '../slurm/identity.js';

/** Request headers a browser page may send, and response headers its script may read. */
const ALLOW_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-None-Match', 'X-Request-Id', 'X-SLURM-USER-TOKEN'];
const EXPOSE_HEADERS = ['ETag', 'Link', 'Location', 'Retry-After', 'X-Request-Id', 'Idempotent-Replayed', 'Server-Timing'];

/**
 * CORS for the listed origins only (exact match of the Origin header: never a wildcard, never an
 * arbitrary origin reflected). Credentials are allowed, since only listed origins get any CORS
 * header at all. Another origin's request, preflight included, goes on without CORS headers, so
 * the browser refuses the answer. Undefined when no origin is listed: CORS is off.
 */
export function corsFor(origins: readonly string[]): Middleware | undefined {
  if (origins.length === 0) return undefined;
  const allowed = new Set(origins);
  return cors({
    origin: (ctx) => (allowed.has(ctx.get('Origin')) ? ctx.get('Origin') : ''),
    credentials: true,
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: 600,
  }) as unknown as Middleware;
}

const BROTLI_QUALITY = 4;
type Coding = 'br' | 'gzip';
export type Encoders = Record<Coding, (bytes: Buffer) => Promise<Buffer>>;
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);
const ENCODERS: Encoders = {
  br: (bytes) => brotli(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
  gzip: (bytes) => gzipped(bytes),
};

/**
 * gzip or br (quality 4: fast enough for every answer) from `threshold` bytes; undefined: off.
 *
 * A Buffer body (JSON, text, script) is compressed once per Buffer and coding, off the event loop (zlib on libuv's
 * pool), and the result kept as long as the Buffer lives (a WeakMap): a list answer is one Buffer
 * shared by every client of the same result (src/http/json-body.ts), so a dashboard polling a
 * 20,000-job queue costs one compression of its 16 MB per change of the queue, not one per request.
 * Other bodies (objects, strings, streams: job output) go through koa-compress, per request.
 */
export function compression(threshold: number | null, encoders: Encoders = ENCODERS): Middleware | undefined {
  if (threshold === null) return undefined;
  const each = compress({
    threshold,
    br: { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } },
    deflate: false,
  }) as unknown as Middleware;
  const encoded = new WeakMap<Buffer, Partial<Record<Coding, Promise<Buffer>>>>();
  const once = (bytes: Buffer, coding: Coding): Promise<Buffer> => {
    let codings = encoded.get(bytes);
    if (!codings) encoded.set(bytes, codings = {});
    return codings[coding] ??= encoders[coding](bytes);
  };
  /** Inside koa-compress, which leaves alone a body that already has a Content-Encoding. */
  const buffersOnce = async (ctx: Context, next: Next): Promise<void> => {
    await next();
    const { body } = ctx;
    if (!Buffer.isBuffer(body) || body.length < threshold || ctx.method === 'HEAD' || ctx.status !== 200) return;
    if (ctx.res.headersSent || ctx.response.get('Content-Encoding') || !ctx.response.is(['json', 'text/*', 'application/javascript', 'image/svg+xml'])) return;
    if (/\bno-transform\b/i.test(ctx.response.get('Cache-Control'))) return;
    // No Accept-Encoding means identity (RFC 9110), whatever `accepts` would pick first.
    if (!ctx.get('Accept-Encoding')) return;
    const coding = ctx.acceptsEncodings('br', 'gzip', 'identity');
    if (coding !== 'br' && coding !== 'gzip') return;
    let bytes: Buffer;
    try {
      bytes = await once(body, coding);
    } catch {
      return; // answered uncompressed; koa-compress tries again, per request
    }
    ctx.body = bytes; // keeps Content-Type and ETag (that of the JSON, as for koa-compress's answers)
    ctx.set('Content-Encoding', coding);
  };
  return (ctx, next) => each(ctx, () => buffersOnce(ctx, next));
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a browser's cross-site request that changes something (POST, PATCH, DELETE, …): 403
 * before authentication. A page on another site can send `POST /v1/jobs/{id}/hold` (no body: a
 * "simple" request, no preflight) to a gateway its visitor can reach, e.g. on loopback under
 * --auth=none; CORS only stops the page reading the answer. Browsers send `Origin` on every such
 * request: it must be the gateway's own (its Host, as a proxy passes it) or one of
 * --cors-origins; without `Origin`, `Sec-Fetch-Site: cross-site` is refused too. Clients that are
 * not browsers send neither header and are not affected; reads are never refused.
 */
export function refuseCrossSite(corsOrigins: readonly string[]): Middleware {
  const listed = new Set(corsOrigins);
  return async function sameSiteWrites(ctx: Context, next: Next): Promise<void> {
    if (!SAFE_METHODS.has(ctx.method)) {
      const origin = ctx.get('Origin');
      const crossSite = origin ? !listed.has(origin) && hostOf(origin) !== ctx.get('Host').toLowerCase() : ctx.get('Sec-Fetch-Site') === 'cross-site';
      if (crossSite) {
        throw new GatewayError('forbidden', `A page from ${origin || 'another site'} may not ${ctx.method} here: only the gateway's own pages and --cors-origins may make changes from a browser`);
      }
    }
    await next();
  };
}

/** `host[:port]` of an Origin (lowercase), or undefined for `null` and anything unparsable. */
function hostOf(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every /v1 answer depends on who asks under --auth=jwt (Slurm filters by the token's user):
 * `no-store`, no cache keeps it. Under --auth=none everyone reaching the gateway is the same
 * user: `no-cache`, a cache may keep it but must revalidate every time (cheap with the ETag).
 */
export function cacheControl(auth: AuthMode): Middleware {
  const value = auth === 'jwt' ? 'no-store' : 'no-cache';
  return async function setCacheControl(ctx: Context, next: Next): Promise<void> {
    ctx.set('Cache-Control', value);
    await next();
  };
}

/**
 * Whether an answer to this method gets an ETag: only a GET (or HEAD) answer can be revalidated,
 * and hashing the body of a submission or a cancel would cost every write a digest no client uses.
 */
export function tagsAnswersTo(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

/**
 * A strong ETag from the bytes of every 2xx body of a GET or HEAD (streams excepted: job output),
 * and 304 with no body when If-None-Match names it. Inside compression: the tag is that of the
 * JSON, whatever the content coding (`Vary: Accept-Encoding` is set by koa-compress).
 */
export function conditionalGet(): Middleware[] {
  const tag = etag() as unknown as Middleware;
  const readsOnly: Middleware = (ctx, next) => (tagsAnswersTo(ctx.method) ? tag(ctx, next) : next());
  return [conditional() as unknown as Middleware, readsOnly];
}
