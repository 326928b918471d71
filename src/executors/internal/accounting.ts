/**
 * Accounting records (slurmdb_jobs_get, native/ops_accounting.cc) -> the model. Every field is
 * what sacct prints for the same record (`sacct -n -P --noconvert`), read with the shared rules of
 * src/slurm/accounting.ts, so that the external executor's sacct answers equal these. Pure.
 */
import type { Job, JobStep } from '../../model.js';
import { cpuSeconds, NOT_IN_ACCOUNTING, parseTres, waitStatusParts } from '../../slurm/accounting.js';
import { rangesOf } from '../../slurm/arrays.js';
import { epochToIso, optionalText } from '../../slurm/values.js';
import type { Constants, RawAcctJob, RawAcctStep, RawJobStep } from './binding.js';

/** slurm.h's special step ids, as sacct names them (JobIDRaw "123.batch"). */
const SPECIAL_STEPS: ReadonlyMap<number, string> = new Map([
  [0xfffffffb, 'batch'], // SLURM_BATCH_SCRIPT
  [0xfffffffc, 'extern'], // SLURM_EXTERN_CONT
  [0xfffffffa, 'interactive'], // SLURM_INTERACTIVE_STEP
]);

/** One accounting record: the job and (when asked for) its steps. */
export interface AccountingRecord {
  job: Job;
  steps: JobStep[];
}

/**
 * sacct's _elapsed_time() (src/sacct/print.c), which TotalCPU prints: "D-HH:MM:SS", "HH:MM:SS",
 * "MM:SS.mmm" (milliseconds only under an hour), "00:MM:SS".
 */
export function elapsedText(secs: number, usecs: number): string {
  const s = secs + Math.floor(usecs / 1e6);
  const subsec = Math.floor((usecs % 1e6) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const seconds = s % 60;
  const minutes = Math.floor(s / 60) % 60;
  const hours = Math.floor(s / 3600) % 24;
  const days = Math.floor(s / 86400);
  if (days) return `${pad(days)}-${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
  if (hours) return `${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
  if (subsec) return `${pad(minutes)}:${pad(seconds)}.${pad(subsec, 3)}`;
  return `00:${pad(minutes)}:${pad(seconds)}`;
}

/**
 * sacct's _xlate_task_str(): a pending remainder's hex task mask ("0x1C") as the ranges sacct
 * prints inside "123_[…]" ("2-4"), with "%<max>" when the array is throttled.
 */
export function arrayTaskSpec(mask: string, maxTasks: number): string | null {
  const text = mask.trim();
  if (!/^0x[0-9a-f]+$/i.test(text)) return optionalText(text);
  const tasks: number[] = [];
  const digits = text.slice(2);
  for (let i = 0; i < digits.length; i++) {
    const nibble = parseInt(digits[digits.length - 1 - i]!, 16);
    for (let b = 0; b < 4; b++) if (nibble & (1 << b)) tasks.push(i * 4 + b);
  }
  if (tasks.length === 0) return null;
  return rangesOf(tasks) + (maxTasks ? `%${maxTasks}` : '');
}

/** A time from slurmdb: 0 and NO_VAL/INFINITE (never happened) are null, as sacct prints them "Unknown". */
const time = (t: number): string | null => (t > 0 && t < 0xfffffffe ? epochToIso(String(t)) : null);
/** sacct's State: job_state_string(), "CANCELLED by 0" read as its first word. */
const stateName = (s: string): string => s.split(' ')[0]!;
const nodeList = (nodes: string | null): string | null => (nodes === 'None assigned' ? null : optionalText(nodes ?? ''));

export function toAccountingStep(s: RawAcctStep): JobStep {
  const { exit_code, signal } = waitStatusParts(s.exitcode | 0);
  return {
    job_id: s.job_id,
    step_id: SPECIAL_STEPS.get(s.step_id) ?? String(s.step_id),
    name: s.name ?? '',
    state: stateName(s.state),
    exit_code,
    signal,
    start_time: time(s.start),
    end_time: time(s.end),
    elapsed: s.elapsed,
    nodes: nodeList(s.nodes),
    node_count: s.nnodes,
    tasks: s.ntasks,
    max_rss: s.max_rss,
    total_cpu: s.tot_cpu_sec === null ? null : cpuSeconds(elapsedText(s.tot_cpu_sec, s.tot_cpu_usec)),
    source: 'accounting',
  };
}

/** A step the controller holds (`squeue -s`): what accounting alone knows is null. */
export function toLiveStep(s: RawJobStep): JobStep {
  return {
    job_id: s.job_id,
    step_id: SPECIAL_STEPS.get(s.step_id) ?? String(s.step_id),
    name: s.name ?? '',
    state: stateName(s.state),
    exit_code: null,
    signal: null,
    start_time: time(s.start_time),
    end_time: null,
    elapsed: null,
    nodes: nodeList(s.nodes),
    node_count: s.node_count,
    tasks: s.num_tasks,
    max_rss: null,
    total_cpu: null,
    source: 'controller',
  };
}

/**
 * A job record. `withSteps`: the record was read with its steps (sacct without -X), so TotalCPU
 * is the sum over the steps (sacct adds them up) and MaxRSS is the batch step's.
 */
export function toAccountingRecord(r: RawAcctJob, c: Constants, withSteps: boolean): AccountingRecord {
  const steps = r.steps.map(toAccountingStep);
  const { exit_code, signal } = waitStatusParts(r.exitcode | 0);
  const allocated = parseTres(r.tres_alloc);
  const isArray = r.array_job_id !== 0;
  let cpuSec = r.tot_cpu_sec ?? 0;
  let cpuUsec = r.tot_cpu_usec ?? 0;
  if (withSteps && r.steps.length > 0) {
    cpuSec = r.steps.reduce((n, s) => n + (s.tot_cpu_sec ?? 0), 0);
    cpuUsec = r.steps.reduce((n, s) => n + s.tot_cpu_usec, 0);
  }
  const job: Job = {
    job_id: r.job_id,
    array_job_id: isArray ? r.array_job_id : null,
    array_task_id: isArray && r.array_task_id !== c.NO_VAL && r.array_task_str === null ? r.array_task_id : null,
    array_tasks: isArray && r.array_task_str !== null ? arrayTaskSpec(r.array_task_str, r.array_max_tasks) : null,
    name: r.name ?? '',
    user: r.user,
    account: optionalText(r.account ?? ''),
    partition: optionalText(r.partition ?? ''),
    qos: optionalText(r.qos ?? ''),
    state: stateName(r.state),
    reason: null,
    priority: null,
    submit_time: time(r.submit),
    start_time: time(r.start),
    end_time: time(r.end),
    time_limit: r.timelimit === c.INFINITE || r.timelimit === c.NO_VAL ? null : r.timelimit,
    nodes: nodeList(r.nodes),
    // sacct's NNodes: the allocated count, else the requested one (a job that never ran).
    node_count: r.alloc_nodes > 0 ? r.alloc_nodes : parseTres(r.tres_req)?.nodes ?? null,
    cpus: allocated?.cpus ?? r.req_cpus,
    exit_code,
    // Null from accounting in both executors: sacct can print one free-text field safely (JobName, last).
    working_directory: null,
    stdout_path: null,
    stderr_path: null,
    ...NOT_IN_ACCOUNTING,
    source: 'accounting',
    cluster: optionalText(r.cluster ?? ''),
    elapsed: r.elapsed,
    derived_exit_code: waitStatusParts(r.derived_ec | 0).exit_code,
    signal,
    tres_requested: parseTres(r.tres_req),
    tres_allocated: allocated,
    max_rss: steps.find((s) => s.step_id === 'batch')?.max_rss ?? null,
    total_cpu: cpuSeconds(elapsedText(cpuSec, cpuUsec)),
  };
  return { job, steps };
}
