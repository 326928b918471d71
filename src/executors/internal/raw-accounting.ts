/**
 * What the accounting operations of the native binding take and return (native/ops_accounting.cc,
 * ops_assoc.cc, and the live steps of ops_jobs.cc): slurmdb's records as plain data, TRES and QOS
 * named, Slurm's sentinels left as numbers. Types only; raw.ts lists them in `Operations`.
 */
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
