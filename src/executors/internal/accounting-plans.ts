/**
 * Jobs after the queue (issue #11): what the controller no longer holds is read from accounting
 * (slurmdbd, native/ops_accounting.cc), with the same rules as the external executor's sacct
 * (src/slurm/accounting.ts, history.ts, arrays.ts). No I/O.
 */
import type { HistoryQuery, JobFilter } from '../../commands.js';
import { GatewayError } from '../../errors.js';
import type { AccountingPing, HistoryPage, Job, JobStep } from '../../model.js';
import { accountingFailure, jobHasEnded, sortSteps } from '../../slurm/accounting.js';
import { withKnownUsers } from '../../slurm/filters.js';
import { isArrayId, wholeArray } from '../../slurm/arrays.js';
import { historyPage } from '../../slurm/history.js';
import { JOB_ID_PATTERN, jobIdInRange, pickJob } from '../../slurm/job-ids.js';
import { toAccountingRecord, toLiveStep, type AccountingRecord } from './accounting.js';
import { isSlurmCallError, type RawJobCond } from './binding.js';
import { findJob, loadJobs } from './job-reads.js';
import { toJob } from './normalise.js';
import { call, errnoOf, type Plan, type PlanEnv } from './plan.js';
import { jobStateNum } from './squeue.js';

const notFound = (jobId: string) => new GatewayError('job_not_found', `No job ${jobId}`);
const isCode = (error: unknown, code: string) => error instanceof GatewayError && error.code === code;

/** One slurmdb_jobs_get; a failure is accounting's (503 accounting_unavailable, 501 not configured). */
function* accounting(cond: RawJobCond, env: PlanEnv): Plan<AccountingRecord[]> {
  let raw;
  try {
    raw = yield* call('acct_jobs', cond);
  } catch (error) {
    if (isSlurmCallError(error)) throw accountingFailure(error.slurmError, { api: error.api, errno: error.slurmErrno });
    throw error;
  }
  return raw.map((r) => toAccountingRecord(r, env.binding.constants, cond.steps === true));
}

/** Every accounting record of `123` (the job, or every record of array 123: sacct -j 123) or `123_4`, with steps. */
function* recordsOf(jobId: string, env: PlanEnv): Plan<AccountingRecord[]> {
  const [, job, task] = JOB_ID_PATTERN.exec(jobId)!;
  return yield* accounting({ jobs: [{ job_id: Number(job), ...(task !== undefined && { task_id: Number(task) }) }], steps: true }, env);
}

/** The accounting answer for `jobId`: the record, or the whole array; undefined when accounting has none. */
function fromAccounting(jobId: string, records: AccountingRecord[]): AccountingRecord | undefined {
  const jobs = records.map((r) => r.job);
  if (isArrayId(jobId, jobs)) {
    const whole = wholeArray(Number(jobId), [], jobs);
    return whole && { job: whole, steps: records.find((r) => r.job.job_id === Number(jobId))?.steps ?? [] };
  }
  const picked = pickJob(jobs, jobId);
  return picked && records.find((r) => r.job === picked);
}

/** The controller's records for `jobId` (squeue --jobs=<id>: an array id brings all of its records). */
function* controllerRecords(jobId: string, env: PlanEnv): Plan<Job[]> {
  const c = env.binding.constants;
  const now = (env.now ?? Date.now)() / 1000;
  try {
    return (yield* loadJobs({ job_id: [jobId] }, env, `Reading job ${jobId} failed`)).map((r) => toJob(r, c, now));
  } catch (error) {
    if (isCode(error, 'job_not_found')) return [];
    throw error;
  }
}

/**
 * jobs.get: the controller first; an array's own id answers the whole array (accounting adds the
 * purged tasks, best effort); a job the controller no longer holds comes from accounting.
 */
export function* getJob(jobId: string, env: PlanEnv): Plan<Job> {
  if (!jobIdInRange(jobId)) throw notFound(jobId);
  const live = yield* controllerRecords(jobId, env);
  if (isArrayId(jobId, live)) {
    let purged: Job[] = [];
    try {
      purged = (yield* recordsOf(jobId, env)).map((r) => r.job);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error; // accounting down: the controller's records alone
    }
    return wholeArray(Number(jobId), live, purged)!;
  }
  const job = pickJob(live, jobId);
  if (job) return job;
  let records: AccountingRecord[];
  try {
    records = yield* recordsOf(jobId, env);
  } catch (error) {
    if (isCode(error, 'accounting_not_configured')) throw notFound(jobId);
    throw error;
  }
  const found = fromAccounting(jobId, records);
  if (!found) throw notFound(jobId);
  return found.job;
}

/**
 * An action (cancel, control, update) on a job the controller does not know: when accounting
 * knows it, it has ended (409); otherwise, and when accounting cannot say, the 404 stands.
 */
export function* endedInstead<R>(jobId: string, env: PlanEnv, action: Plan<R>): Plan<R> {
  try {
    return yield* action;
  } catch (error) {
    if (!isCode(error, 'job_not_found') || !jobIdInRange(jobId)) throw error;
    let found: AccountingRecord | undefined;
    try {
      found = fromAccounting(jobId, yield* recordsOf(jobId, env));
    } catch {
      throw error;
    }
    throw found ? jobHasEnded(jobId, found.job.state) : error;
  }
}

/**
 * jobs.steps: the controller's live steps while it holds the job and the job has some; else the
 * steps accounting recorded. A pending job the controller holds has none, even when accounting
 * cannot be asked.
 */
export function* jobSteps(jobId: string, env: PlanEnv): Plan<JobStep[]> {
  if (!jobIdInRange(jobId)) throw notFound(jobId);
  let live: Job | undefined;
  try {
    live = yield* findJob(jobId, env, `Reading job ${jobId} failed`);
  } catch (error) {
    if (!isCode(error, 'job_not_found')) throw error;
  }
  if (live) {
    // An array's own id: the steps of each of its records the controller holds (squeue --steps
    // --jobs=<array id> lists them all too).
    const records = live.tasks?.filter((t) => t.source === 'controller') ?? [live];
    const steps: JobStep[] = [];
    for (const record of records) {
      try {
        steps.push(...(yield* call('job_steps', { job_id: record.job_id })).map(toLiveStep));
      } catch (error) {
        if (!errnoOf(error, env, 'ESLURM_INVALID_JOB_ID')) throw isSlurmCallError(error) ? env.errors.toGatewayError(error, `Reading the steps of job ${jobId} failed`) : error;
      }
    }
    if (steps.length > 0) return sortSteps(steps);
  }
  let records: AccountingRecord[];
  try {
    records = yield* recordsOf(jobId, env);
  } catch (error) {
    if (live?.state === 'PENDING') return [];
    if (!live && isCode(error, 'accounting_not_configured')) throw notFound(jobId);
    throw error;
  }
  // An array's own id: every task's steps (sacct -j <array id> lists them all).
  const id = Number(jobId);
  const tasks = jobId.includes('_') ? [] : records.filter((r) => r.job.array_job_id === id);
  if (tasks.length > 0) return sortSteps(tasks.flatMap((r) => r.steps));
  const found = live ? records.find((r) => r.job.job_id === live!.job_id) : fromAccounting(jobId, records);
  if (!found && !live) throw notFound(jobId);
  return sortSteps(found?.steps ?? []);
}

/** The parts of a filter slurmdbd applies itself (sacct -u -A -r --name -j); every user known (see jobHistory). */
function condOf(filter: JobFilter, env: PlanEnv): RawJobCond {
  const cond: RawJobCond = {};
  if (filter.user?.length) cond.user_ids = filter.user.map((u) => env.binding.uidFromString(u)!);
  if (filter.account?.length) cond.accounts = filter.account;
  if (filter.partition?.length) cond.partitions = filter.partition;
  if (filter.name?.length) cond.names = filter.name;
  if (filter.job_id?.length) {
    cond.jobs = filter.job_id.filter(jobIdInRange).map((id) => {
      const [, job, task] = JOB_ID_PATTERN.exec(id)!;
      return { job_id: Number(job), ...(task !== undefined && { task_id: Number(task) }) };
    });
  }
  return cond;
}

/** jobs.history: one slurmdb query per end-time slice (ended states, usage window, no steps). */
export function* jobHistory(query: HistoryQuery, env: PlanEnv): Plan<HistoryPage> {
  const c = env.binding.constants;
  // Users that do not exist select nothing (src/slurm/filters.ts); sacct would refuse the query.
  const filter = withKnownUsers(query.filter, (u) => env.binding.uidFromString(u) !== null);
  if (filter === null) return { jobs: [], next: null };
  const cond = condOf(filter, env);
  if (filter.job_id?.length && !cond.jobs?.length) return { jobs: [], next: null };
  return yield* historyPage(query, function* (slice) {
    const states = slice.states.map((s) => {
      const value = jobStateNum(s, c);
      if (value === undefined) throw new GatewayError('invalid_request', `Unknown job state ${s}`);
      return value;
    });
    const records = yield* accounting({ ...cond, states, usage_start: slice.from, usage_end: slice.to, steps: false }, env);
    return records.map((r) => r.job);
  });
}

/** accounting.ping: up, down (with Slurm's reason) or not configured; never throws for slurmdbd. */
export function* accountingPing(): Plan<AccountingPing> {
  try {
    return yield* call('acct_ping', {});
  } catch (error) {
    if (isSlurmCallError(error)) return { status: 'down', reason: error.slurmError };
    throw error;
  }
}
