/**
 * GET /v1/history's query: filters, a time window on when jobs ended, a page size, and the cursor
 * that carries a walk from page to page. Validated here like every other input (400 naming the
 * field); the cursor is opaque to clients but checked as strictly as a query, since they can
 * forge one.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { HistoryQuery, JobFilter } from '../commands.js';
import type { HistoryPosition } from '../model.js';
import { GatewayError } from '../errors.js';
import { ENDED_STATES } from '../slurm/history.js';
import { MAX_JOB_ID } from '../slurm/job-ids.js';
import { commaList, jobId, slurmName, text } from './schemas.js';
import { LIMITS } from './limits.js';
import { validate } from './validate.js';

export const HISTORY_DEFAULT_HOURS = 24;
export const HISTORY_DEFAULT_LIMIT = 100;
/** The largest page of every list (src/http/pages.ts). */
export const HISTORY_MAX_LIMIT = LIMITS.pageItems;
/**
 * The newest seconds a history window leaves out. slurmdbd answers a window query on ended states
 * a few seconds after a job's end is recorded (4 s, measured on the private cluster, while a query
 * by job id already shows it): a window that ended at "now" could miss a job on its first page
 * and, its end time being above the cursor, on every later one. So windows end this long ago.
 */
export const HISTORY_SETTLE_SECONDS = 10;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400 };
const RELATIVE = /^(?:now)?-(\d{1,6})([smhdw])$/;
/** ISO 8601 dates and times; without an offset, UTC. */
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** `now`, `-7d` / `now-36h` (s, m, h, d, w), or ISO 8601 (UTC unless it says otherwise), to epoch seconds. */
function instant(now: number) {
  return z.string().max(40, 'must be at most 40 characters').transform((value, ctx) => {
    const v = value.trim();
    if (v === 'now') return now;
    const relative = RELATIVE.exec(v);
    if (relative) return now - Number(relative[1]) * UNITS[relative[2]!]!;
    if (ISO.test(v)) {
      const hasZone = /(?:Z|[+-]\d{2}:\d{2})$/.test(v) && v.includes('T');
      const ms = Date.parse(v.includes('T') ? (hasZone ? v : `${v}Z`) : `${v}T00:00:00Z`);
      if (Number.isFinite(ms)) return Math.floor(ms / 1000);
    }
    ctx.addIssue({ code: 'custom', message: 'must be "now", a relative time such as -7d, -36h or -30m, or an ISO 8601 time such as 2026-11-30T08:00:00Z' });
    return z.NEVER;
  });
}

const endedState = z.string().transform((s) => s.toUpperCase())
  .pipe(z.enum(ENDED_STATES, { error: `must be a state a job ends in: ${ENDED_STATES.join(', ')} (GET /v1/jobs lists the live queue)` }));

const limit = z.string().regex(/^\d{1,4}$/, `must be a whole number from 1 to ${HISTORY_MAX_LIMIT}`).transform(Number)
  .pipe(z.number().min(1, 'must be at least 1').max(HISTORY_MAX_LIMIT, `must be at most ${HISTORY_MAX_LIMIT}`));

/** The query as the document shows it too (src/http/openapi/operations.ts). */
export function historySchema(now: number) {
  return z.strictObject({
    user: commaList(slurmName).optional(),
    account: commaList(slurmName).optional(),
    partition: commaList(slurmName).optional(),
    state: commaList(endedState).optional(),
    name: commaList(text(LIMITS.nameChars)).optional(),
    job_id: commaList(jobId).optional(),
    start: instant(now).optional(),
    end: instant(now).optional(),
    limit: limit.optional(),
    cursor: z.string().max(512, 'must be a cursor from a next_cursor of this API').optional(),
  });
}

/** What a cursor carries: the window of the walk (frozen at its first page), where to go on, and the filters it was made for. */
const cursorSchema = z.strictObject({
  v: z.literal(1),
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  after: z.strictObject({ end: z.number().int().min(0), job_id: z.number().int().min(1).max(MAX_JOB_ID), span: z.number().int().min(1).max(7 * 86400).optional() }),
  filters: z.string().regex(/^[0-9a-f]{32}$/),
});
type Cursor = z.output<typeof cursorSchema>;

function filtersHash(filter: JobFilter): string {
  const canonical = Object.keys(filter).sort().map((k) => [k, filter[k as keyof JobFilter]]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 32);
}

export function encodeCursor(query: HistoryQuery, after: HistoryPosition): string {
  const cursor: Cursor = { v: 1, start: query.start, end: query.end, after, filters: filtersHash(query.filter) };
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(value: string): Cursor {
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]+$/.test(value) ? JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success) throw invalid('cursor', 'is not a cursor from a next_cursor of this API');
  return result.data;
}

function invalid(field: string, message: string): GatewayError {
  return new GatewayError('invalid_request', `Invalid query: ${field}: ${message}`, { details: { issues: [{ field, message }] } });
}

/**
 * A history request as the command runs it. Without a cursor: the window is [start, end], by
 * default the last 24 hours, at most `maxDays` long, and never closer to now than
 * {@link HISTORY_SETTLE_SECONDS}. With one: the cursor's window and position
 * (start and end of the request are ignored, so a client may repeat its URL with `cursor=` added;
 * relative times would otherwise move), and the request's filters must be those the cursor was
 * made for.
 * @throws GatewayError invalid_request naming the field.
 */
export function historyQuery(raw: unknown, maxDays: number, now: number = Math.floor(Date.now() / 1000)): HistoryQuery {
  const q = validate(historySchema(now), raw, 'query');
  const filter: JobFilter = {
    ...(q.user && { user: q.user }), ...(q.account && { account: q.account }), ...(q.partition && { partition: q.partition }),
    ...(q.state && { state: q.state }), ...(q.name && { name: q.name }), ...(q.job_id && { job_id: q.job_id }),
  };
  const limit = q.limit ?? HISTORY_DEFAULT_LIMIT;
  let start: number;
  let end: number;
  let after: HistoryQuery['after'];
  if (q.cursor !== undefined) {
    const cursor = decodeCursor(q.cursor);
    if (cursor.filters !== filtersHash(filter)) throw invalid('cursor', 'was made for other filters: repeat the first request\'s filters with it, or start again without a cursor');
    ({ start, end, after } = cursor);
  } else {
    end = Math.min(q.end ?? now, now - HISTORY_SETTLE_SECONDS);
    start = q.start ?? end - HISTORY_DEFAULT_HOURS * 3600;
  }
  if (start > end) throw invalid('start', 'must not be after end');
  if (end - start > maxDays * 86400) {
    throw invalid('start', `the window is ${Math.ceil((end - start) / 86400)} days long; at most ${maxDays} days are allowed (--history-max-days): narrow it, or walk several windows`);
  }
  return { filter, start, end, limit, ...(after && { after }) };
}
