/**
 * Meaning: what each command is in terms of Slurm's tools. A plan is a generator that yields the
 * tool runs it needs and gets their results back, so the same plan serves the synchronous and
 * the asynchronous transport. Plans do no I/O themselves.
 */
import { pickJob } from '../../slurm/job-ids.js';
import { assertNever, type CommandOf, type JobAction, type JobFilter, type JobSubmission, type ResultOf, type SchedulerCommand } from '../../commands.js';
import { GatewayError } from '../../errors.js';
import type { Job, JobValidation } from '../../model.js';
import { epochToIso } from '../../slurm/values.js';
import { refusedValidation } from '../../slurm/will-run.js';
import { JOB_FIELDS, longFormat } from './formats.js';
import type { Invocation, RunResult } from './runner.js';
import { check, classify, hasError } from './stderr.js';
import { parseJobs } from './parse/jobs.js';
import { parseKeyedJobs, submitOutcome } from './parse/submit.js';
import { replayOf, tagOf, taggedComment, type IdempotencyTag, type KeyedJob } from '../../slurm/idempotency.js';
import { UnreadableOutput } from './parse/values.js';
import { DEFAULT_JOB_ENV } from '../../slurm/job-environment.js';
import { isUnreadableReply, outcomeOfUnreadableReply } from '../../slurm/suspend-reply.js';
import { isArrayId, wholeArray } from '../../slurm/arrays.js';
import { jobHasEnded } from '../../slurm/accounting.js';
import { withoutInvalidUserLines } from '../../slurm/filters.js';
import { slurmTime } from '../../slurm/submit-options.js';
import { getUser, listAccounts, listQos } from './assoc-plans.js';
import { accountedJob, accountedQuietly, accountedRecords, accountingPing, history, jobSteps } from './accounting-plans.js';
import { clusterInfo, getNode, getPartition, getReservation, listLicenses, listNodes, listPartitions, listReservations, ping } from './cluster-plans.js';

export type Plan<R> = Generator<Invocation, R, RunResult>;

/** `caller`: the user a command acts as (a token's user); undefined: the gateway's own user. */
export function planFor<C extends SchedulerCommand>(command: C, caller?: string): Plan<ResultOf<C>> {
  return readable(plan(command, caller)) as Plan<ResultOf<C>>;
}

function plan(command: SchedulerCommand, caller: string | undefined): Plan<unknown> {
  switch (command.kind) {
    case 'ping': return ping();
    case 'cluster.info': return clusterInfo();
    case 'jobs.list': return listJobs(command.filter);
    // squeue has no conditional load: always the whole answer, never validated later.
    case 'jobs.list.since': return (function* () { return { last_update: 0, valid_until: null, jobs: yield* listJobs(command.filter) }; })();
    case 'jobs.get': return getJob(command.jobId);
    case 'jobs.steps': return jobSteps(command.jobId, findJob);
    case 'jobs.history': return history(command.query);
    case 'accounting.ping': return accountingPing();
    case 'accounts.list': return listAccounts();
    case 'users.get': return getUser(command.name);
    case 'qos.list': return listQos();
    case 'jobs.submit': return submit(command.submission, command.idempotency, caller);
    case 'jobs.validate': return validateJob(command.submission);
    case 'jobs.cancel': return cancel(command.jobId, command.signal);
    case 'jobs.control': return control(command.jobId, command.action);
    case 'jobs.update': return update(command.jobId, command.update);
    case 'nodes.list': return listNodes();
    // sinfo has no conditional load either.
    case 'nodes.list.since': return (function* () { return { last_update: { partitions: 0, nodes: 0 }, nodes: yield* listNodes() }; })();
    case 'nodes.get': return getNode(command.name);
    case 'partitions.list': return listPartitions();
    case 'partitions.get': return getPartition(command.name);
    case 'reservations.list': return listReservations();
    case 'reservations.get': return getReservation(command.name);
    case 'licenses.list': return listLicenses();
    default: return assertNever(command);
  }
}

/** Output that does not parse is the scheduler's fault (502), not ours (500). */
function* readable<R>(inner: Plan<R>): Plan<R> {
  try {
    return yield* inner;
  } catch (error) {
    if (error instanceof UnreadableOutput) throw new GatewayError('scheduler_error', error.message, { cause: error });
    throw error;
  }
}

/** squeue's words for an id it does not know ("specified") or cannot take (too large). */
const UNKNOWN_JOB = /Invalid job id/i;

const squeue = (args: string[]): Invocation => ({ tool: 'squeue', args: ['--noheader', `--Format=${longFormat(JOB_FIELDS)}`, ...args] });

function* listJobs(filter: JobFilter): Plan<Job[]> {
  const args = ['--states', filter.state?.join(',') ?? 'all'];
  if (filter.user) args.push('--user', filter.user.join(','));
  if (filter.partition) args.push('--partition', filter.partition.join(','));
  if (filter.account) args.push('--account', filter.account.join(','));
  if (filter.name) args.push('--name', filter.name.join(','));
  if (filter.job_id) args.push('--jobs', filter.job_id.join(','));
  const result = yield squeue(args);
  if (filter.job_id && UNKNOWN_JOB.test(result.stderr)) {
    // squeue fails the whole call when one listed id is unknown: ask id by id, so the known
    // ones are still listed (one failure must not hide the others).
    if (filter.job_id.length === 1) return [];
    const jobs: Job[] = [];
    for (const id of filter.job_id) jobs.push(...(yield* listJobs({ ...filter, job_id: [id] })));
    return jobs;
  }
  // squeue drops a user that does not exist, says so on stderr and exits 0: that user selects
  // nothing (src/slurm/filters.ts), which is not a failure.
  const known = filter.user && result.exitCode === 0 ? { ...result, stderr: withoutInvalidUserLines(result.stderr) } : result;
  return parseJobs(check(known, 'Listing jobs failed').stdout);
}

/**
 * The controller's record first. An array's own id answers the whole array: the controller's
 * records and, best effort, accounting's (tasks purged after MinJobAge). A job the controller does
 * not know is looked up in accounting: 404 when it has none or keeps no accounting, 503 when
 * slurmdbd does not answer (whether the job existed cannot be told).
 */
function* getJob(jobId: string): Plan<Job> {
  const records = yield* controllerRecords(jobId);
  if (records && isArrayId(jobId, records)) {
    let accounted: Job[] = [];
    try {
      accounted = yield* accountedRecords(jobId);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error; // accounting down: the controller's records alone
    }
    const whole = wholeArray(Number(jobId), records, accounted);
    if (whole) return whole;
  }
  const live = records && pickJob(records, jobId);
  if (live) return live;
  let accounted;
  try {
    accounted = (yield* accountedJob(jobId)).jobs;
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'accounting_not_configured') throw new GatewayError('job_not_found', `No job ${jobId}`);
    throw error;
  }
  const job = isArrayId(jobId, accounted) ? wholeArray(Number(jobId), [], accounted) : pickJob(accounted, jobId);
  if (!job) throw new GatewayError('job_not_found', `No job ${jobId}`);
  return job;
}

/** Every record squeue lists for the id (an array's id: its tasks too), or undefined when Slurm does not know it. */
function* controllerRecords(jobId: string): Plan<Job[] | undefined> {
  const result = yield squeue(['--states', 'all', '--jobs', jobId]);
  if (UNKNOWN_JOB.test(result.stderr)) return undefined;
  return parseJobs(check(result, `Reading job ${jobId} failed`).stdout);
}

/** The job, or undefined when Slurm does not know it; any other failure throws. */
function* findJob(jobId: string): Plan<Job | undefined> {
  const records = yield* controllerRecords(jobId);
  return records && pickJob(records, jobId);
}

/** findJob, or undefined when the lookup itself fails (the action that follows says why). */
function* findJobQuietly(jobId: string): Plan<Job | undefined> {
  try {
    return yield* findJob(jobId);
  } catch {
    return undefined;
  }
}

export function sbatchArgs(s: JobSubmission): string[] {
  const args = ['--parsable', '--export=NIL', ...present([
    ['job-name', s.name], ['partition', s.partition], ['time', s.time_limit], ['nodes', s.nodes],
    ['ntasks', s.ntasks], ['cpus-per-task', s.cpus_per_task],
    ['mem', s.memory_per_node === undefined ? undefined : `${s.memory_per_node}M`],
    ['chdir', s.working_directory], ['output', s.stdout], ['error', s.stderr], ['account', s.account],
    ['qos', s.qos], ['comment', s.comment], ['array', s.array], ['dependency', s.dependency],
    ['gpus', s.gpus], ['gres', s.gres], ['constraint', s.constraint],
    ['mem-per-cpu', s.memory_per_cpu === undefined ? undefined : `${s.memory_per_cpu}M`],
    ['begin', s.begin_time === undefined ? undefined : sbatchTime(s.begin_time, s, 'begin_time')],
    ['deadline', s.deadline === undefined ? undefined : sbatchTime(s.deadline, s, 'deadline')],
    ['reservation', s.reservation], ['mail-type', s.mail_type?.join(',')], ['mail-user', s.mail_user],
    ['ntasks-per-node', s.tasks_per_node], ['licenses', s.licenses],
  ]).map(([flag, value]) => `--${flag}=${value}`)];
  if (s.hold) args.push('--hold');
  if (s.exclusive) args.push('--exclusive');
  if (s.requeue !== undefined) args.push(s.requeue ? '--requeue' : '--no-requeue');
  return args;
}

/** A time as sbatch will read it (src/slurm/submit-options.ts, slurmTime: the job's TZ under --auth=jwt). */
function sbatchTime(epoch: number, s: JobSubmission, field: string): string {
  const zone = s.environment?.TZ;
  const text = slurmTime(epoch, zone?.replace(/^:/, '') || 'UTC');
  if (text === undefined) {
    throw new GatewayError('invalid_request', `Invalid body: ${field}: cannot be written in the job's time zone environment.TZ=${JSON.stringify(zone)} (not a zone name such as Europe/Paris)`, {
      details: { issues: [{ field, message: 'environment.TZ is not a time zone name' }] },
    });
  }
  return text;
}

/** The pairs whose value was given. */
function present(pairs: Array<[string, string | number | undefined]>): Array<[string, string | number]> {
  return pairs.filter((pair): pair is [string, string | number] => pair[1] !== undefined);
}

/**
 * sbatch, after looking for an earlier job with the same Idempotency-Key among the caller's own
 * (squeue --user, every state: what the controller still holds, MinJobAge after the job ended).
 */
function* submit(s: JobSubmission, tag: IdempotencyTag | undefined, caller: string | undefined): Plan<ResultOf<CommandOf<'jobs.submit'>>> {
  if (tag) {
    const owner = caller === undefined ? ['--me'] : ['--user', caller];
    const found = yield { tool: 'squeue', args: ['--noheader', '--states', 'all', ...owner, keyedFormat] };
    const replay = replayOf(parseKeyedJobs(check(found, 'Looking up the Idempotency-Key failed').stdout), tag);
    if (replay) return replay;
  }
  const submission = tag ? { ...s, comment: taggedComment(tag, s.comment) } : s;
  const result = yield { tool: 'sbatch', args: sbatchArgs(submission), input: s.script, jobEnvironment: { ...DEFAULT_JOB_ENV, ...s.environment } };
  return { job_id: submitOutcome(result) };
}



/**
 * `sbatch --test-only`: "sbatch: Job N to start at <epoch> using C processors on nodes X in
 * partition P" (stderr, exit 0), or "allocation failure: <reason>" (exit 1). The job id is only
 * drawn, nothing is created; the job's environment plays no part, so sbatch runs with the tools' own
 * (SLURM_TIME_FORMAT=%s: the time is an epoch).
 */
function* validateJob(s: JobSubmission): Plan<JobValidation> {
  const result = yield { tool: 'sbatch', args: [...sbatchArgs(s), '--test-only'], input: s.script };
  const m = /Job \d+ to start at (\S+) using (\d+) processors on nodes (\S+) in partition (\S+)/.exec(result.stderr);
  if (result.exitCode === 0 && m) {
    const preempts = [...result.stderr.matchAll(/[Pp]reempt\S*:?\s+([\d,\s]+)$/gm)].flatMap((p) => p[1]!.split(/[,\s]+/).filter(Boolean).map(Number));
    return { will_run: true, start_time: epochToIso(m[1]!), nodes: m[3]!, partition: m[4]!, cpus: Number(m[2]), preempts, reason: null };
  }
  const allocation = /allocation failure: (.+)$/m.exec(result.stderr);
  const error = allocation
    ? new GatewayError('scheduler_rejected', `Job validation failed: ${allocation[1]!.trim()}`, { details: { slurm_error: allocation[1]!.trim() } })
    : classify(result, 'Job validation failed');
  const refused = refusedValidation(error);
  if (refused) return refused;
  throw error;
}

function* cancel(jobId: string, signal?: string): Plan<null> {
  // Without --verbose, scancel says nothing about an unknown job id and exits 0; with it, the
  // failure is an "error:" line (still exit 0), success a "Terminating job" line.
  const args = signal ? ['--verbose', `--signal=${signal}`, '--full', jobId] : ['--verbose', jobId];
  const result = yield { tool: 'scancel', args };
  if (hasError(result)) throw yield* explain(result, jobId, signal ? `Signalling job ${jobId} failed` : `Cancelling job ${jobId} failed`);
  return null;
}

function* control(jobId: string, action: JobAction): Plan<null> {
  const what = `Cannot ${action} job ${jobId}`;
  // A token caller cannot read slurmctld's reply to suspend/resume: the job's state before and
  // after says what happened (src/slurm/suspend-reply.ts).
  const suspending = action === 'suspend' || action === 'resume';
  const before = suspending ? yield* findJobQuietly(jobId) : undefined;
  const result = yield { tool: 'scontrol', args: [action, jobId] };
  if (result.exitCode === 0 && result.stderr.trim() === '') return null;
  if (suspending && isUnreadableReply(result.stderr + result.stdout)) {
    const outcome = outcomeOfUnreadableReply(action, jobId, before, yield* findJob(jobId));
    if (outcome) throw outcome;
    return null;
  }
  throw yield* explain(result, jobId, what);
}

function* update(jobId: string, u: import('../../commands.js').JobUpdate): Plan<null> {
  const comment = u.comment === undefined ? undefined : yield* keepKey(jobId, u.comment);
  const args = ['update', `JobId=${jobId}`, ...present([
    ['JobName', u.name], ['TimeLimit', u.time_limit === null ? 'UNLIMITED' : u.time_limit], ['Partition', u.partition], ['Comment', comment],
    ['Account', u.account], ['QOS', u.qos], ['Dependency', u.dependency], ['Nice', u.nice],
  ]).map(([key, value]) => `${key}=${value}`)];
  yield* expectQuiet(jobId, { tool: 'scontrol', args }, `Updating job ${jobId} failed`);
  return null;
}

/** The caller's part of each of the caller's jobs' comments, by submitted id (an array's tasks under its id). */
const keyedFormat = `--Format=${longFormat(['ArrayJobID', 'Comment'])}`;

/**
 * A new comment for a job submitted with an Idempotency-Key keeps the key's token in front, so a
 * retry of the submission still finds the job. A failed lookup leaves the update to fail on its own.
 */
function* keepKey(jobId: string, comment: string): Plan<string> {
  const result = yield { tool: 'squeue', args: ['--noheader', '--states', 'all', '--jobs', jobId, keyedFormat] };
  if (hasError(result)) return comment;
  let jobs: KeyedJob[];
  try {
    jobs = parseKeyedJobs(result.stdout);
  } catch {
    return comment;
  }
  const tag = jobs.map((j) => tagOf(j.comment)).find((t) => t !== undefined);
  return tag ? taggedComment(tag, comment) : comment;
}

/** scontrol prints nothing on success; anything on stderr is a failure, whatever the exit code. */
function* expectQuiet(jobId: string, invocation: Invocation, what: string): Plan<void> {
  const result = yield invocation;
  if (result.exitCode !== 0 || result.stderr.trim() !== '') throw yield* explain(result, jobId, what);
}

/**
 * Classifies a failed job action. Some failures do not say that the job is unknown (scontrol
 * suspend answers "Unexpected message received"), so an unexplained one checks that it exists.
 */
function* explain(result: RunResult, jobId: string, what: string): Plan<GatewayError> {
  const error = classify(result, what);
  if (error.code !== 'scheduler_rejected' && error.code !== 'job_not_found') return error;
  if (error.code === 'scheduler_rejected') {
    let exists: boolean;
    try {
      exists = (yield* findJob(jobId)) !== undefined;
    } catch {
      return error; // the lookup failed too: report the action's own failure
    }
    if (exists) return error;
  }
  return yield* unknownJob(jobId, error.code === 'job_not_found' ? error : new GatewayError('job_not_found', `No job ${jobId}`));
}

/**
 * An action on a job the controller does not know: 409 when accounting knows it (it has ended
 * and was purged), else 404, also when accounting cannot say.
 */
function* unknownJob(jobId: string, notFound: GatewayError): Plan<GatewayError> {
  const accounted = yield* accountedQuietly(jobId);
  const job = accounted && (isArrayId(jobId, accounted.jobs) ? wholeArray(Number(jobId), [], accounted.jobs) : pickJob(accounted.jobs, jobId));
  return job ? jobHasEnded(jobId, job.state) : notFound;
}
