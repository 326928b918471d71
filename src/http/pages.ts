/**
 * Pages of the lists (#13): `limit` and an opaque `cursor`, keyset rather than offset so that a
 * walk is stable while the list changes. A page holds the items after the cursor's key in key
 * order (jobs by job id, everything else by name); an item that exists for the whole walk appears
 * on exactly one page, whatever is added or removed meanwhile (new jobs get larger ids and come
 * at the end). Without a limit (given or `--page-limit`), lists are answered whole and unchanged.
 * GET /v1/history keeps its own pages (history-query.ts), by end time.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { GatewayError } from '../errors.js';

/** The lists that have pages, each with its own cursors: one list's cursor is refused by another. */
export type PagedList = 'jobs' | 'nodes' | 'partitions' | 'reservations' | 'licenses' | 'accounts' | 'qos';
/** A page without `limit` but with `cursor`, and no `--page-limit`: as history's default. */
export const DEFAULT_CURSOR_LIMIT = 100;

export interface PageRequest {
  limit?: number | undefined;
  cursor?: string | undefined;
}

const payloadSchema = z.strictObject({
  v: z.literal(1),
  list: z.string(),
  after: z.union([z.number().int().min(0), z.string().max(256)]),
  filters: z.string().regex(/^[0-9a-f]{16}$/),
});
type Payload = z.output<typeof payloadSchema>;

/**
 * A checksum, not a secret: it makes an edited cursor a 400 instead of a page from somewhere else.
 * A forged cursor could only skip to another position of a list the caller may read anyway.
 */
function sum(text: string): string {
  return createHash('sha256').update(`scheduler-rest page\u0000${text}`).digest('hex').slice(0, 16);
}

function filtersHash(filters: object): string {
  const canonical = Object.keys(filters).sort().map((k) => [k, (filters as Record<string, unknown>)[k]]);
  return sum(JSON.stringify(canonical));
}

export function encodeCursor(list: PagedList, after: number | string, filters: object): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, list, after, filters: filtersHash(filters) } satisfies Payload)).toString('base64url');
  return `${payload}.${sum(payload)}`;
}

function invalid(message: string): GatewayError {
  return new GatewayError('invalid_request', `Invalid query: cursor: ${message}`, { details: { issues: [{ field: 'cursor', message }] } });
}

function decodeCursor(list: PagedList, value: string, filters: object): number | string {
  const [payload = '', check = '', ...rest] = value.split('.');
  let parsed: unknown;
  if (rest.length === 0 && /^[A-Za-z0-9_-]+$/.test(payload) && check === sum(payload)) {
    try { parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')); } catch { parsed = undefined; }
  }
  const result = payloadSchema.safeParse(parsed);
  if (!result.success) throw invalid(`is not a cursor from a next_cursor of this API`);
  if (result.data.list !== list) throw invalid(`was made for GET /v1/${result.data.list}, not GET /v1/${list}`);
  if (result.data.filters !== filtersHash(filters)) throw invalid("was made for other filters: repeat the first request's filters with it, or start again without a cursor");
  return result.data.after;
}

const compare = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);

export interface Page<T> {
  items: T[];
  /** The cursor of the next page; null on the last. */
  next: string | null;
}

/**
 * One page of `items` (the whole list, as the scheduler answered it), or undefined when no limit
 * applies: the caller then answers the list exactly as before pages existed.
 * @throws GatewayError invalid_request for a cursor of another list, other filters, or edited.
 */
export function pageOf<T>(list: PagedList, items: readonly T[], key: (item: T) => number | string, request: PageRequest, filters: object, defaultLimit: number | null): Page<T> | undefined {
  const limit = request.limit ?? defaultLimit ?? (request.cursor !== undefined ? DEFAULT_CURSOR_LIMIT : undefined);
  if (limit === undefined) return undefined;
  const after = request.cursor === undefined ? undefined : decodeCursor(list, request.cursor, filters);
  const sorted = items.filter((item) => after === undefined || compare(key(item), after) > 0)
    .sort((a, b) => compare(key(a), key(b)));
  const page = sorted.slice(0, limit);
  const last = page.at(-1);
  return { items: page, next: sorted.length > limit && last !== undefined ? encodeCursor(list, key(last), filters) : null };
}

/**
 * Answers a list: whole and unchanged when no limit applies (`{ [field]: items }`, serialised by
 * `whole`); else one page, `{ [field]: page, next_cursor }`, with a `Link: <…>; rel="next"` header
 * to the next page (the request's own query, its cursor replaced).
 */
export function answerList<T>(
  ctx: { path: string; querystring: string; body: unknown; set(field: string, value: string): void },
  list: PagedList, items: readonly T[], key: (item: T) => number | string,
  request: PageRequest, filters: object, defaultLimit: number | null, whole: () => void,
): void {
  const page = pageOf(list, items, key, request, filters, defaultLimit);
  if (!page) { whole(); return; }
  if (page.next !== null) linkNext(ctx, page.next);
  ctx.body = { [list]: page.items, next_cursor: page.next };
}

/** `Link: <this request's path and query, with cursor=next>; rel="next"` (RFC 8288). */
export function linkNext(ctx: { path: string; querystring: string; set(field: string, value: string): void }, next: string): void {
  const query = new URLSearchParams(ctx.querystring);
  query.set('cursor', next);
  ctx.set('Link', `<${ctx.path}?${query.toString()}>; rel="next"`);
}
