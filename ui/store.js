/**
 * The dashboard's copy of the queue, and the queries its table makes of it: filters, search, sort
 * and one page. Pure (no DOM): test/unit/dashboard-store.test.ts runs it on 10,000 jobs in Node.
 */

/** States a job ends in (a job.finished event's new_state). */
export const FINISHED_STATES = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED'];
export const isFinished = (job) => FINISHED_STATES.includes(job.state);

/** Jobs by id; `version` grows with every change, so a view redraws only when it moved. */
export class JobStore {
  constructor() {
    this.jobs = new Map();
    this.version = 0;
  }

  /** The whole list, as GET /v1/jobs answered it. */
  replace(list) {
    this.jobs = new Map(list.map((job) => [String(job.job_id), job]));
    this.version += 1;
  }

  get(id) { return this.jobs.get(String(id)); }

  /** A job read by itself (GET /v1/jobs/{id}), newer than the list. */
  upsert(job) {
    this.jobs.set(String(job.job_id), job);
    this.version += 1;
  }

  /**
   * Applies one /v1/events event (README, "GET /v1/events"; the OpenAPI document); returns
   * whether the queue changed. Job events carry the whole job as GET /v1/jobs/{id} answers it.
   */
  apply(event) {
    if (!event || typeof event.type !== 'string' || !event.type.startsWith('job.')) return false;
    const id = String(event.job_id);
    if (event.type === 'job.gone') {
      if (!this.jobs.delete(id)) return false;
    } else if (event.job && typeof event.job === 'object') {
      this.jobs.set(id, event.job);
    } else {
      const job = this.jobs.get(id);
      if (!job || typeof event.new_state !== 'string') return false;
      this.jobs.set(id, { ...job, state: event.new_state, ...(event.reason !== undefined && { reason: event.reason }) });
    }
    this.version += 1;
    return true;
  }

  values() { return [...this.jobs.values()]; }
}

/** Columns the table sorts by, and how to read each. */
export const SORT_KEYS = {
  job_id: (j) => j.job_id,
  name: (j) => j.name,
  user: (j) => j.user,
  partition: (j) => j.partition,
  state: (j) => j.state,
  submit_time: (j) => j.submit_time,
  time_limit: (j) => j.time_limit,
  nodes: (j) => j.nodes ?? j.reason,
};

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const haystacks = new WeakMap();

/** What a search looks in: id, name, user, account, partition, state, nodes, reason (lower case, once per job object). */
function haystack(job) {
  let text = haystacks.get(job);
  if (text === undefined) {
    text = [job.job_id, job.name, job.user, job.account, job.partition, job.state, job.nodes, job.reason].filter((v) => v !== null && v !== undefined).join('\u0000').toLowerCase();
    haystacks.set(job, text);
  }
  return text;
}

/**
 * A key that plain < orders as people read: numbers as numbers, text case-blind with its digit
 * runs padded ("job-9" before "job-10"). Decorating once and comparing with < sorts 10,000 names
 * several times faster than an Intl.Collator comparison per pair.
 */
function sortKey(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  return String(value).toLowerCase().replace(/\d+/g, (digits) => digits.padStart(20, '0'));
}

/**
 * One page of the jobs that pass the filters: `state`, `user`, `partition` (exact, '' for any),
 * `search` (words, each found in id, name, user, account, partition, state, nodes or reason), sorted
 * by `sort` (a SORT_KEYS name; ties by job id), `descending`, `page` (from 0) of `pageSize`.
 */
export function queryJobs(jobs, { state = '', user = '', partition = '', search = '', sort = 'job_id', descending = false, page = 0, pageSize = 100 } = {}) {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const matched = jobs.filter((job) => (!state || job.state === state)
    && (!user || job.user === user)
    && (!partition || job.partition === partition)
    && (words.length === 0 || words.every((word) => haystack(job).includes(word))));
  const read = SORT_KEYS[sort] ?? SORT_KEYS.job_id;
  const sign = descending ? -1 : 1;
  const keyed = matched.map((job) => ({ key: sortKey(read(job)), job }));
  keyed.sort((a, b) => {
    if (a.key === null || b.key === null) { // unknown last, whichever the direction
      if (a.key !== b.key) return a.key === null ? 1 : -1;
    } else if (a.key !== b.key) {
      return sign * (typeof a.key === typeof b.key ? (a.key < b.key ? -1 : 1) : (typeof a.key === 'number' ? -1 : 1));
    }
    return sign * (a.job.job_id - b.job.job_id);
  });
  const sorted = keyed.map((k) => k.job);
  const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
  const current = Math.min(Math.max(0, page), pages - 1);
  return { total: sorted.length, page: current, pages, rows: sorted.slice(current * pageSize, (current + 1) * pageSize) };
}

/** The distinct non-empty values of a field, sorted: the options of a filter. */
export function distinct(jobs, field) {
  const seen = new Set();
  for (const job of jobs) if (job[field]) seen.add(job[field]);
  return [...seen].sort(collator.compare);
}
