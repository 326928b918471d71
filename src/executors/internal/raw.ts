/**
 * What the native binding's operations take and return (native/ops_*.cc): Slurm's own structures
 * as plain data, with Slurm's sentinels (NO_VAL, INFINITE) left as numbers. Types only.
 */

/** A job record as slurm_load_jobs() returns it. */
export interface RawJob {
  job_id: number;
  array_job_id: number;
  array_task_id: number;
  array_task_str: string | null;
  /** array_bitmap of a pending array record: its size and the task ids set. */
  array_tasks: { size: number; set: number[] } | null;
  het_job_id: number;
  name: string | null;
  user_id: number;
  user_name: string;
  account: string | null;
  partition: string | null;
  qos: string | null;
  job_state: number;
  /** job_state_string(job_state) */
  state: string;
  /** job_state_string_compact(job_state) */
  state_compact: string;
  state_reason: number;
  state_reason_name: string;
  state_desc: string | null;
  priority: number;
  submit_time: number;
  start_time: number;
  end_time: number;
  time_limit: number;
  nodes: string | null;
  num_nodes: number;
  num_cpus: number;
  exit_code: number;
  work_dir: string | null;
  std_out: string | null;
  std_err: string | null;
  batch_flag: number;
  /** The job's comment; it carries the gateway's Idempotency-Key token (src/slurm/idempotency.ts). */
  comment: string | null;
}

/** A node as sinfo sees it (MIXED derived from allocated CPUs), with the partitions holding it. */
export interface RawNode {
  name: string;
  node_state: number;
  state_complete: string;
  cpus: number;
  cpus_alloc: number;
  cpus_idle: number;
  cpus_other: number;
  real_memory: number | null;
  alloc_memory: number | null;
  free_mem: number | null;
  features: string | null;
  reason: string | null;
  partitions: string[];
}

export interface RawPartition {
  name: string;
  state_up: number;
  state: string;
  default: boolean;
  hidden: boolean;
  nodes: string | null;
  total_nodes: number;
  total_cpus: number;
  max_time: number;
  default_time: number;
  max_nodes: number;
  min_nodes: number;
}

export interface RawPing {
  controllers_up: boolean[];
  cluster_name: string | null;
  library_version: string;
}

export interface RawConfig {
  cluster_name: string | null;
  version: string | null;
  controllers: Array<{ machine: string | null; addr: string | null }>;
}

export interface RawStats {
  req_time: number;
  req_time_start: number;
  server_thread_count: number;
  agent_queue_size: number;
  agent_count: number;
  agent_thread_count: number;
  dbd_agent_queue_size: number;
  jobs_submitted: number;
  jobs_started: number;
  jobs_completed: number;
  jobs_canceled: number;
  jobs_failed: number;
  jobs_pending: number;
  jobs_running: number;
  schedule_cycle_last: number;
  schedule_cycle_max: number;
  schedule_cycle_sum: number;
  schedule_cycle_counter: number;
  rpc_types: Array<{ id: number; name: string; count: number; total_time: number | null }>;
}

/** One element of a job_array_resp_msg_t: the per-job-id outcome of an array-aware action. */
export interface RawArrayResult {
  job_id: string;
  error: number;
  message: string;
}

/** A job_desc_msg_t, field for field; absent fields keep slurm_init_job_desc_msg()'s defaults. */
export interface RawJobDesc {
  job_id_str?: string;
  name?: string;
  partition?: string;
  work_dir?: string;
  std_out?: string;
  std_err?: string;
  std_in?: string;
  account?: string;
  qos?: string;
  comment?: string;
  array_inx?: string;
  dependency?: string;
  script?: string;
  environment?: string[];
  argv?: string[];
  time_limit?: number;
  min_nodes?: number;
  max_nodes?: number;
  num_tasks?: number;
  min_cpus?: number;
  cpus_per_task?: number;
  pn_min_cpus?: number;
  pn_min_memory?: number;
  priority?: number;
  user_id?: number;
  group_id?: number;
  nice?: number;
  alloc_sid?: number;
  contiguous?: number;
  mail_type?: number;
  bitflags?: number;
}

/** A step as slurmdb_jobs_get returns it (slurmdb_step_rec_t), TRES named. */
export interface RawAcctStep {
  job_id: number;
  /** A step number, or SLURM_BATCH_SCRIPT / SLURM_EXTERN_CONT / SLURM_INTERACTIVE_STEP. */
  step_id: number;
  name: string | null;
  job_state: number;
  /** job_state_string(job_state) */
  state: string;
  /** Raw wait(2) status (int32; negative or NO_VAL when unknown). */
  exitcode: number;
  elapsed: number;
  start: number;
  end: number;
  nnodes: number;
  nodes: string | null;
  ntasks: number;
  /** "cpu=1,mem=512,node=1" (mem in MiB, as slurmdb stores it). */
  tres_alloc: string;
  tot_cpu_sec: number | null;
  tot_cpu_usec: number;
  /** The `mem` entry of stats.tres_usage_in_max, bytes; null when not sampled. */
  max_rss: number | null;
}

/** A job as slurmdb_jobs_get returns it (slurmdb_job_rec_t), TRES and QOS named. */
export interface RawAcctJob {
  job_id: number;
  /** 0 when not an array. */
  array_job_id: number;
  /** NO_VAL when not an array task. */
  array_task_id: number;
  /** A pending remainder's tasks as slurmdbd stores them: a hex bit mask, "0x1C". */
  array_task_str: string | null;
  array_max_tasks: number;
  db_index: number | null;
  name: string | null;
  uid: number;
  user: string;
  account: string | null;
  partition: string | null;
  qos: string | null;
  cluster: string | null;
  job_state: number;
  state: string;
  exitcode: number;
  derived_ec: number;
  elapsed: number;
  submit: number;
  eligible: number;
  start: number;
  end: number;
  timelimit: number;
  priority: number;
  nodes: string | null;
  alloc_nodes: number;
  req_cpus: number;
  tres_alloc: string;
  tres_req: string;
  tot_cpu_sec: number | null;
  tot_cpu_usec: number | null;
  work_dir: string | null;
  /** Empty unless asked for (`steps`). */
  steps: RawAcctStep[];
}

/** A slurmdb job condition, as sacct builds it; every list optional, all of them ANDed. */
export interface RawJobCond {
  /** step_list: a job (all its records: sacct -j), or one array task. */
  jobs?: Array<{ job_id: number; task_id?: number }>;
  user_ids?: number[];
  accounts?: string[];
  partitions?: string[];
  names?: string[];
  /** job_state_num() values, as sacct --state sends them. */
  states?: number[];
  usage_start?: number;
  usage_end?: number;
  /** With the steps (else JOBCOND_FLAG_NO_STEP, sacct -X). */
  steps?: boolean;
}

/** A live step as slurm_get_job_steps() returns it. */
export interface RawJobStep {
  job_id: number;
  step_id: number;
  name: string | null;
  job_state: number;
  state: string;
  start_time: number;
  nodes: string | null;
  node_count: number;
  num_tasks: number;
}

/** An account as slurmdb_accounts_get (with associations) returns it; `parents`: its own associations'. */
export interface RawAcctAccount {
  name: string;
  description: string | null;
  organization: string | null;
  parents: Array<{ cluster: string | null; parent: string | null }>;
}

/** A user association (slurmdb_associations_get): TRES by name (memory in MiB), QOS by name, counts raw (INFINITE/NO_VAL: unset). */
export interface RawAcctAssoc {
  cluster: string | null;
  account: string | null;
  partition: string | null;
  qos: string[];
  default_qos: string | null;
  max_wall: number;
  max_tres_per_job: string;
  grp_tres: string;
  max_jobs: number;
  max_submit_jobs: number;
  grp_jobs: number;
}

export interface RawAcctUser {
  name: string;
  default_account: string | null;
  /** slurmdb_admin_level_t. */
  admin_level: number;
  associations: RawAcctAssoc[];
}

/** A QOS (slurmdb_qos_get): TRES by name, counts raw, flags as QOS_FLAG_* bits. */
export interface RawAcctQos {
  name: string;
  priority: number;
  max_wall: number;
  max_tres_per_job: string;
  max_tres_per_user: string;
  max_jobs_per_user: number;
  max_submit_jobs_per_user: number;
  grp_tres: string;
  flags: number;
}

/** The operations of native/ops.cc: name -> [arguments, result]. */
export interface Operations {
  ping: [Record<string, never>, RawPing];
  config: [Record<string, never>, RawConfig];
  statistics: [Record<string, never>, RawStats];
  jobs: [{ show_flags?: number; job_id?: number; user_id?: number }, RawJob[]];
  /** slurm_load_jobs(update_time, …): jobs null when slurmctld has no change since update_time. */
  jobs_since: [{ show_flags?: number; update_time: number }, { last_update: number; jobs: RawJob[] | null }];
  nodes: [{ show_flags?: number }, RawNode[]];
  partitions: [{ show_flags?: number }, RawPartition[]];
  submit: [RawJobDesc, { job_id: number; error_code: number; user_msg: string | null }];
  update: [RawJobDesc & { job_id_str: string }, RawArrayResult[]];
  kill: [{ job_id: string; signal: number; flags: number }, null];
  suspend: [{ job_id: string }, RawArrayResult[]];
  resume: [{ job_id: string }, RawArrayResult[]];
  requeue: [{ job_id: string; flags?: number }, RawArrayResult[]];
  /** slurm_get_job_steps(job_id): the controller's live steps. */
  job_steps: [{ job_id: number }, RawJobStep[]];
  /** slurmdb_jobs_get on a connection of this op's own (native/ops_accounting.cc). */
  acct_jobs: [RawJobCond, RawAcctJob[]];
  /** Whether slurmdbd accepts a connection and answers; never fails. */
  acct_ping: [Record<string, never>, { status: 'up' | 'down' | 'not_configured'; reason: string | null }];
  /** sacctmgr show account withassoc. */
  acct_accounts: [Record<string, never>, RawAcctAccount[]];
  /** sacctmgr show user + show assoc user=<name>; null when slurmdbd knows no such user. */
  acct_user: [{ name: string }, RawAcctUser | null];
  /** sacctmgr show qos. */
  acct_qos: [Record<string, never>, RawAcctQos[]];
}
export type OpName = keyof Operations;
export type OpArgs<N extends OpName> = Operations[N][0];
export type OpResult<N extends OpName> = Operations[N][1];
