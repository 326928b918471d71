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
  dependency: string | null;
  features: string | null;
  tres_per_node: string | null;
  tres_per_job: string | null;
  licenses: string | null;
  resv_name: string | null;
  eligible_time: number;
  deadline: number;
  requeue: number;
  /** JOB_SHARED_NONE (0) for --exclusive, else OK / USER / MCS / NO_VAL16. */
  shared: number;
  ntasks_per_node: number;
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
  /** features_act, or features when NULL (what scontrol prints as ActiveFeatures). */
  features_act: string | null;
  reason: string | null;
  /** Load x 100; NO_VAL when unknown. */
  cpu_load: number;
  gres: string | null;
  /** Only with SHOW_DETAIL (scontrol -d, sinfo's GresUsed). */
  gres_used: string | null;
  /** tres_fmt_str: the configured TRES. */
  tres: string | null;
  /** SELECT_NODEDATA_TRES_ALLOC_FMT_STR: what scontrol prints as AllocTRES. */
  tres_alloc: string | null;
  node_addr: string | null;
  node_hostname: string | null;
  os: string | null;
  boot_time: number;
  slurmd_start_time: number;
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
  /** tres_fmt_str */
  tres: string | null;
}

/** A reserve_info_t as slurm_load_reservations() returns it. */
export interface RawReservation {
  name: string | null;
  start_time: number;
  end_time: number;
  node_list: string | null;
  node_cnt: number;
  core_cnt: number;
  partition: string | null;
  users: string | null;
  groups: string | null;
  accounts: string | null;
  licenses: string | null;
  features: string | null;
  /** tres_str */
  tres: string | null;
  /** reservation_flags_string(), "" for none. */
  flags: string;
}

/** A slurm_license_info_t as slurm_load_licenses() returns it. */
export interface RawLicense {
  name: string | null;
  total: number;
  in_use: number;
  available: number;
  reserved: number;
  remote: boolean;
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
  bf_active: boolean;
  bf_backfilled_jobs: number;
  bf_last_backfilled_jobs: number;
  bf_backfilled_het_jobs: number;
  bf_cycle_counter: number;
  bf_cycle_sum: number;
  bf_cycle_last: number;
  bf_cycle_max: number;
  bf_last_depth: number;
  bf_last_depth_try: number;
  bf_depth_sum: number;
  bf_depth_try_sum: number;
  bf_queue_len: number;
  bf_queue_len_sum: number;
  bf_table_size: number;
  bf_table_size_sum: number;
  bf_when_last_cycle: number;
  /** In slurmctld's order; `name` as sdiag prints the uid (uid_to_string(): "nobody" when unknown). */
  rpc_users: Array<{ id: number; name: string; count: number; total_time: number | null }>;
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
  features?: string;
  reservation?: string;
  licenses?: string;
  mail_user?: string;
  tres_per_node?: string;
  tres_per_job?: string;
  shared?: number;
  requeue?: number;
  ntasks_per_node?: number;
  /** Epoch seconds. */
  begin_time?: number;
  deadline?: number;
  /** MiB; the binding sets pn_min_memory to it with MEM_PER_CPU. */
  mem_per_cpu?: number;
}


import type { RawAcctStep, RawAcctJob, RawJobCond, RawJobStep, RawAcctAccount, RawAcctAssoc, RawAcctUser, RawAcctQos } from './raw-accounting.js';

export type { RawAcctStep, RawAcctJob, RawJobCond, RawJobStep, RawAcctAccount, RawAcctAssoc, RawAcctUser, RawAcctQos } from './raw-accounting.js';

/** The operations of native/ops.cc: name -> [arguments, result]. */
export interface Operations {
  ping: [Record<string, never>, RawPing];
  config: [Record<string, never>, RawConfig];
  statistics: [Record<string, never>, RawStats];
  jobs: [{ show_flags?: number; job_id?: number; user_id?: number }, RawJob[]];
  /** slurm_load_jobs(update_time, …): jobs null when slurmctld has no change since update_time. */
  jobs_since: [{ show_flags?: number; update_time: number }, { last_update: number; jobs: RawJob[] | null }];
  nodes: [{ show_flags?: number }, RawNode[]];
  /**
   * slurm_load_partitions + slurm_load_node with each table's update_time (sinfo --iterate):
   * nodes null when slurmctld has changed neither table since.
   */
  nodes_since: [{ show_flags?: number; partition_update_time: number; node_update_time: number }, { partition_update_time: number; node_update_time: number; nodes: RawNode[] | null }];
  partitions: [{ show_flags?: number }, RawPartition[]];
  /** scontrol show reservation. */
  reservations: [Record<string, never>, RawReservation[]];
  /** scontrol show licenses. */
  licenses: [Record<string, never>, RawLicense[]];
  submit: [RawJobDesc, { job_id: number; error_code: number; user_msg: string | null }];
  /** slurm_job_will_run2 (sbatch --test-only): nothing is created. */
  will_run: [RawJobDesc, { start_time: number; node_list: string | null; part_name: string | null; proc_cnt: number; preemptee_job_ids: number[] }];
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
