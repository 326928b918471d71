/**
 * jobs.list.since: the job list, or "unchanged" when slurmctld says nothing changed since a
 * previous answer's last_update (slurm_load_jobs(update_time): slurmctld answers
 * SLURM_NO_CHANGE_IN_DATA when `update_time - 1 >= last_job_update`, which it bumps on every job
 * change; squeue --iterate, scontrol and sview use the same shortcut). Only the whole-table load
 * takes update_time: a filter that squeue serves with slurm_load_job / slurm_load_job_user
 * answers last_update 0 (never validated later). Pure, as the other plans.
 */
import type { JobFilter, JobListSince } from '../../commands.js';
import type { Job } from '../../model.js';
import type { RawJob } from './binding.js';
import { toJob } from './normalise.js';
import { listJobs, loadJobs, type SinceProbe } from './job-reads.js';
import type { Plan, PlanEnv } from './plan.js';
import { parseJobSpec } from './squeue.js';

export function* listJobsSince(filter: JobFilter, since: number, env: PlanEnv): Plan<JobListSince> {
  const c = env.binding.constants;
  // Ids squeue refuses take listJobs' id-by-id road: not a whole-table load.
  if (filter.job_id?.some((id) => parseJobSpec(id, c.NO_VAL) === undefined)) {
    return { last_update: 0, valid_until: null, jobs: yield* listJobs(filter, env) };
  }
  const probe: SinceProbe = { update_time: since };
  const records = yield* loadJobs(filter, env, 'Listing jobs failed', probe);
  if (probe.unchanged) return { last_update: since, valid_until: null, jobs: null };
  const now = (env.now ?? Date.now)() / 1000;
  const jobs: Job[] = records.map((r) => toJob(r, c, now));
  return { last_update: probe.last_update ?? 0, valid_until: validUntil(records, now, c.INFINITE), jobs };
}

/**
 * When the answer would read differently with nothing changed in slurmctld: toJob() prints an
 * unlimited job's end_time as null while it is in the future, so the earliest such end_time.
 */
export function validUntil(records: RawJob[], now: number, INFINITE: number): number | null {
  let until: number | null = null;
  for (const r of records) {
    if (r.time_limit === INFINITE && r.end_time > now && (until === null || r.end_time < until)) until = r.end_time;
  }
  return until;
}
