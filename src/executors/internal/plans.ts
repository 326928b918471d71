/**
 * Meaning: what each command is in libslurm calls, mirroring what the external executor's tools
 * do with the same calls (squeue, sinfo, scontrol, scancel, sbatch, sdiag of Slurm 22.05). Plans
 * (plan.ts) do no I/O themselves; reading jobs is in job-reads.ts, the validated list in
 * list-since.ts, accounting (jobs.get after the queue, steps, history) in accounting-plans.ts.
 */
import { constants as os } from 'node:os';
import { assertNever, type CommandOf, type JobAction, type JobSubmission, type JobUpdate, type NodeListSince, type NodeTablesTime, type ResultOf, type SchedulerCommand } from '../../commands.js';
import { replayOf, tagOf, taggedComment, type IdempotencyTag } from '../../slurm/idempotency.js';
import { outcomeUnknown } from '../../slurm/submit-outcome.js';
import { isUnreadableReply, outcomeOfUnreadableReply } from '../../slurm/suspend-reply.js';
import { GatewayError } from '../../errors.js';
import type { ClusterInfo, Job, JobValidation, License, Node, Partition, Ping, Reservation } from '../../model.js';
import { refusedValidation } from '../../slurm/will-run.js';
import { isSlurmCallError, type Constants, type OpArgs, type RawArrayResult, type RawJob, type RawNode } from './binding.js';
import { compareHostnames, toClusterInfo, toLicense, toNode, toPartition, toReservation } from './normalise.js';
import { parseJobSpec } from './squeue.js';
import { jobDescriptor } from './submit.js';
import { JOB_ID_SHAPE } from '../../slurm/job-ids.js';
import { sigName2Num } from '../../slurm/signals.js';
import { epochToIso, timeStr2Mins } from '../../slurm/values.js';
import { call, errnoOf, must, type Plan, type PlanEnv, type Step } from './plan.js';
import { findJob, listJobs, loadJobs } from './job-reads.js';
import { getUser, listAccounts, listQos } from './assoc-plans.js';
import { accountingPing, endedInstead, getJob, jobHistory, jobSteps } from './accounting-plans.js';
import { listJobsSince } from './list-since.js';
import { nodeNamed } from '../../slurm/resources.js';

/** Kept here for callers of this module (test/internal/errors.test.ts): the rule is src/slurm/signals.ts. */
export { sigName2Num };



export function planFor<C extends SchedulerCommand>(command: C, env: PlanEnv): Plan<ResultOf<C>> {
  return plan(command, env) as Plan<ResultOf<C>>;
}

function plan(command: SchedulerCommand, env: PlanEnv): Plan<unknown> {
  switch (command.kind) {
    case 'ping': return ping(env);
    case 'cluster.info': return clusterInfo(env);
    case 'jobs.list': return listJobs(command.filter, env);
    case 'jobs.list.since': return listJobsSince(command.filter, command.since, env);
    case 'jobs.get': return getJob(command.jobId, env);
    case 'jobs.submit': return submit(command.submission, command.idempotency, env);
    case 'jobs.validate': return validateJob(command.submission, env);
    case 'jobs.steps': return jobSteps(command.jobId, env);
    case 'jobs.history': return jobHistory(command.query, env);
    case 'accounting.ping': return accountingPing();
    case 'accounts.list': return listAccounts();
    case 'users.get': return getUser(command.name, env);
    case 'qos.list': return listQos(env);
    // On a job only accounting still knows: 409, it has ended (accounting-plans.ts).
    case 'jobs.cancel': return endedInstead(command.jobId, env, cancel(command.jobId, command.signal, env));
    case 'jobs.control': return endedInstead(command.jobId, env, control(command.jobId, command.action, env));
    case 'jobs.update': return endedInstead(command.jobId, env, update(command.jobId, command.update, env));
    case 'nodes.list': return listNodes(env);
    case 'nodes.list.since': return listNodesSince(command.since, env);
    case 'nodes.get': return getNode(command.name, env);
    case 'partitions.list': return listPartitions(env);
    case 'partitions.get': return getPartition(command.name, env);
    case 'reservations.list': return listReservations(env);
    case 'reservations.get': return getReservation(command.name, env);
    case 'licenses.list': return listLicenses(env);
    default: return assertNever(command);
  }
}


/** sbatch's MAX_RETRIES (src/sbatch/sbatch.c, 22.05): it sleeps 1 s, 2 s, … between attempts. */
export const MAX_SUBMIT_RETRIES = 15;
/** Refusals sbatch retries ("sleeping and retrying"): slurmctld created nothing. */
const RETRIED = ['ESLURM_ERROR_ON_DESC_TO_RECORD_COPY', 'ESLURM_NODES_BUSY'];
/** The request went out and the reply was lost or unreadable: slurmctld may have created the job. */
const REPLY_LOST = [
  'SLURM_COMMUNICATIONS_RECEIVE_ERROR', 'SLURMCTLD_COMMUNICATIONS_RECEIVE_ERROR', 'SLURM_COMMUNICATIONS_SHUTDOWN_ERROR',
  'SLURMCTLD_COMMUNICATIONS_SHUTDOWN_ERROR', 'SLURM_PROTOCOL_INSANE_MSG_LENGTH', 'SLURM_PROTOCOL_SOCKET_IMPL_ZERO_RECV_LENGTH',
  'SLURM_PROTOCOL_SOCKET_IMPL_NEGATIVE_RECV_LENGTH', 'SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT', 'SLURM_PROTOCOL_SOCKET_ZERO_BYTES_SENT',
  'SLURM_UNEXPECTED_MSG_ERROR', 'ESLURM_PROTOCOL_INCOMPLETE_PACKET',
];

/** A connection that broke mid-exchange: the job may have been sent (a refused connect sent nothing). */
const BROKEN_CONNECTION: readonly number[] = [os.errno.ECONNRESET, os.errno.ENOTCONN];

/**
 * sbatch's submission: an earlier job with the same Idempotency-Key among the caller's own
 * (slurm_load_job_user: what the controller still holds) is answered instead; then
 * slurm_submit_batch_job, retried as sbatch retries it, within the deadline.
 */
function* submit(s: JobSubmission, tag: IdempotencyTag | undefined, env: PlanEnv): Plan<ResultOf<CommandOf<'jobs.submit'>>> {
  const c = env.binding.constants;
  if (tag) {
    const records = yield* must(env, 'jobs', { show_flags: c.SHOW_ALL, user_id: env.submit.uid }, 'Looking up the Idempotency-Key failed');
    const replay = replayOf(records.map((r) => ({ submitted_id: r.array_job_id || r.job_id, comment: r.comment })), tag);
    if (replay) return replay;
  }
  const desc = jobDescriptor(tag ? { ...s, comment: taggedComment(tag, s.comment) } : s, env.submit, c);
  for (let retries = 0; ; ) {
    try {
      return { job_id: (yield* call('submit', desc)).job_id };
    } catch (error) {
      if (!isSlurmCallError(error)) throw error;
      if (REPLY_LOST.some((name) => errnoOf(error, env, name)) || BROKEN_CONNECTION.includes(error.slurmErrno)) {
        throw outcomeUnknown(`slurm_submit_batch_job failed after sending the job: ${error.slurmError}`, { api: error.api, errno: error.slurmErrno });
      }
      const refused = env.errors.toGatewayError(error, 'Job submission failed');
      const retried = error.slurmErrno === os.errno.EAGAIN || RETRIED.some((name) => errnoOf(error, env, name));
      if (!retried || retries >= MAX_SUBMIT_RETRIES) throw refused;
      yield { kind: 'sleep', ms: ++retries * 1000, instead: refused };
    }
  }
}

/** slurm_job_will_run2() with the descriptor a submission would send (sbatch --test-only); creates nothing. */
function* validateJob(s: JobSubmission, env: PlanEnv): Plan<JobValidation> {
  const c = env.binding.constants;
  try {
    const answer = yield* call('will_run', jobDescriptor(s, env.submit, c));
    return {
      will_run: true,
      start_time: epochToIso(answer.start_time),
      nodes: answer.node_list,
      partition: answer.part_name,
      cpus: answer.proc_cnt,
      preempts: answer.preemptee_job_ids,
      reason: null,
    };
  } catch (error) {
    const gatewayError = isSlurmCallError(error) ? env.errors.toGatewayError(error, 'Job validation failed') : error;
    const refused = refusedValidation(gatewayError);
    if (refused) return refused;
    throw gatewayError;
  }
}

/** scancel's and scontrol's job id forms that we pass on: "123" or "123_4". */
const JOB_ID = JOB_ID_SHAPE;

/**
 * A failed job action, classified; like the external executor, an unexplained failure
 * (scheduler_rejected) checks that the job exists, and is job_not_found when it does not.
 */
function* explain(error: GatewayError, jobId: string, env: PlanEnv): Plan<GatewayError> {
  if (error.code !== 'scheduler_rejected') return error;
  let exists = false;
  try {
    exists = (yield* findJob(jobId, env, 'Looking up the job failed')) !== undefined;
  } catch { /* as the external lookup: an unreadable answer counts as "not there" */ }
  return exists ? error : new GatewayError('job_not_found', `No job ${jobId}`);
}

function* cancel(jobId: string, signal: string | undefined, env: PlanEnv): Plan<null> {
  const c = env.binding.constants;
  const what = signal ? `Signalling job ${jobId} failed` : `Cancelling job ${jobId} failed`;
  if (!JOB_ID.test(jobId)) throw new GatewayError('job_not_found', `${what}: Invalid job id ${jobId}`, { details: { slurm_error: `Invalid job id ${jobId}` } });
  let number = os.signals.SIGKILL;
  if (signal !== undefined) {
    const parsed = sigName2Num(signal);
    if (!parsed) {
      throw yield* explain(new GatewayError('scheduler_rejected', `${what}: Unknown job signal: ${signal}`, { details: { slurm_error: `Unknown job signal: ${signal}` } }), jobId, env);
    }
    number = parsed;
  }
  // scancel --signal takes another road than a plain scancel: it loads the jobs, refuses ids
  // with no unfinished record ("Invalid job id specified"), then signals each record it matched,
  // pending ones first, by the record's own id ("123", "123_4", "123_[1-3]").
  let targets = [jobId];
  if (signal !== undefined) {
    const spec = parseJobSpec(jobId, c.NO_VAL)!;
    const records = yield* must(env, 'jobs', { show_flags: c.SHOW_ALL }, what);
    const matched = records.filter((r) => (r.job_state & c.JOB_STATE_BASE) <= c.JOB_SUSPENDED && r.job_id !== 0 && (spec.taskId === c.NO_VAL
      ? spec.jobId === r.job_id || spec.jobId === r.array_job_id
      : spec.jobId === r.array_job_id && (r.array_task_id === spec.taskId || (r.array_tasks !== null && spec.taskId < r.array_tasks.size && r.array_tasks.set.includes(spec.taskId)))));
    if (matched.length === 0) {
      throw new GatewayError('job_not_found', `${what}: Invalid job id specified`, { details: { slurm_error: 'Invalid job id specified' } });
    }
    const pendingFirst = [...matched.filter((r) => r.job_state === c.JOB_PENDING), ...matched.filter((r) => r.job_state !== c.JOB_PENDING)];
    targets = pendingFirst.map((r) => (r.array_task_str !== null ? `${r.array_job_id}_[${r.array_task_str}]` : r.array_task_id !== c.NO_VAL ? `${r.array_job_id}_${r.array_task_id}` : String(r.job_id)));
  }
  for (const target of targets) yield* kill(target, number, signal ? c.KILL_FULL_JOB : 0, jobId, what, env);
  return null;
}

/** One slurm_kill_job2(); scancel retries a job "in transitional state" (5 s, 6 s, …) up to 10 times. */
function* kill(target: string, signal: number, flags: number, jobId: string, what: string, env: PlanEnv): Plan<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      yield* call('kill', { job_id: target, signal, flags });
      return;
    } catch (error) {
      if (errnoOf(error, env, 'ESLURM_TRANSITION_STATE_NO_UPDATE') && attempt < 10) {
        yield { kind: 'sleep', ms: (5 + attempt) * 1000 };
        continue;
      }
      if (!isSlurmCallError(error)) throw error;
      throw yield* explain(env.errors.toGatewayError(error, what), jobId, env);
    }
  }
}

/** The per-job-id answers of an array-aware action: the first failure, if any. */
function* checkArray(results: RawArrayResult[], jobId: string, what: string, env: PlanEnv): Plan<void> {
  const failed = results.find((r) => r.error !== 0);
  if (failed) throw yield* explain(env.errors.fromErrno(failed.error, failed.message, what, { job_id: failed.job_id }), jobId, env);
}

function* jobAction(jobId: string, what: string, env: PlanEnv, action: () => Generator<Step, RawArrayResult[], unknown>): Plan<null> {
  if (!JOB_ID.test(jobId)) {
    throw new GatewayError('job_not_found', `${what}: Invalid job id specified for job ${jobId}`, { details: { slurm_error: 'Invalid job id specified' } });
  }
  let results: RawArrayResult[];
  try {
    results = yield* action();
  } catch (error) {
    if (!isSlurmCallError(error)) throw error;
    throw yield* explain(env.errors.toGatewayError(error, what), jobId, env);
  }
  yield* checkArray(results, jobId, what, env);
  return null;
}

function* control(jobId: string, action: JobAction, env: PlanEnv): Plan<null> {
  const c = env.binding.constants;
  const what = `Cannot ${action} job ${jobId}`;
  switch (action) {
    // scontrol hold/release: an update of the priority (0 holds, INFINITE releases).
    case 'hold': return yield* jobAction(jobId, what, env, () => call('update', { job_id_str: jobId, priority: 0, alloc_sid: 0 }));
    case 'release': return yield* jobAction(jobId, what, env, () => call('update', { job_id_str: jobId, priority: c.INFINITE }));
    case 'requeue': return yield* jobAction(jobId, what, env, () => call('requeue', { job_id: jobId, flags: 0 }));
    case 'suspend': return yield* suspendOrResume('suspend', jobId, what, env);
    case 'resume': return yield* suspendOrResume('resume', jobId, what, env);
    default: return assertNever(action);
  }
}

/** slurm_suspend()/slurm_resume(); a token caller cannot read the reply: the job's state says what happened. */
function* suspendOrResume(action: 'suspend' | 'resume', jobId: string, what: string, env: PlanEnv): Plan<null> {
  const lookup = `Reading job ${jobId} failed`;
  let before: Job | undefined;
  if (JOB_ID.test(jobId)) {
    try { before = yield* findJob(jobId, env, lookup); } catch { /* the action says why */ }
  }
  try {
    return yield* jobAction(jobId, what, env, () => call(action, { job_id: jobId }));
  } catch (error) {
    if (!(error instanceof GatewayError) || !isUnreadableReply(String(error.details?.slurm_error ?? ''))) throw error;
    const outcome = outcomeOfUnreadableReply(action, jobId, before, yield* findJob(jobId, env, lookup));
    if (outcome) throw outcome;
    return null;
  }
}

/**
 * A new comment for a job submitted with an Idempotency-Key keeps the key's token in front, so a
 * retry of the submission still finds the job. A failed lookup leaves the update to fail on its own.
 */
function* keepKey(jobId: string, comment: string, env: PlanEnv): Plan<string> {
  let records: RawJob[];
  try {
    records = yield* loadJobs({ job_id: [jobId] }, env, 'Reading the job failed');
  } catch {
    return comment;
  }
  const tag = records.map((r) => tagOf(r.comment)).find((t) => t !== undefined);
  return tag ? taggedComment(tag, comment) : comment;
}

function* update(jobId: string, u: JobUpdate, env: PlanEnv): Plan<null> {
  const c = env.binding.constants;
  const what = `Updating job ${jobId} failed`;
  const rejected = (sentence: string) => new GatewayError('scheduler_rejected', `${what}: ${sentence}`, { details: { slurm_error: sentence } });
  const desc: OpArgs<'update'> = { job_id_str: jobId };
  if (u.name !== undefined) desc.name = u.name;
  if (u.time_limit === null) desc.time_limit = c.INFINITE; // scontrol's TimeLimit=UNLIMITED
  else if (u.time_limit !== undefined) {
    const minutes = timeStr2Mins(String(u.time_limit));
    if (minutes === undefined) throw yield* explain(rejected('Invalid TimeLimit value'), jobId, env);
    desc.time_limit = minutes < 0 ? c.INFINITE : minutes;
  }
  if (u.partition !== undefined) desc.partition = u.partition;
  if (u.comment !== undefined) desc.comment = yield* keepKey(jobId, u.comment, env);
  if (u.account !== undefined) desc.account = u.account;
  if (u.qos !== undefined) desc.qos = u.qos;
  if (u.dependency !== undefined) desc.dependency = u.dependency;
  if (u.nice !== undefined) {
    if (!Number.isInteger(u.nice) || Math.abs(u.nice) > c.NICE_OFFSET - 3) {
      throw yield* explain(rejected(`Nice value out of range (+/- ${c.NICE_OFFSET - 3}). Value ignored`), jobId, env);
    }
    desc.nice = c.NICE_OFFSET + u.nice;
  }
  if (Object.keys(desc).length === 1) throw yield* explain(rejected('No changes specified'), jobId, env);
  return yield* jobAction(jobId, what, env, () => call('update', desc));
}

// ---------------------------------------------------------------------------------------------
// nodes, partitions, controller

/**
 * sinfo --Node: nodes in at least one visible partition, in hostlist order; SHOW_DETAIL as
 * `scontrol -d show node` asks, so that the GRES in use come too.
 */
function* listNodes(env: PlanEnv, what = 'Listing nodes failed'): Plan<Node[]> {
  const c = env.binding.constants;
  return nodeRows(yield* must(env, 'nodes', { show_flags: c.SHOW_DETAIL }, what), c);
}

function nodeRows(raw: RawNode[], c: Constants): Node[] {
  const rows = raw.filter((n) => n.partitions.length > 0);
  const sorted = [...rows].sort((a, b) => compareHostnames(a.name, b.name));
  return sorted.map((n) => toNode(n, c));
}

/**
 * The node list, or "unchanged" when slurmctld has changed neither the partition nor the node
 * table since the times given (slurm_load_partitions / slurm_load_node with update_time, as
 * sinfo --iterate asks): two small RPCs, no records sent, nothing converted.
 */
function* listNodesSince(since: NodeTablesTime, env: PlanEnv): Plan<NodeListSince> {
  const c = env.binding.constants;
  const answer = yield* must(env, 'nodes_since', { show_flags: c.SHOW_DETAIL, partition_update_time: since.partitions, node_update_time: since.nodes }, 'Listing nodes failed');
  return {
    last_update: { partitions: answer.partition_update_time, nodes: answer.node_update_time },
    nodes: answer.nodes === null ? null : nodeRows(answer.nodes, c),
  };
}

function* getNode(name: string, env: PlanEnv): Plan<Node> {
  return nodeNamed(yield* listNodes(env, `Reading node ${name} failed`), name);
}

/** `scontrol show partition`: visible partitions, in the controller's order. */
function* listPartitions(env: PlanEnv, what = 'Listing partitions failed'): Plan<Partition[]> {
  const c = env.binding.constants;
  return (yield* must(env, 'partitions', { show_flags: 0 }, what)).map((p) => toPartition(p, c));
}

function* getPartition(name: string, env: PlanEnv): Plan<Partition> {
  const partition = (yield* listPartitions(env, `Reading partition ${name} failed`)).find((p) => p.name === name);
  if (!partition) throw new GatewayError('partition_not_found', `No partition ${name}`);
  return partition;
}

/** `scontrol show reservation`: every reservation, in the controller's order. */
function* listReservations(env: PlanEnv, what = 'Listing reservations failed'): Plan<Reservation[]> {
  const c = env.binding.constants;
  const raw = yield* must(env, 'reservations', {}, what);
  const now = (env.now ?? Date.now)() / 1000;
  return raw.map((r) => toReservation(r, c, now));
}

/** `scontrol show reservation <name>`: the one of that name (scontrol compares names exactly). */
function* getReservation(name: string, env: PlanEnv): Plan<Reservation> {
  const reservation = (yield* listReservations(env, `Reading reservation ${name} failed`)).find((r) => r.name === name);
  if (!reservation) throw new GatewayError('reservation_not_found', `No reservation ${name}`);
  return reservation;
}

/** `scontrol show licenses`. */
function* listLicenses(env: PlanEnv): Plan<License[]> {
  return (yield* must(env, 'licenses', {}, 'Listing licenses failed')).map(toLicense);
}

/** `scontrol --version`, `scontrol ping` (every controller), ClusterName when one answers. */
function* ping(env: PlanEnv): Plan<Ping> {
  const raw = yield* call('ping', {});
  const reachable = raw.controllers_up.some(Boolean);
  return { cluster: reachable ? raw.cluster_name : null, slurm_version: raw.library_version, controller_reachable: reachable };
}

/** `scontrol show config` + `sdiag`. */
function* clusterInfo(env: PlanEnv): Plan<ClusterInfo> {
  const config = yield* must(env, 'config', {}, 'Reading the configuration failed');
  const stats = yield* must(env, 'statistics', {}, 'Reading controller statistics failed');
  return toClusterInfo(config, stats);
}
