/**
 * squeue's selection and order, over the records slurm_load_jobs() returns, so that jobs.list
 * answers what `squeue --states=… --user=… --jobs=…` prints (src/squeue/opts.c, print.c, sort.c
 * of Slurm 22.05): the same filters, pending array tasks folded into their array record, and the
 * default sort "P,t,-p" after a start-time sort, with glibc's merge sort. Pure.
 */
import type { Constants, RawJob } from './binding.js';

/** A --jobs entry: "123" or "123_4" (taskId NO_VAL when there is no task). */
export interface JobSpec {
  jobId: number;
  taskId: number;
}

export interface Selection {
  jobs?: JobSpec[];
  /** uids */
  users?: number[];
  /** job_state_num() values */
  states?: number[];
  partitions?: string[];
  accounts?: string[];
  names?: string[];
}

/** strtol() into a C int: saturates at the long range, then keeps the low 32 bits. */
function strtolInt(digits: string): number {
  const LONG_MAX = (1n << 63n) - 1n;
  let v = BigInt(digits);
  if (v > LONG_MAX) v = LONG_MAX;
  if (v < -LONG_MAX - 1n) v = -LONG_MAX - 1n;
  return Number(BigInt.asIntN(32, v));
}

/** squeue's _build_job_list(): strtol into an int; a job id <= 0 is invalid (undefined). */
export function parseJobSpec(text: string, NO_VAL: number): JobSpec | undefined {
  const m = /^\s*([+-]?\d+)(.*)$/s.exec(text);
  if (!m) return undefined;
  const jobId = strtolInt(m[1]!);
  if (!(jobId > 0)) return undefined;
  let taskId = NO_VAL;
  if (m[2]!.startsWith('_')) {
    const t = /^\s*([+-]?\d+)/.exec(m[2]!.slice(1));
    taskId = t ? strtolInt(t[1]!) : 0;
  }
  return { jobId, taskId };
}

/** job_state_num(): a state name or its compact form, any case; undefined when unknown. */
export function jobStateNum(name: string, c: Constants): number | undefined {
  const wanted = name.toLowerCase();
  return c.job_states.find((s) => s.name.toLowerCase() === wanted || s.compact.toLowerCase() === wanted)?.value;
}

const eqi = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Filters, folds and sorts like squeue; returns new record objects (inputs are not modified). */
export function selectJobs(records: RawJob[], sel: Selection, c: Constants, reasonName: (code: number) => string): RawJob[] {
  const picked: RawJob[] = [];
  for (const original of records) {
    const job = { ...original, array_tasks: original.array_tasks && { size: original.array_tasks.size, set: [...original.array_tasks.set] } };
    if (keep(job, sel, c)) picked.push(job);
  }
  const folded = combinePendingArrayTasks(picked, c, reasonName);
  return squeueSort(folded);
}

function keep(job: RawJob, sel: Selection, c: Constants): boolean {
  if (job.job_id === 0) return false;
  let partialArray = false;
  if (sel.jobs) {
    let match = false;
    for (const spec of sel.jobs) {
      if ((spec.taskId === c.NO_VAL && (spec.jobId === job.array_job_id || spec.jobId === job.job_id))
        || (spec.taskId === job.array_task_id && spec.jobId === job.array_job_id)) { match = true; break; }
      if (spec.taskId !== c.NO_VAL && spec.jobId === job.array_job_id && job.array_tasks
        && spec.taskId < job.array_tasks.size && job.array_tasks.set.includes(spec.taskId)) { match = true; partialArray = true; break; }
      if (spec.jobId === job.het_job_id) { match = true; break; }
    }
    if (!match) return false;
  }
  if (sel.accounts && !sel.accounts.some((a) => job.account !== null && eqi(a, job.account))) return false;
  if (sel.states) {
    job.job_state = (job.job_state & ~c.JOB_UPDATE_DB) >>> 0;
    const state = job.job_state;
    if (!sel.states.some((s) => ((s & c.JOB_STATE_FLAGS) ? (s & state) !== 0 : s === state))) return false;
  }
  if (sel.users && !sel.users.includes(job.user_id)) return false;
  if (sel.names && !sel.names.some((n) => job.name !== null && eqi(n, job.name))) return false;
  if (partialArray && job.array_tasks) restrictArray(job, sel.jobs!);
  // _filter_job_part(): any of the job's comma-separated partitions, exactly.
  if (sel.partitions && !(job.partition ?? '').split(',').filter(Boolean).some((p) => sel.partitions!.includes(p))) return false;
  return true;
}

/** squeue --jobs=123_4 on a pending array record: keep only the requested tasks in it. */
function restrictArray(job: RawJob, specs: JobSpec[]): void {
  const bitmap = job.array_tasks!;
  const wanted = new Set(specs.filter((s) => s.jobId === job.array_job_id && s.taskId < bitmap.size).map((s) => s.taskId));
  const set = bitmap.set.filter((t) => wanted.has(t));
  if (set.length === 1) {
    job.array_task_id = set[0]!;
    job.array_task_str = null;
    job.array_tasks = null;
  } else {
    job.array_tasks = { size: bitmap.size, set };
    job.array_task_str = bitFmt(set);
  }
}

/** Slurm's bit_fmt(): "1-3,5"; with `limit`, snprintf's truncation into a buffer of that size. */
export function bitFmt(set: number[], limit?: number): string {
  const parts: string[] = [];
  for (let i = 0; i < set.length;) {
    let j = i;
    while (j + 1 < set.length && set[j + 1] === set[j]! + 1) j++;
    parts.push(i === j ? `${set[i]},` : `${set[i]}-${set[j]},`);
    i = j + 1;
  }
  let text = parts.join('');
  if (limit !== undefined) text = text.slice(0, limit - 1);
  return parts.length ? text.slice(0, -1) : text;
}

/** _combine_pending_array_tasks(): pending tasks split off an array fold back into its record. */
function combinePendingArrayTasks(list: RawJob[], c: Constants, reasonName: (code: number) => string): RawJob[] {
  const pending = (j: RawJob) => (j.job_state & c.JOB_STATE_BASE) === c.JOB_PENDING;
  const removed = new Set<RawJob>();
  for (const job of list) {
    if (removed.has(job) || !pending(job) || !job.array_task_str || !job.array_tasks) continue;
    const bitmap = job.array_tasks;
    let updated = 0;
    for (const task of list) {
      if (removed.has(task) || !pending(task)) continue;
      if (task === job || task.array_job_id !== job.array_job_id || task.array_task_id >= bitmap.size) continue;
      if (task.name !== job.name || task.partition !== job.partition) continue;
      updated++;
      mergeReason(job, task, reasonName);
      if (!bitmap.set.includes(task.array_task_id)) bitmap.set.push(task.array_task_id);
      removed.add(task);
    }
    if (updated) {
      bitmap.set.sort((a, b) => a - b);
      job.array_task_str = bitFmt(bitmap.set, 64); // squeue's SLURM_BITSTR_LEN default
    }
  }
  return list.filter((j) => !removed.has(j));
}

function mergeReason(job: RawJob, task: RawJob, reasonName: (code: number) => string): void {
  if (job.state_reason === task.state_reason) return;
  if (job.state_desc === null) job.state_desc = reasonName(job.state_reason);
  const taskDesc = reasonName(task.state_reason);
  if (job.state_desc.includes(taskDesc)) return;
  job.state_desc += `,${taskDesc}`;
}

/** xstrcmp(): NULL sorts before any string; then strcmp (byte order). */
function xstrcmp(a: string | null, b: string | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Math.sign(Buffer.compare(x, y));
}

const sign = (n: number) => (n > 0 ? 1 : n < 0 ? -1 : 0);

/**
 * sort_jobs_by_start_time() then sort_job_list() with "P,t,-p", applied last key first. The
 * start-time comparator is not a consistent order (a zero start sorts after everything from
 * either side), so the exact algorithm matters: glibc's qsort is a top-down merge sort.
 */
export function squeueSort(jobs: RawJob[]): RawJob[] {
  let out = msort(jobs, (a, b) => {
    if (a.start_time === 0) return 1;
    if (b.start_time === 0) return -1;
    return -sign(a.start_time - b.start_time);
  });
  out = msort(out, (a, b) => -sign(a.priority - b.priority));
  out = msort(out, (a, b) => xstrcmp(a.state_compact, b.state_compact));
  out = msort(out, (a, b) => xstrcmp(a.partition, b.partition));
  return out;
}

/** glibc msort_with_tmp(): n1 = n / 2, ties taken from the left run. */
export function msort<T>(items: T[], cmp: (a: T, b: T) => number): T[] {
  if (items.length <= 1) return [...items];
  const n1 = Math.floor(items.length / 2);
  const left = msort(items.slice(0, n1), cmp);
  const right = msort(items.slice(n1), cmp);
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) out.push(cmp(left[i]!, right[j]!) <= 0 ? left[i++]! : right[j++]!);
  while (i < left.length) out.push(left[i++]!);
  while (j < right.length) out.push(right[j++]!);
  return out;
}
