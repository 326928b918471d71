/**
 * Parses `sacct -n -P --noconvert --format=<SACCT_FIELDS>` output (SLURM_TIME_FORMAT=%s, so times
 * are epoch seconds): job lines (`123`, `123_4`, `123_[3-4%1]`) to Jobs with source 'accounting',
 * step lines (`123.batch`, `123_4.0`) to JobSteps. Every accounting value is read with the shared
 * rules of src/slurm/accounting.ts. Pure.
 */
import type { Job, JobStep } from '../../../model.js';
import { cpuSeconds, exitCodeParts, NOT_IN_ACCOUNTING, parseTres } from '../../../slurm/accounting.js';
import { durationToMinutes, epochToIso, optionalInt, optionalText } from '../../../slurm/values.js';
import { SACCT_FIELDS } from '../formats.js';
import { UnreadableOutput } from './values.js';

type Field = (typeof SACCT_FIELDS)[number];
export type SacctRow = Record<Field, string>;

/** sacct's JobID: the array job id, a task or the pending remainder's spec, and a step. */
const JOB_ID = /^(\d+)(?:_(\d+|\[[^\]]+\]))?(?:\.(.+))?$/;

/** Splits the lines; the name (last field) is the rest of the line, `|` and all. */
export function sacctRows(stdout: string): SacctRow[] {
  const rows: SacctRow[] = [];
  const fixed = SACCT_FIELDS.length - 1;
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const parts = line.split('|');
    if (parts.length < SACCT_FIELDS.length) throw new UnreadableOutput(`sacct printed a line with ${parts.length} fields, expected ${SACCT_FIELDS.length}`);
    const values = [...parts.slice(0, fixed), parts.slice(fixed).join('|')];
    rows.push(Object.fromEntries(SACCT_FIELDS.map((name, i) => [name, values[i]!])) as SacctRow);
  }
  return rows;
}

interface Ids { raw: number; array: number | null; task: number | null; rest: string | null; step: string | null }

function idsOf(row: SacctRow): Ids {
  const m = JOB_ID.exec(row.JobID.trim());
  const raw = /^(\d+)/.exec(row.JobIDRaw.trim());
  if (!m || !raw) throw new UnreadableOutput(`sacct printed a job id it should not: ${JSON.stringify(row.JobID)} / ${JSON.stringify(row.JobIDRaw)}`);
  const [, base, arrayPart, step] = m;
  return {
    raw: Number(raw[1]),
    array: arrayPart === undefined ? null : Number(base),
    task: arrayPart !== undefined && /^\d+$/.test(arrayPart) ? Number(arrayPart) : null,
    rest: arrayPart !== undefined && arrayPart.startsWith('[') ? arrayPart.slice(1, -1) : null,
    step: step ?? null,
  };
}

/** "CANCELLED by 0" and the like: the state's first word. */
const stateOf = (value: string) => value.trim().split(/\s+/)[0] ?? value.trim();

/** A NodeList of a job not yet placed. */
const nodeList = (value: string) => (value.trim() === 'None assigned' ? null : optionalText(value));

/** MaxRSS with --noconvert: bytes (a unit suffix, if any, is read as Slurm prints it). */
export function rssBytes(value: string | undefined): number | null {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec((value ?? '').trim());
  if (!m) return null;
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2] as '' | 'K' | 'M' | 'G' | 'T'];
  return Math.round(Number(m[1]) * scale);
}

/** A job line to the model. `max_rss` is the batch step's, when its line was read too. */
export function sacctJob(row: SacctRow, maxRss: number | null = null): Job {
  const ids = idsOf(row);
  const exit = exitCodeParts(row.ExitCode);
  return {
    job_id: ids.raw,
    array_job_id: ids.array,
    array_task_id: ids.task,
    array_tasks: ids.rest,
    name: row.JobName,
    user: row.User.trim(),
    account: optionalText(row.Account),
    partition: optionalText(row.Partition),
    qos: optionalText(row.QOS),
    state: stateOf(row.State),
    // The controller's: meaningless once a job has ended (accounting keeps a stale priority).
    reason: null,
    priority: null,
    submit_time: epochToIso(row.Submit),
    start_time: epochToIso(row.Start),
    end_time: epochToIso(row.End),
    time_limit: durationToMinutes(row.TimelimitRaw),
    nodes: nodeList(row.NodeList),
    node_count: optionalInt(row.NNodes),
    cpus: optionalInt(row.NCPUS),
    exit_code: exit.exit_code,
    // Not in accounting (22.05 keeps no StdOut/StdErr; WorkDir is not asked for, see SACCT_FIELDS).
    working_directory: null,
    stdout_path: null,
    stderr_path: null,
    ...NOT_IN_ACCOUNTING,
    source: 'accounting',
    cluster: optionalText(row.Cluster),
    elapsed: optionalInt(row.ElapsedRaw),
    derived_exit_code: exitCodeParts(row.DerivedExitCode).exit_code,
    signal: exit.signal,
    tres_requested: parseTres(row.ReqTRES),
    tres_allocated: parseTres(row.AllocTRES),
    max_rss: maxRss,
    total_cpu: cpuSeconds(row.TotalCPU),
  };
}

/** A step line to the model. */
export function sacctStep(row: SacctRow): JobStep {
  const ids = idsOf(row);
  const exit = exitCodeParts(row.ExitCode);
  return {
    job_id: ids.raw,
    step_id: ids.step ?? '',
    name: row.JobName,
    state: stateOf(row.State),
    exit_code: exit.exit_code,
    signal: exit.signal,
    start_time: epochToIso(row.Start),
    end_time: epochToIso(row.End),
    elapsed: optionalInt(row.ElapsedRaw),
    nodes: nodeList(row.NodeList),
    node_count: optionalInt(row.NNodes),
    tasks: optionalInt(row.NTasks),
    max_rss: rssBytes(row.MaxRSS),
    total_cpu: cpuSeconds(row.TotalCPU),
    source: 'accounting',
  };
}

/** What accounting printed for a job query: its jobs (each with its batch step's MaxRSS) and steps. */
export interface Accounted {
  jobs: Job[];
  steps: JobStep[];
}

export function parseSacct(stdout: string): Accounted {
  const rows = sacctRows(stdout);
  const isStep = (row: SacctRow) => idsOf(row).step !== null;
  const steps = rows.filter(isStep).map(sacctStep);
  const batchRss = new Map(steps.filter((s) => s.step_id === 'batch').map((s) => [s.job_id, s.max_rss]));
  const jobs = rows.filter((row) => !isStep(row)).map((row) => sacctJob(row, batchRss.get(idsOf(row).raw) ?? null));
  return { jobs, steps };
}
