/**
 * Meaning, for what only accounting (slurmdbd) knows: sacct and sacctmgr runs as plans (see
 * plans.ts). Every sacct run is `-n -P --noconvert` with explicit --starttime and --endtime and
 * the fields of SACCT_FIELDS (JobName last); a history run names its users or says --allusers
 * (without either, sacct filters on the process's own uid, or shows everyone to root). Values go
 * in as `--option=value`, so none can become an option. A failed run (slurmdbd down or hung, no
 * accounting, a token slurmdbd refused: exit 239) is accountingFailure(), 503 or 501.
 */
import type { HistoryQuery, JobFilter } from '../../commands.js';
import { GatewayError } from '../../errors.js';
import type { AccountingPing, HistoryPage, Job, JobStep } from '../../model.js';
import { accountingFailure, sortSteps } from '../../slurm/accounting.js';
import { historyPage, type HistorySlice } from '../../slurm/history.js';
import { invalidUsers, withKnownUsers } from '../../slurm/filters.js';
import { JOB_ID_SHAPE } from '../../slurm/job-ids.js';
import { SACCT_FIELDS, STEP_FIELDS, longFormat } from './formats.js';
import type { Invocation, RunResult } from './invocation.js';
import { parseSacct, type Accounted } from './parse/sacct.js';
import { parseSteps } from './parse/steps.js';
import { check, slurmReason } from './stderr.js';

type Plan<R> = Generator<Invocation, R, RunResult>;

/**
 * An epoch second as sacct reads a time: `YYYY-MM-DDTHH:MM:SS`, local time, and the tools run
 * with TZ=UTC (environment.ts), so this is exact. sacct's window is inclusive at both ends
 * (verified on 22.05.8 with a job ending at a known second; when start = end, sacct widens the
 * end by one second, which the history walk filters out again).
 */
export function sacctTime(epoch: number): string {
  return new Date(epoch * 1000).toISOString().slice(0, 19);
}

/** `-j` selects by submit time and defaults its window to the epoch: said explicitly. */
const ANY_TIME = ['--starttime=1970-01-02T00:00:00', '--endtime=now'];

/** What a failed sacct or sacctmgr run means (accountingFailure), or undefined when it succeeded. */
export function accountingError(result: RunResult): GatewayError | undefined {
  if (result.exitCode === 0) return undefined;
  // sacctmgr says why in two lines, the telling one first ("You are not running a supported
  // accounting_storage plugin" / "Only 'accounting_storage/slurmdbd' is supported.").
  const lines = result.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const reason = lines.find((l) => accountingFailure(l).code === 'accounting_not_configured')
    ?? slurmReason(result.stderr) ?? slurmReason(result.stdout) ?? `${result.invocation.tool} exited with ${result.exitCode}`;
  return accountingFailure(reason, { tool: result.invocation.tool, exitCode: result.exitCode, stderr: result.stderr.slice(0, 4000) });
}

const sacctArgs = (args: string[]) => ['--noheader', '--parsable2', '--noconvert', ...args, `--format=${SACCT_FIELDS.join(',')}`];

function parsedSacct(result: RunResult): Accounted {
  const failure = accountingError(result);
  if (failure) throw failure;
  return parseSacct(result.stdout);
}

function* sacct(args: string[]): Plan<Accounted> {
  return parsedSacct(yield { tool: 'sacct', args: sacctArgs(args) });
}

function checkedJobId(jobId: string): string {
  if (!JOB_ID_SHAPE.test(jobId)) throw new GatewayError('invalid_request', `Not a job id: ${JSON.stringify(jobId)}`);
  return jobId;
}

/** A job (or every record of an array) with its steps: `sacct -j <id>`. */
export function* accountedJob(jobId: string): Plan<Accounted> {
  return yield* sacct([`--jobs=${checkedJobId(jobId)}`, ...ANY_TIME]);
}

/** Job lines only (-X): for an array id, every task row and the pending remainder. */
export function* accountedRecords(jobId: string): Plan<Job[]> {
  return (yield* sacct(['--allocations', `--jobs=${checkedJobId(jobId)}`, ...ANY_TIME])).jobs;
}

/** The same, or undefined when accounting cannot say (down, not configured). */
export function* accountedQuietly(jobId: string): Plan<Accounted | undefined> {
  try {
    return yield* accountedJob(jobId);
  } catch (error) {
    if (error instanceof GatewayError && (error.code === 'accounting_unavailable' || error.code === 'accounting_not_configured')) return undefined;
    throw error;
  }
}

/**
 * A job's steps: the controller's while it has some for the job (squeue --steps), else
 * accounting's step lines. `controllerJob` tells a job the controller holds (pending, or ended
 * within MinJobAge) from an unknown one when accounting has nothing.
 */
export function* jobSteps(jobId: string, controllerJob: (jobId: string) => Plan<Job | undefined>): Plan<JobStep[]> {
  const live = yield { tool: 'squeue', args: ['--steps', '--noheader', `--jobs=${checkedJobId(jobId)}`, `--Format=${longFormat(STEP_FIELDS)}`] };
  const steps = parseSteps(check(live, `Reading the steps of job ${jobId} failed`).stdout);
  if (steps.length > 0) return sortSteps(steps);
  let failure: GatewayError | undefined;
  try {
    const accounted = yield* accountedJob(jobId);
    if (accounted.jobs.length > 0) return sortSteps(accounted.steps);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    if (error.code === 'accounting_unavailable') failure = error;
    else if (error.code !== 'accounting_not_configured') throw error; // none: as if accounting had nothing
  }
  const job = yield* controllerJob(jobId);
  if (job === undefined) throw failure ?? new GatewayError('job_not_found', `No job ${jobId}`);
  // A pending job has no steps; any other may have some only accounting still has.
  if (failure && job.state !== 'PENDING') throw failure;
  return [];
}

/** sacct splits a list at commas; control characters have no place in a name. */
const LIST_ITEM = /^[^,\u0000-\u001f\u007f]+$/;

/** A filter's list as one `--option=a,b` argument; an item that could change its meaning is refused. */
function listArg(option: string, items: readonly string[] | undefined): string[] {
  if (!items?.length) return [];
  for (const item of items) {
    if (!LIST_ITEM.test(item)) throw new GatewayError('invalid_request', `Cannot ask accounting for ${option} ${JSON.stringify(item)}`);
  }
  return [`--${option}=${items.join(',')}`];
}

/** The sacct arguments of one slice of the history walk (src/slurm/history.ts). */
export function historyArgs(filter: JobFilter, slice: HistorySlice): string[] {
  return [
    '--allocations',
    `--starttime=${sacctTime(slice.from)}`,
    `--endtime=${sacctTime(slice.to)}`,
    ...listArg('state', slice.states),
    // Neither -u nor --allusers: sacct would filter on the gateway's own uid (or show root all).
    ...(filter.user?.length ? listArg('user', filter.user) : ['--allusers']),
    ...listArg('accounts', filter.account),
    ...listArg('partition', filter.partition),
    ...listArg('name', filter.name),
    ...(filter.job_id?.length ? [`--jobs=${filter.job_id.map(checkedJobId).join(',')}`] : []),
  ];
}

/**
 * One page of ended jobs. Each slice is one `sacct -X`: job lines only, so `max_rss` (a step's
 * value) is null in history; GET /v1/jobs/{id} reads it.
 */
export function* history(query: HistoryQuery): Plan<HistoryPage> {
  // Users that do not exist select nothing (src/slurm/filters.ts): sacct refuses the whole query
  // ("Invalid user id: x"), so they are dropped and the slice asked again; none left, no jobs.
  let filter: JobFilter | null = query.filter;
  return yield* historyPage(query, function* (slice): Plan<Job[]> {
    for (;;) {
      if (filter === null) return [];
      const result = yield { tool: 'sacct', args: sacctArgs(historyArgs(filter, slice)) };
      const unknown = result.exitCode === 0 ? [] : invalidUsers(result.stderr).filter((u) => filter!.user?.includes(u));
      if (unknown.length === 0) return parsedSacct(result).jobs;
      filter = withKnownUsers(filter, (u) => !unknown.includes(u));
    }
  });
}

/** Whether slurmdbd answers: the cheapest sacctmgr query. A failure is a status, never thrown. */
export function* accountingPing(): Plan<AccountingPing> {
  const result = yield { tool: 'sacctmgr', args: ['--noheader', '--parsable2', 'show', 'cluster', 'format=Cluster'] };
  const failure = accountingError(result);
  if (!failure) return { status: 'up', reason: null };
  const reason = typeof failure.details?.slurm_error === 'string' ? failure.details.slurm_error : failure.message;
  return { status: failure.code === 'accounting_not_configured' ? 'not_configured' : 'down', reason };
}
