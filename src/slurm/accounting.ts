/**
 * Accounting's values (sacct --parsable2 --noconvert, and slurmdb records once formatted the
 * same way) and the shared rules for jobs that only accounting knows. Both executors read every
 * accounting field with these, so they answer alike. Pure.
 */
import { GatewayError } from '../errors.js';
import type { Job, Tres } from '../model.js';
import { optionalText } from './values.js';

/** The accounting-only fields of a job the controller answered for: unknown there. */
export const CONTROLLER_SOURCED = {
  source: 'controller',
  cluster: null,
  elapsed: null,
  derived_exit_code: null,
  signal: null,
  tres_requested: null,
  tres_allocated: null,
  max_rss: null,
  total_cpu: null,
} as const satisfies Partial<Job>;

/** The fields only the controller reports (#12): null in a record read from accounting. */
export const NOT_IN_ACCOUNTING = {
  dependency: null,
  features: null,
  tres_per_node: null,
  tres_per_job: null,
  licenses: null,
  reservation: null,
  eligible_time: null,
  deadline: null,
  requeue: null,
  exclusive: null,
  tasks_per_node: null,
} as const satisfies Partial<Job>;

/**
 * sacct's `ExitCode` / `DerivedExitCode`, "status:signal" (WEXITSTATUS:WTERMSIG of the wait
 * status). As the live model reads it: the exit status, or 128 + the signal when a signal ended it.
 */
export function exitCodeParts(value: string | undefined): { exit_code: number | null; signal: number | null } {
  const m = /^(\d+):(\d+)$/.exec((value ?? '').trim());
  if (!m) return { exit_code: null, signal: null };
  const status = Number(m[1]);
  const signal = Number(m[2]);
  return signal > 0 ? { exit_code: 128 + signal, signal } : { exit_code: status, signal: null };
}

/** The same from a raw wait(2) status (slurmdb's `exitcode`, `derived_ec`). */
export function waitStatusParts(raw: number | null | undefined): { exit_code: number | null; signal: number | null } {
  if (raw === null || raw === undefined || raw < 0) return { exit_code: null, signal: null };
  return exitCodeParts(`${(raw >> 8) & 0xff}:${raw & 0x7f}`);
}

const MEMORY_UNITS: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024, P: 1024 * 1024 * 1024 };

/**
 * A TRES string, `billing=1,cpu=2,mem=2048M,node=1,gres/gpu=2` (sacct with --noconvert prints
 * memory in M; a bare number is MiB as slurmdb stores it), to the model. GPUs sum over types
 * (`gres/gpu:a100=2`). Empty: null.
 */
export function parseTres(value: string | undefined): Tres | null {
  const text = optionalText(value);
  if (text === null) return null;
  const tres: Tres = { cpus: null, memory_mib: null, nodes: null, gpus: null, billing: null };
  // With typed GPUs tracked too (AccountingStorageTRES=gres/gpu,gres/gpu:a100), Slurm lists the
  // total under gres/gpu and each type beside it: the total wins; typed counts are summed only
  // when no total is listed.
  let typedGpus: number | null = null;
  for (const item of text.split(',')) {
    const at = item.indexOf('=');
    if (at < 0) continue;
    const name = item.slice(0, at).trim();
    const count = item.slice(at + 1).trim();
    if (name === 'mem') {
      const m = /^(\d+(?:\.\d+)?)([KMGTP]?)$/.exec(count);
      if (m) tres.memory_mib = Math.round(Number(m[1]) * MEMORY_UNITS[m[2] || 'M']!);
    } else if (/^\d+$/.test(count)) {
      const n = Number(count);
      if (name === 'cpu') tres.cpus = n;
      else if (name === 'node') tres.nodes = n;
      else if (name === 'billing') tres.billing = n;
      else if (name === 'gres/gpu') tres.gpus = n;
      else if (name.startsWith('gres/gpu:')) typedGpus = (typedGpus ?? 0) + n;
    }
  }
  tres.gpus ??= typedGpus;
  return tres;
}

/**
 * sacct's `TotalCPU` (and UserCPU, SystemCPU): "D-HH:MM:SS", "HH:MM:SS", "MM:SS.mmm" (sub-seconds
 * only when under an hour), to seconds with milliseconds. Empty or unreadable: null.
 */
export function cpuSeconds(value: string | undefined): number | null {
  const text = optionalText(value);
  if (text === null) return null;
  const m = /^(?:(\d+)-)?(\d+):(\d+)(?::(\d+))?(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const [, days, a, b, c, fraction] = m;
  const seconds = c === undefined
    ? Number(a) * 60 + Number(b) // MM:SS[.mmm]
    : Number(days ?? 0) * 86400 + Number(a) * 3600 + Number(b) * 60 + Number(c);
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  return Math.round((seconds + millis / 1000) * 1000) / 1000;
}

/** Failures of a query to slurmdbd, as sacct, sacctmgr and slurmdb_connection_get report them. */
const NOT_CONFIGURED = /accounting storage is disabled|not running a supported accounting_storage plugin/i;

/**
 * What a failed accounting query means for the client: 501 when the cluster keeps no accounting,
 * else 503 accounting_unavailable with Slurm's reason (slurmdbd down, or not answering).
 */
export function accountingFailure(reason: string, cause?: unknown): GatewayError {
  if (NOT_CONFIGURED.test(reason)) {
    return new GatewayError('accounting_not_configured', undefined, { cause, details: { slurm_error: reason } });
  }
  return new GatewayError('accounting_unavailable', `Accounting (slurmdbd) did not answer (${reason}); the live queue still answers`, { cause, retryAfter: 5, details: { slurm_error: reason } });
}

/** An action on a job that only accounting still knows: it has ended (409, not 404). */
export function jobHasEnded(jobId: string, state: string): GatewayError {
  return new GatewayError('invalid_job_state', `Job ${jobId} has ended (${state}); only accounting still knows it`, { details: { job_id: jobId, state, source: 'accounting' } });
}

const STEP_RANK: Record<string, number> = { batch: 0, extern: 1, interactive: 2 };

/**
 * The order both executors answer steps in: by job id (an array's tasks each have their own), then
 * batch, extern, interactive, then srun steps by number.
 */
export function sortSteps<S extends { job_id: number; step_id: string }>(steps: S[]): S[] {
  const rank = (id: string) => STEP_RANK[id] ?? (/^\d+$/.test(id) ? 10 + Number(id) : 5);
  return [...steps].sort((a, b) => a.job_id - b.job_id || rank(a.step_id) - rank(b.step_id) || a.step_id.localeCompare(b.step_id));
}
