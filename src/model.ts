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
}

export interface Node {
  name: string;
  state: string;
  state_flags: string[];
  cpus: { total: number; allocated: number; idle: number };
  memory_mib: { total: number; allocated: number | null; free: number | null };
  partitions: string[];
  features: string[];
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
