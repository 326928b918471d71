/**
 * An array job as its user thinks of it: every record of the array, from the controller and from
 * accounting, under the array's own id, with the array's overall state. Both executors answer
 * GET /v1/jobs/{array job id} with this. Pure.
 */
import { WAITING_STATES, type Job } from '../model.js';
import { inArraySpec } from './job-ids.js';

const ACTIVE = new Set(['RUNNING', 'COMPLETING', 'CONFIGURING', 'SIGNALING', 'STAGE_OUT', 'RESIZING']);
/** When every task has ended: the first of these that any task ended in, else COMPLETED. */
const ENDED_BY_WEIGHT = ['FAILED', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'TIMEOUT', 'DEADLINE', 'PREEMPTED', 'CANCELLED', 'REVOKED'];

/**
 * The array's overall state: RUNNING while any task runs; else SUSPENDED while any is suspended;
 * else PENDING while any waits; else, all ended, COMPLETED when every task completed, or the
 * weightiest way one ended (FAILED before OUT_OF_MEMORY, …, before CANCELLED).
 */
export function overallState(tasks: Job[]): string {
  const states = new Set(tasks.map((t) => t.state));
  if ([...states].some((s) => ACTIVE.has(s))) return 'RUNNING';
  if (states.has('SUSPENDED')) return 'SUSPENDED';
  if ([...states].some((s) => WAITING_STATES.has(s))) return 'PENDING';
  return ENDED_BY_WEIGHT.find((s) => states.has(s)) ?? (states.size === 1 ? [...states][0]! : 'COMPLETED');
}

/** Tasks of an array spec such as "3-4%1", or undefined when it is not a plain list of ranges. */
function tasksOf(spec: string): number[] | undefined {
  const tasks: number[] = [];
  for (const part of spec.replace(/%\d+$/, '').split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    const step = m[3] ? Number(m[3]) : 1;
    for (let t = from; t <= to && tasks.length <= 100_000; t += step) tasks.push(t);
  }
  return tasks;
}

/** Task ids in Slurm's compact form: "0-3,7,9-10". */
export function rangesOf(tasks: number[]): string {
  const sorted = [...new Set(tasks)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** A spec without the given tasks, in Slurm's form ("3-4", "3,5-7"); null when none is left. */
function withoutTasks(spec: string, taken: Set<number>): string | null {
  const tasks = tasksOf(spec);
  if (!tasks) return spec;
  const left = tasks.filter((t) => !taken.has(t));
  if (left.length === 0) return null;
  if (left.length === tasks.length) return spec;
  const limit = /%\d+$/.exec(spec)?.[0] ?? '';
  return rangesOf(left) + limit;
}

/**
 * Every task of the array the records stand for, started, ended or pending, as one spec ("0-9"):
 * what stays the same while an array runs, where the pending remainder shrinks. A remainder that
 * is not a plain list of ranges is kept as Slurm printed it, after the tasks that have records.
 */
export function arrayTaskString(records: Job[]): string {
  const started = records.flatMap((j) => (j.array_task_id === null ? [] : [j.array_task_id]));
  const rest = records.find((j) => j.array_task_id === null && j.array_tasks !== null)?.array_tasks ?? null;
  const pending = rest === null ? [] : tasksOf(rest);
  if (pending === undefined) return [rangesOf(started), rest].filter(Boolean).join(',');
  return rangesOf([...started, ...pending]);
}

/**
 * Every record of array `arrayJobId`: the controller's first (it is current), then what only
 * accounting still has (tasks purged after MinJobAge). Accounting lags the controller by a second
 * or two, so its pending remainder may still list a task that already has its own record: such
 * tasks are taken out of it, and a remainder the controller still holds wins over accounting's.
 * Ordered by task id, the remainder last. Undefined when neither knows a record of the array.
 */
export function wholeArray(arrayJobId: number, controller: Job[], accounting: Job[]): Job | undefined {
  const records = new Map<string, Job>();
  const keyOf = (job: Job) => (job.array_task_id === null ? `rest` : `task:${job.array_task_id}`);
  for (const job of controller) if (job.array_job_id === arrayJobId) records.set(keyOf(job), job);
  for (const job of accounting) {
    if (job.array_job_id !== arrayJobId || records.has(keyOf(job))) continue;
    records.set(keyOf(job), job);
  }
  if (records.size === 0) return undefined;
  const rest = records.get('rest');
  if (rest && rest.array_tasks !== null) {
    const taken = new Set([...records.values()].flatMap((j) => (j.array_task_id === null ? [] : [j.array_task_id])));
    const spec = withoutTasks(rest.array_tasks, taken);
    if (spec === null) records.delete('rest');
    else if (spec !== rest.array_tasks) records.set('rest', { ...rest, array_tasks: spec });
  }
  const tasks = [...records.values()].sort((a, b) => (a.array_task_id ?? Infinity) - (b.array_task_id ?? Infinity));
  const head = tasks.find((t) => t.job_id === arrayJobId) ?? tasks[0]!;
  return { ...head, state: overallState(tasks), array_task_string: arrayTaskString(tasks), tasks };
}

/** Whether `jobId` (a bare id) names an array, given the records found for it. */
export function isArrayId(jobId: string, records: Job[]): boolean {
  if (jobId.includes('_')) return false;
  const id = Number(jobId);
  return records.some((j) => j.array_job_id === id);
}

