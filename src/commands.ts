/**
 * Scheduler commands: plain, structured-cloneable data. A command crosses into a worker thread or
 * a child process unchanged, and every executor has one exhaustive `switch (command.kind)`.
 */
import type { IdempotencyTag } from './slurm/idempotency.js';
import type { AccountInfo, AccountingPing, Qos, UserInfo, ClusterInfo, HistoryPage, HistoryPosition, Job, JobState, JobValidation, JobStep, License, Node, Partition, Ping, Reservation } from './model.js';

/** `123` or an array task `123_4`. */
export type JobId = string;

export interface JobFilter {
  user?: string[];
  state?: JobState[];
  partition?: string[];
  account?: string[];
  name?: string[];
  job_id?: JobId[];
}

/**
 * A history query: jobs that ended in [start, end] (epoch seconds, both inclusive, as slurmdbd
 * compares them), the most recently ended first, after `after` when given. The handler bounds the
 * window and the limit; `end` is frozen at the first page (it travels in the cursor), so that jobs
 * ending meanwhile never shift later pages. `filter.state` holds ended states only.
 */
export interface HistoryQuery {
  filter: JobFilter;
  start: number;
  end: number;
  limit: number;
  after?: HistoryPosition;
}

export interface JobSubmission {
  script: string;
  name?: string;
  partition?: string;
  /** Minutes. */
  time_limit?: number;
  nodes?: number;
  ntasks?: number;
  cpus_per_task?: number;
  /** MiB. */
  memory_per_node?: number;
  working_directory?: string;
  stdout?: string;
  stderr?: string;
  environment?: Record<string, string>;
  hold?: boolean;
  account?: string;
  qos?: string;
  comment?: string;
  array?: string;
  dependency?: string;
  /** GPUs for the whole job, `[type:]count` (sbatch --gpus). */
  gpus?: string;
  /** Generic resources per node, e.g. `gpu:fake:1` (sbatch --gres). */
  gres?: string;
  /** Node features required, a constraint expression (sbatch --constraint). */
  constraint?: string;
  /** MiB per allocated CPU (sbatch --mem-per-cpu); not with memory_per_node. */
  memory_per_cpu?: number;
  /** Epoch seconds: not before (sbatch --begin). */
  begin_time?: number;
  /** Epoch seconds: removed if it cannot end by then (sbatch --deadline). */
  deadline?: number;
  reservation?: string;
  /** The nodes for this job alone (sbatch --exclusive). */
  exclusive?: boolean;
  mail_type?: import('./slurm/submit-options.js').MailType[];
  mail_user?: string;
  tasks_per_node?: number;
  /** e.g. `matlab:1` (sbatch --licenses). */
  licenses?: string;
  /** May be requeued (true: --requeue, false: --no-requeue). */
  requeue?: boolean;
}

export interface JobUpdate {
  name?: string;
  /** Minutes; null: unlimited. */
  time_limit?: number | null;
  partition?: string;
  comment?: string;
  account?: string;
  qos?: string;
  /** "" removes every dependency. */
  dependency?: string;
  nice?: number;
}

export const JOB_ACTIONS = ['hold', 'release', 'requeue', 'suspend', 'resume'] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

export type SchedulerCommand =
  | { kind: 'ping' }
  | { kind: 'cluster.info' }
  | { kind: 'jobs.list'; filter: JobFilter }
  /** jobs.list, unless nothing changed since slurmctld's `since` (see src/dispatch/validated-lists.ts). */
  | { kind: 'jobs.list.since'; filter: JobFilter; since: number }
  /** nodes.list, unless neither table changed since slurmctld's `since` times (src/dispatch/validated-lists.ts). */
  | { kind: 'nodes.list.since'; since: NodeTablesTime }
  /**
   * One job: from slurmctld while it holds it, else from accounting (`source`). An array job's own
   * id answers the whole array (`tasks`); `123_4` answers that task.
   */
  | { kind: 'jobs.get'; jobId: JobId }
  /** Whether and when the submission would run; creates nothing (sbatch --test-only). */
  | { kind: 'jobs.validate'; submission: JobSubmission }
  /** A job's steps: from slurmctld while the job runs, from accounting after. */
  | { kind: 'jobs.steps'; jobId: JobId }
  /** Ended jobs from accounting, one page (src/slurm/history.ts walks the window and cuts the page). */
  | { kind: 'jobs.history'; query: HistoryQuery }
  /** Whether slurmdbd answers (health). */
  | { kind: 'accounting.ping' }
  /** Accounts, one user with her associations and limits, the QOS: slurmdbd's, read only (src/slurm/associations.ts). */
  | { kind: 'accounts.list' }
  | { kind: 'users.get'; name: string }
  | { kind: 'qos.list' }
  /**
   * Submit a batch job. With `idempotency` (hashes of the caller's Idempotency-Key and of the
   * body, src/handlers/idempotency.ts), the caller's jobs are searched for that key first and an
   * earlier job is answered instead of a new one (src/slurm/idempotency.ts).
   */
  | { kind: 'jobs.submit'; submission: JobSubmission; idempotency?: IdempotencyTag }
  /** Cancel the job, or send `signal` (a name such as USR1) without cancelling it. */
  | { kind: 'jobs.cancel'; jobId: JobId; signal?: string }
  | { kind: 'jobs.control'; jobId: JobId; action: JobAction }
  | { kind: 'jobs.update'; jobId: JobId; update: JobUpdate }
  | { kind: 'nodes.list' }
  | { kind: 'nodes.get'; name: string }
  | { kind: 'partitions.list' }
  | { kind: 'partitions.get'; name: string }
  | { kind: 'reservations.list' }
  | { kind: 'reservations.get'; name: string }
  | { kind: 'licenses.list' };

export type CommandKind = SchedulerCommand['kind'];

/**
 * A conditional job list. `jobs` is null when slurmctld says nothing changed since `since` (then
 * `last_update` is `since`); `last_update` 0 means the answer cannot be validated later (it did not
 * come from slurm_load_jobs); `valid_until` (epoch seconds) is when a field derived from the
 * current time would read differently (an unlimited job's end_time), null when none would.
 */
export interface JobListSince {
  last_update: number;
  valid_until: number | null;
  jobs: Job[] | null;
}

/** slurmctld's last_update of the two tables a node list is built from (its clock, seconds; 0: none). */
export interface NodeTablesTime {
  partitions: number;
  nodes: number;
}

/** nodes.list.since: `nodes` null when neither table changed since the times asked with (then `last_update` is them). */
export interface NodeListSince {
  last_update: NodeTablesTime;
  nodes: Node[] | null;
}

/** What each command answers; `void` commands answer `null` so results stay cloneable. */
export interface CommandResults {
  ping: Ping;
  'cluster.info': ClusterInfo;
  'jobs.list': Job[];
  'jobs.list.since': JobListSince;
  'jobs.get': Job;
  'jobs.validate': JobValidation;
  'jobs.steps': JobStep[];
  'jobs.history': HistoryPage;
  'accounting.ping': AccountingPing;
  'accounts.list': AccountInfo[];
  'users.get': UserInfo;
  'qos.list': Qos[];
  /** `replayed`: the job an earlier request with the same Idempotency-Key created. */
  'jobs.submit': { job_id: number; replayed?: true };
  'jobs.cancel': null;
  'jobs.control': null;
  'jobs.update': null;
  'nodes.list': Node[];
  'nodes.list.since': NodeListSince;
  'nodes.get': Node;
  'partitions.list': Partition[];
  'partitions.get': Partition;
  'reservations.list': Reservation[];
  'reservations.get': Reservation;
  'licenses.list': License[];
}

export type CommandOf<K extends CommandKind> = Extract<SchedulerCommand, { kind: K }>;
export type ResultOf<C extends SchedulerCommand> = CommandResults[C['kind']];

/** Exhaustiveness check at the end of every `switch (command.kind)`. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled command: ${JSON.stringify(value)}`);
}
