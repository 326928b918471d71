/** Job ids as Slurm reads them: `123`, an array task `123_4`, array specs such as `1-9:2%4`. Pure. */
import type { Job } from '../model.js';

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

