/** The scheduler call record of one libslurm call (src/scheduler-calls.ts): the function and its key arguments, redacted. */
import { elapsed, redactArgs, type SchedulerCall } from '../../scheduler-calls.js';
import { isSlurmCallError, type OpName } from './binding.js';

/** The libslurm function behind each of the binding's operations (native/ops_*.cc). */
const FUNCTIONS: Record<OpName, string> = {
  ping: 'slurm_ping', config: 'slurm_load_ctl_conf', statistics: 'slurm_get_statistics',
  jobs: 'slurm_load_jobs', jobs_since: 'slurm_load_jobs', nodes: 'slurm_load_node', nodes_since: 'slurm_load_node', partitions: 'slurm_load_partitions',
  reservations: 'slurm_load_reservations', licenses: 'slurm_load_licenses',
  submit: 'slurm_submit_batch_job', will_run: 'slurm_job_will_run2', update: 'slurm_update_job2',
  kill: 'slurm_kill_job2', suspend: 'slurm_suspend2', resume: 'slurm_resume2', requeue: 'slurm_requeue2',
  job_steps: 'slurm_get_job_steps',
  acct_jobs: 'slurmdb_jobs_get', acct_ping: 'slurmdb_connection_get', acct_accounts: 'slurmdb_accounts_get',
  acct_user: 'slurmdb_users_get', acct_qos: 'slurmdb_qos_get',
};

/** jobs with a job id is slurm_load_job, with a user id slurm_load_job_user. */
function functionOf(op: OpName, args: unknown): string {
  const a = (args ?? {}) as { job_id?: unknown; user_id?: unknown };
  if (op === 'jobs' && a.job_id !== undefined) return 'slurm_load_job';
  if (op === 'jobs' && a.user_id !== undefined) return 'slurm_load_job_user';
  return FUNCTIONS[op] ?? op;
}

/** One call that returned, or failed with `error` (a SlurmCallError, or the gateway's deadline). */
export function libslurmCall(op: OpName, args: unknown, start: number, error?: unknown): SchedulerCall {
  const call: SchedulerCall = {
    via: 'libslurm',
    name: functionOf(op, args),
    daemon: op.startsWith('acct_') ? 'slurmdbd' : 'slurmctld',
    args: redactArgs(args),
    ms: elapsed(start),
  };
  if (error === undefined) return call;
  if (isSlurmCallError(error)) return { ...call, errno: error.slurmErrno, error: error.slurmError };
  const failure = error as { code?: unknown; message?: unknown };
  return { ...call, error: typeof failure.code === 'string' ? `${failure.code}: ${String(failure.message)}` : String(failure.message ?? error) };
}
