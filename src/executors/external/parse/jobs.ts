import type { Job } from '../../../model.js';
import { FIELD_SEP, JOB_FIELDS, RECORD_SEP } from '../formats.js';
import { outputPath } from '../../../slurm/output-path.js';
import { records, UnreadableOutput } from './values.js';
import { CONTROLLER_SOURCED } from '../../../slurm/accounting.js';
import { durationToMinutes, epochToIso, exitCode, optionalInt, optionalText, positiveOrNull } from '../../../slurm/values.js';

type Field = (typeof JOB_FIELDS)[number];

/** Parses `squeue --noheader --Format=<JOB_FIELDS>` output. Pure. */
export function parseJobs(stdout: string): Job[] {
  return records(stdout, FIELD_SEP, RECORD_SEP, JOB_FIELDS.length, 'squeue').map((values) => {
    const f = Object.fromEntries(JOB_FIELDS.map((name, i) => [name, values[i]!])) as Record<Field, string>;
    return toJob(f);
  });
}

function toJob(f: Record<Field, string>): Job {
  const job = fields(f);
  // squeue prints "<workdir>/slurm-<job id>.out" when no file was given, even for array tasks
  // whose real default is slurm-%A_%a.out: read that form as "no file given".
  const given = (path: string | null) => (path === `${job.working_directory}/slurm-${job.job_id}.out` ? null : path);
  return { ...job, stdout_path: outputPath(given(job.stdout_path), job), stderr_path: outputPath(given(job.stderr_path), job) };
}

function fields(f: Record<Field, string>): Job {
  if (!/^\d+$/.test(f.JobID)) throw new UnreadableOutput(`squeue printed a job id that is not a number: ${JSON.stringify(f.JobID)}`);
  const state = f.State.split(/[+ ]/)[0] ?? f.State;
  // ArrayTaskID: "N/A" (no array), "4" (one task), "2-4%2" (pending tasks not yet split off).
  const isArray = optionalText(f.ArrayTaskID) !== null;
  return {
    job_id: Number(f.JobID),
    array_job_id: isArray ? optionalInt(f.ArrayJobID) : null,
    array_task_id: isArray && /^\d+$/.test(f.ArrayTaskID) ? Number(f.ArrayTaskID) : null,
    array_tasks: isArray && !/^\d+$/.test(f.ArrayTaskID) ? f.ArrayTaskID : null,
    name: f.Name,
    user: f.UserName,
    account: optionalText(f.Account),
    partition: optionalText(f.Partition),
    qos: optionalText(f.QOS),
    state,
    reason: optionalText(f.Reason),
    priority: optionalInt(f.PriorityLong),
    submit_time: epochToIso(f.SubmitTime),
    start_time: epochToIso(f.StartTime),
    end_time: epochToIso(f.EndTime),
    time_limit: durationToMinutes(f.TimeLimit),
    nodes: optionalText(f.NodeList),
    node_count: optionalInt(f.NumNodes),
    cpus: optionalInt(f.NumCPUs),
    exit_code: exitCode(f.exit_code),
    working_directory: optionalText(f.WorkDir),
    stdout_path: optionalText(f.STDOUT),
    stderr_path: optionalText(f.STDERR),
    dependency: optionalText(f.Dependency),
    features: optionalText(f.Feature),
    tres_per_node: optionalText(f['tres-per-node']),
    tres_per_job: optionalText(f['tres-per-job']),
    licenses: optionalText(f.Licenses),
    reservation: optionalText(f.Reservation),
    eligible_time: epochToIso(f.EligibleTime),
    deadline: epochToIso(f.Deadline),
    requeue: f.Requeue === '1' ? true : f.Requeue === '0' ? false : null,
    exclusive: optionalText(f.OverSubscribe) === null ? null : f.OverSubscribe === 'NO',
    tasks_per_node: positiveOrNull(optionalInt(f.NTPerNode)),
    ...CONTROLLER_SOURCED,
  };
}

