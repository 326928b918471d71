/**
 * Reading jobs as squeue and scontrol do with the same calls: the filters squeue applies, one
 * job by id, and the list. No I/O.
 */
import { withKnownUsers } from '../../slurm/filters.js';
import type { JobFilter } from '../../commands.js';
import { GatewayError } from '../../errors.js';
import type { Job } from '../../model.js';
import { pickJob } from '../../slurm/job-ids.js';
import { isSlurmCallError, type OpArgs, type RawJob } from './binding.js';
import { toJob } from './normalise.js';
import { call, errnoOf, type Plan, type PlanEnv } from './plan.js';
import { jobStateNum, parseJobSpec, selectJobs, type Selection } from './squeue.js';

/** Filled by loadJobs when it used the conditional load (list-since.ts). */
export interface SinceProbe {
  update_time: number;
  last_update?: number;
  unchanged?: boolean;
}

// jobs

/** squeue --states=… --user=… --jobs=… --partition=… --account=… --name=…, as selectJobs(). */
export function* loadJobs(requested: JobFilter, env: PlanEnv, what: string, since?: SinceProbe): Plan<RawJob[]> {
  const c = env.binding.constants;
  // Users that do not exist select nothing (src/slurm/filters.ts), as squeue drops them.
  const filter = withKnownUsers(requested, (u) => env.binding.uidFromString(u) !== null);
  if (filter === null) return [];
  const fail = (sentence: string, code: 'scheduler_rejected' | 'job_not_found' | 'invalid_job_state' = 'scheduler_rejected') =>
    new GatewayError(code, `${what}: ${sentence}`, { details: { slurm_error: sentence } });
  const sel: Selection = {};
  if (filter.job_id) {
    sel.jobs = filter.job_id.map((id) => parseJobSpec(id, c.NO_VAL) ?? (() => { throw fail(`Invalid job id: ${id}`, 'job_not_found'); })());
  }
  if (filter.state) {
    sel.states = filter.state.map((s) => jobStateNum(s, c) ?? (() => { throw fail(`Invalid job state specified: ${s}`, 'invalid_job_state'); })());
  }
  if (filter.user) sel.users = filter.user.map((u) => env.binding.uidFromString(u)!);
  if (filter.partition) sel.partitions = filter.partition;
  if (filter.account) sel.accounts = filter.account;
  if (filter.name) sel.names = filter.name;

  // squeue's calls: one job id -> slurm_load_job, one user -> slurm_load_job_user, else all;
  // SHOW_ALL (hidden partitions too) whenever job ids were named.
  const show_flags = sel.jobs?.length ? c.SHOW_ALL : 0;
  const args: OpArgs<'jobs'> = { show_flags };
  if (sel.jobs?.length === 1) args.job_id = sel.jobs[0]!.jobId;
  else if (sel.users?.length === 1) args.user_id = sel.users[0]!;
  let records: RawJob[];
  try {
    if (since && args.job_id === undefined && args.user_id === undefined) {
      // The whole table: ask slurmctld whether anything changed since our last copy (list-since.ts).
      const answer = yield* call('jobs_since', { show_flags, update_time: since.update_time });
      since.last_update = answer.last_update;
      if (answer.jobs === null) { since.unchanged = true; return []; }
      records = answer.jobs;
    } else {
      records = yield* call('jobs', args);
    }
  } catch (error) {
    // squeue --jobs=<one unknown id>: "Invalid job id specified", i.e. no such job.
    if (args.job_id !== undefined && errnoOf(error, env, 'ESLURM_INVALID_JOB_ID')) return [];
    throw isSlurmCallError(error) ? env.errors.toGatewayError(error, what) : error;
  }
  const reasonName = (code: number) => records.find((r) => r.state_reason === code)?.state_reason_name ?? String(code);
  return selectJobs(records, sel, c, reasonName);
}

export function* listJobs(filter: JobFilter, env: PlanEnv): Plan<Job[]> {
  const c = env.binding.constants;
  const now = (env.now ?? Date.now)() / 1000;
  // As the external executor: an id squeue refuses ("Invalid job id: 4294967296") gives an empty
  // answer alone, and among others is asked about id by id so the known ones are still listed.
  if (filter.job_id?.some((id) => parseJobSpec(id, c.NO_VAL) === undefined)) {
    if (filter.job_id.length === 1) return [];
    const jobs: Job[] = [];
    for (const id of filter.job_id) jobs.push(...(yield* listJobs({ ...filter, job_id: [id] }, env)));
    return jobs;
  }
  return (yield* loadJobs(filter, env, 'Listing jobs failed')).map((r) => toJob(r, c, now));
}

export function* findJob(jobId: string, env: PlanEnv, what: string): Plan<Job | undefined> {
  const c = env.binding.constants;
  const now = (env.now ?? Date.now)() / 1000;
  const jobs = (yield* loadJobs({ state: undefined, job_id: [jobId] }, env, what)).map((r) => toJob(r, c, now));
  return pickJob(jobs, jobId);
}

export function* getJob(jobId: string, env: PlanEnv): Plan<Job> {
  let job: Job | undefined;
  try {
    job = yield* findJob(jobId, env, `Reading job ${jobId} failed`);
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'job_not_found') throw new GatewayError('job_not_found', `No job ${jobId}`);
    throw error;
  }
  if (!job) throw new GatewayError('job_not_found', `No job ${jobId}`);
  return job;
}
