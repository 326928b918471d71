/**
 * Job history from accounting, one page at a time, the same way in both executors. Pure.
 *
 * Why by end time: slurmdbd can bound a query exactly only by when a job ended (sacct --state with
 * ended states, -S/-E; a slurmdb job condition with the same state list and usage window). A window
 * on submit time does not exist in 22.05 (-S/-E alone select jobs whose eligible-to-end span
 * overlaps the window, so every page would read everything since the window's start). Ended jobs
 * never move in this order: their end time is fixed, and a job ending after the first page's frozen
 * `end` is outside the query. So every job of the window appears exactly once across pages, while
 * jobs are being submitted and ending.
 *
 * The walk: slurmdbd has no limit or offset, so a page is read in slices of end time going back
 * from the cursor, each twice as long as the last, until the page is full or the window's start is
 * reached. The first page's first slice is one hour; each next page's is sized from the density of
 * the page before (the cursor carries it), so a page costs about one query and reads about twice
 * the rows it keeps, however dense or sparse the window.
 */
import type { HistoryQuery } from '../commands.js';
import type { HistoryPage, HistoryPosition, Job, JobState } from '../model.js';

/** The states a job ends in, as sacct's --state selects them by end time. */
export const ENDED_STATES = [
  'COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE',
  'OUT_OF_MEMORY', 'REQUEUED', 'RESIZING', 'REVOKED',
] as const satisfies readonly JobState[];

const FIRST_SLICE_SECONDS = 3600;
const MIN_SLICE_SECONDS = 1;
const MAX_SLICE_SECONDS = 7 * 86400;

/** One slice of the walk: jobs that ended in [from, to] (epoch seconds, inclusive). */
export interface HistorySlice {
  from: number;
  to: number;
  /** The ended states to ask for: the filter's, or all of them. */
  states: readonly string[];
}

/** Epoch seconds of a job's end, or null. */
export function endOf(job: Job): number | null {
  return job.end_time === null ? null : Math.floor(Date.parse(job.end_time) / 1000);
}

/** Whether `job` comes after `position` in the order (end desc, job id desc). */
function after(job: Job, position: HistoryPosition | undefined): boolean {
  if (!position) return true;
  const end = endOf(job)!;
  return end < position.end || (end === position.end && job.job_id < position.job_id);
}

function newestFirst(a: Job, b: Job): number {
  return endOf(b)! - endOf(a)! || b.job_id - a.job_id;
}

/**
 * Reads one page: yields the slices to fetch (each executor's `fetch` turns a slice into its
 * sacct run or slurmdb query and returns the jobs, already filtered by user, account, partition,
 * name and job id) and returns the page.
 */
export function* historyPage<S>(query: HistoryQuery, fetch: (slice: HistorySlice) => Generator<S, Job[], unknown>): Generator<S, HistoryPage, unknown> {
  const states = query.filter.state?.length ? query.filter.state : ENDED_STATES;
  const top = Math.min(query.end, query.after?.end ?? query.end);
  const found = new Map<number, Job>();
  let to = top;
  let span = query.after?.span ?? FIRST_SLICE_SECONDS;
  let rows = 0;
  let readFrom = top;
  while (to >= query.start) {
    const from = Math.max(query.start, to - span + 1);
    readFrom = from;
    for (const job of yield* fetch({ from, to, states })) {
      rows++;
      const end = endOf(job);
      // Slurm's own window test is on the stored end time; keep exactly the slice and the order.
      if (end === null || end < from || end > to || !after(job, query.after)) continue;
      if (!found.has(job.job_id)) found.set(job.job_id, job);
    }
    if (found.size > query.limit) break;
    to = from - 1;
    span *= 2;
  }
  const sorted = [...found.values()].sort(newestFirst);
  const jobs = sorted.slice(0, query.limit);
  const last = jobs.at(-1);
  const more = sorted.length > query.limit;
  if (!more || !last) return { jobs, next: null };
  return { jobs, next: { end: endOf(last)!, job_id: last.job_id, span: nextSpan(rows, top - readFrom + 1, query.limit) } };
}

/**
 * The next page's first slice: about twice the seconds in which this page's rows ended, so that it
 * most likely fills the page in one query without reading far more rows than it keeps (a walk over
 * 10,000 jobs that ended within one hour would otherwise read that whole hour on every page).
 */
function nextSpan(rows: number, seconds: number, limit: number): number {
  if (rows === 0) return FIRST_SLICE_SECONDS;
  return Math.min(MAX_SLICE_SECONDS, Math.max(MIN_SLICE_SECONDS, Math.ceil((2 * (limit + 1) * seconds) / rows)));
}
