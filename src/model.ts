/**
 * The gateway's own normalised model. Executors translate Slurm's output into these shapes;
 * nothing here may change when Slurm's output format does (LANDSCAPE.md, request 6).
 * Times are ISO 8601 UTC strings or null; durations are minutes or null (unlimited / not set).
 */

/** Slurm's base job states, by their own names. */
export const JOB_STATES = [
  'PENDING', 'RUNNING', 'SUSPENDED', 'COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT',
  'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'OUT_OF_MEMORY',
  'COMPLETING', 'CONFIGURING', 'RESIZING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED',
  'RESV_DEL_HOLD', 'REVOKED', 'SIGNALING', 'SPECIAL_EXIT', 'STAGE_OUT', 'STOPPED',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States in which a job waits to start (again): its `start_time`, if any, is only a forecast. */
export const WAITING_STATES: ReadonlySet<string> = new Set<JobState>(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD', 'SPECIAL_EXIT']);

export interface Job {
  /** Slurm's job id: unique for every array task that has started or been split off. */
  job_id: number;
  /** For array jobs, the id the array was submitted as. */
  array_job_id: number | null;
  /** This record's task; null for a record that still stands for several pending tasks. */
  array_task_id: number | null;
  /** The pending tasks a not-yet-split array record stands for, e.g. "3-10%2"; else null. */
  array_tasks: string | null;
  name: string;
  user: string;
  account: string | null;
  partition: string | null;
  qos: string | null;
  state: string;
  reason: string | null;
  priority: number | null;
  submit_time: string | null;
  start_time: string | null;
  end_time: string | null;
  time_limit: number | null;
  nodes: string | null;
  node_count: number | null;
  cpus: number | null;
  exit_code: number | null;
  working_directory: string | null;
  stdout_path: string | null;
  stderr_path: string | null;
  /**
   * What the job asked for beyond the basics (#12), from the controller (null from accounting):
   * Slurm's own texts for the dependency (`afterok:12(unfulfilled)`; null once satisfied), the
   * constraint (`fast&ssd`), generic resources per node and per job (`gres:gpu:fake:1`,
   * `gres:gpu:1`), licenses (`matlab:1`) and reservation.
   */
  dependency: string | null;
  features: string | null;
  tres_per_node: string | null;
  tres_per_job: string | null;
  licenses: string | null;
  reservation: string | null;
  /** When it may start at the earliest (its begin time while that is ahead). */
  eligible_time: string | null;
  /** When it is removed if it could not end by then. */
  deadline: string | null;
  requeue: boolean | null;
  /** Whether it has its nodes to itself (--exclusive: Slurm's OverSubscribe=NO). */
  exclusive: boolean | null;
  tasks_per_node: number | null;
  /**
   * Who answered: slurmctld while it holds the job, slurmdbd's accounting after it was purged
   * (MinJobAge after the end) or for history. The fields below come from accounting only and are
   * null while the controller answers.
   */
  source: JobSource;
  /** The cluster (ClusterName) the job ran on. */
  cluster: string | null;
  /** Seconds the job ran (suspended time excluded); null while the controller answers. */
  elapsed: number | null;
  /** The highest exit status of the job's steps (sacct's DerivedExitCode), as `exit_code` reads. */
  derived_exit_code: number | null;
  /** The signal that ended the job, or null when it exited by itself (then 0 is not used). */
  signal: number | null;
  tres_requested: Tres | null;
  tres_allocated: Tres | null;
  /** Largest resident set of the batch step, bytes; null when not sampled (short jobs) or not known. */
  max_rss: number | null;
  /** CPU time the job used (user + system, all steps), seconds. */
  total_cpu: number | null;
  /**
   * Only on GET /v1/jobs/{array job id}: every record of the array, from the controller and from
   * accounting (the pending remainder, running tasks, finished tasks), ordered by task id with the
   * remainder last. The object itself then describes the array: `state` is the array's overall
   * state (see src/slurm/arrays.ts), the other fields are those of the record Slurm keeps under the
   * array's own id.
   */
  tasks?: Job[];
  /**
   * Only on GET /v1/jobs/{array job id}, with `tasks`: every task of the array, started, ended or
   * pending, in Slurm's compact form ("0-9"); it stays the same while `array_tasks` (the pending
   * remainder, with its `%` limit) shrinks. Tasks purged from both the controller and accounting
   * are not in it.
   */
  array_task_string?: string;
}

export const JOB_SOURCES = ['controller', 'accounting'] as const;
export type JobSource = (typeof JOB_SOURCES)[number];

/** Trackable resources (Slurm's TRES) a job asked for or was given. */
export interface Tres {
  cpus: number | null;
  memory_mib: number | null;
  nodes: number | null;
  gpus: number | null;
  billing: number | null;
}

/** One step of a job: the batch script, the extern step, or an srun step. */
export interface JobStep {
  /** The job's own id (an array task's own id). */
  job_id: number;
  /** "batch", "extern", "interactive", or the step number ("0", "1", …). */
  step_id: string;
  name: string;
  state: string;
  exit_code: number | null;
  signal: number | null;
  start_time: string | null;
  end_time: string | null;
  /** Seconds; null while the controller answers. */
  elapsed: number | null;
  nodes: string | null;
  node_count: number | null;
  tasks: number | null;
  /** Bytes; null when not sampled or while the controller answers. */
  max_rss: number | null;
  /** Seconds; null while the controller answers. */
  total_cpu: number | null;
  source: JobSource;
}

/** One page of ended jobs from accounting, the most recently ended first. */
export interface HistoryPage {
  jobs: Job[];
  /** Where the next page starts (after the last job of this one), or null when this is the last. */
  next: HistoryPosition | null;
}

/** A position in the history order: (end time, job id), both descending. */
export interface HistoryPosition {
  /** Epoch seconds. */
  end: number;
  job_id: number;
  /**
   * How many seconds of end time the next page's first slice reads, from the density of this one
   * (a hint; src/slurm/history.ts). Absent: one hour.
   */
  span?: number;
}

/**
 * Accounts, users and QOS as slurmdbd keeps them (sacctmgr show account|user|assoc|qos): what a
 * portal shows a user about what she may submit to. Limits are null when not set.
 */
export interface AccountInfo {
  name: string;
  description: string | null;
  organization: string | null;
  /** The parent account; null for root. */
  parent: string | null;
}

export const ADMIN_LEVELS = ['none', 'operator', 'administrator'] as const;
export type AdminLevel = (typeof ADMIN_LEVELS)[number];

export interface UserInfo {
  name: string;
  default_account: string | null;
  admin_level: AdminLevel;
  /** The user's associations, by cluster, account, then partition. */
  associations: Association[];
}

/** One association of a user: an account (on a cluster, optionally a partition) with its limits. */
export interface Association {
  cluster: string;
  account: string;
  /** null: any partition. */
  partition: string | null;
  /** The QOS the user may ask for under this association, by name. */
  qos: string[];
  default_qos: string | null;
  /** Minutes. */
  max_wall: number | null;
  max_tres_per_job: Tres | null;
  grp_tres: Tres | null;
  max_jobs: number | null;
  max_submit_jobs: number | null;
  grp_jobs: number | null;
}

export interface Qos {
  name: string;
  priority: number | null;
  /** Minutes. */
  max_wall: number | null;
  max_tres_per_job: Tres | null;
  max_tres_per_user: Tres | null;
  max_jobs_per_user: number | null;
  max_submit_jobs_per_user: number | null;
  grp_tres: Tres | null;
  /** Slurm's names (DenyOnLimit, NoReserve, ...), sorted. */
  flags: string[];
}

/** Whether accounting (slurmdbd) can be asked. */
export type AccountingStatus = 'up' | 'down' | 'not_configured';

export interface Node {
  name: string;
  state: string;
  state_flags: string[];
  cpus: { total: number; allocated: number; idle: number };
  memory_mib: { total: number; allocated: number | null; free: number | null };
  /** The load average slurmd last reported (Slurm's CPULoad), e.g. 0.53; null when unknown. */
  cpu_load: number | null;
  partitions: string[];
  /** The node's available features (Slurm's AvailableFeatures). */
  features: string[];
  /** The features active now (ActiveFeatures; the available ones unless a node_features plugin changes them). */
  active_features: string[];
  /** Configured generic resources as Slurm prints them, e.g. "gpu:fake:2"; null when none. */
  gres: string | null;
  /**
   * GRES in use, in the same grammar, e.g. "gpu:fake:0" or "gpu:fake:1(IDX:0)" (Slurm's GresUsed
   * with its "(IDX:N/A)" placeholder dropped: the indexes are kept only when some are in use).
   */
  gres_used: string | null;
  /** Configured TRES (CfgTRES). */
  tres: Tres | null;
  /** TRES allocated to jobs now (AllocTRES); null when nothing is allocated. */
  tres_allocated: Tres | null;
  /** NodeAddr and NodeHostName. */
  address: string | null;
  hostname: string | null;
  /** The operating system slurmd reported, e.g. "Linux 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC ..."; null before it registered. */
  os: string | null;
  boot_time: string | null;
  slurmd_start_time: string | null;
  reason: string | null;
}

export interface Partition {
  name: string;
  state: string;
  default: boolean;
  nodes: string | null;
  node_count: number;
  cpus_total: number | null;
  max_time: number | null;
  default_time: number | null;
  max_nodes: number | null;
  min_nodes: number;
  /** The partition's configured TRES (its nodes' resources together). */
  tres: Tres | null;
}

/** An advance reservation (scontrol show reservation). */
export interface Reservation {
  name: string;
  /** ACTIVE between start_time and end_time, else INACTIVE (as scontrol decides it). */
  state: 'ACTIVE' | 'INACTIVE';
  start_time: string | null;
  end_time: string | null;
  /** Slurm's hostlist of the reserved nodes; null when it reserves none (licenses only). */
  nodes: string | null;
  node_count: number;
  core_count: number;
  partition: string | null;
  /** Who may use it, Slurm's names; a leading "-" means "everyone but". */
  users: string[];
  accounts: string[];
  /** Reserved licenses by name, e.g. { "matlab": 1 }. */
  licenses: Record<string, number>;
  /** Slurm's flag names (ANY_NODES, MAINT, IGNORE_JOBS, ...), as Slurm orders them. */
  flags: string[];
  tres: Tres | null;
}

/** A license pool (scontrol show licenses). */
export interface License {
  name: string;
  total: number;
  used: number;
  free: number;
  /** Held by reservations. */
  reserved: number;
  /** A license of the accounting database (sacctmgr add resource), not of slurm.conf. */
  remote: boolean;
}

export interface ControllerStats {
  server_thread_count: number | null;
  agent_queue_size: number | null;
  jobs_submitted: number | null;
  jobs_started: number | null;
  jobs_completed: number | null;
  jobs_canceled: number | null;
  jobs_failed: number | null;
  jobs_pending: number | null;
  jobs_running: number | null;
  schedule_cycle_last_us: number | null;
  schedule_cycle_mean_us: number | null;
  /** RPC counts by message type, e.g. REQUEST_JOB_INFO. */
  rpc_by_type: Record<string, { count: number; total_time_us: number }>;
  /** RPCs by the user who sent them, in sdiag's order (the most first). */
  rpc_by_user: RpcUserStats[];
  backfill: BackfillStats;
}

export interface RpcUserStats {
  /** The user's name, as sdiag prints it ("nobody" when the uid has no account here). */
  user: string;
  user_id: number;
  count: number;
  /** total_time_us / count, rounded down (sdiag's ave_time). */
  average_time_us: number;
  total_time_us: number;
}

/** The backfill scheduler's statistics (sdiag's "Backfilling stats"); cycles since slurmctld's last statistics reset. */
export interface BackfillStats {
  /** A backfill cycle was running when these were read. */
  active: boolean;
  /** Jobs started by backfill since slurmctld started. */
  backfilled_jobs: number;
  backfilled_het_jobs: number;
  cycle_count: number;
  /** When the last cycle ran (ISO 8601 UTC); null when none has. */
  last_cycle_time: string | null;
  last_cycle_us: number;
  max_cycle_us: number;
  /** null when no cycle ran. */
  mean_cycle_us: number | null;
  /** Jobs the last cycle considered, and those it tried to schedule. */
  last_depth: number;
  last_depth_try: number;
  mean_depth: number | null;
  /** Jobs in the backfill queue at the last cycle. */
  last_queue_length: number;
  mean_queue_length: number | null;
}

export interface ClusterInfo {
  name: string;
  slurm_version: string;
  controllers: string[];
  statistics: ControllerStats;
}

export interface Ping {
  cluster: string | null;
  slurm_version: string | null;
  controller_reachable: boolean;
}

/** Accounting, checked apart from the controller: history can fail while the queue works. */
export interface AccountingPing {
  status: AccountingStatus;
  /** Why it is down or not configured, as Slurm said it. */
  reason: string | null;
}

/**
 * What POST /v1/jobs with `validate: true` answers (#12): Slurm's test-only submission
 * (`sbatch --test-only`, slurm_job_will_run2), which creates nothing. It judges resources
 * (nodes, CPUs, memory, GRES, partition, reservation, begin time); like Slurm's own test it does
 * not judge dependencies, QOS or account limits.
 */
export interface JobValidation {
  will_run: boolean;
  /** When it would start (now, or later behind other jobs or its begin time); null when Slurm's estimate is past year 9999 (behind a job without an end). */
  start_time: string | null;
  nodes: string | null;
  partition: string | null;
  cpus: number | null;
  /** Jobs it would preempt. */
  preempts: number[];
  /** Slurm's reason when it would not run, e.g. "Requested node configuration is not available". */
  reason: string | null;
}
