/** Job ids as Slurm reads them: `123`, an array task `123_4`, array specs such as `1-9:2%4`. Pure. */
import type { Job } from '../model.js';

/** The largest job id: below NO_VAL (0xfffffffe) and INFINITE. */
export const MAX_JOB_ID = 4_294_967_293;
/** The largest array task id: Slurm's MaxArraySize may not exceed 4,000,001. */
export const MAX_ARRAY_TASK_ID = 4_000_000;

/** `123` or `123_4`, any number of digits (what the executors pass on; the edge checks the range). */
export const JOB_ID_SHAPE = /^\d+(_\d+)?$/;
/** `123` or `123_4` as a request may name it: at most ten digits each. */
export const JOB_ID_PATTERN = /^(\d{1,10})(?:_(\d{1,10}))?$/;

/** Whether a job id's numbers are in range: 1 to {@link MAX_JOB_ID}, an array task 0 to {@link MAX_ARRAY_TASK_ID}. */
export function jobIdInRange(s: string): boolean {
  const m = JOB_ID_PATTERN.exec(s);
  if (!m) return false;
  const job = Number(m[1]);
  return job >= 1 && job <= MAX_JOB_ID && (m[2] === undefined || Number(m[2]) <= MAX_ARRAY_TASK_ID);
}

/**
 * The record for `123` (that job id exactly) or `123_4` (task 4 of array 123, or the pending
 * array record that still stands for it). `squeue --jobs=123` also lists 123's array tasks.
 */
export function pickJob(jobs: Job[], jobId: string): Job | undefined {
  const [base, task] = jobId.split('_').map(Number) as [number, number | undefined];
  if (task === undefined) return jobs.find((j) => j.job_id === base);
  return jobs.find((j) => j.array_job_id === base && j.array_task_id === task)
    ?? jobs.find((j) => j.array_job_id === base && j.array_tasks !== null && inArraySpec(j.array_tasks, task));
}

/** Whether `task` is in an array spec such as "2-10:2,15%4". */
export function inArraySpec(spec: string, task: number): boolean {
  return spec.replace(/%\d+$/, '').split(',').some((part) => {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part);
    if (!m) return false;
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    const step = m[3] ? Number(m[3]) : 1;
    return task >= from && task <= to && (task - from) % step === 0;
  });
}

