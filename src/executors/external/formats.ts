/**
 * The output formats we ask Slurm's tools for: explicit fields with separators that cannot occur
 * in a value (ASCII unit and record separators), never the human layouts and never --json (slow
 * and version-dependent in 22.05, see ECOSYSTEM.md).
 */

/**
 * Two control characters each: the gateway refuses control characters in names, but a job
 * submitted with sbatch directly can carry one (verified: sbatch -J $'a\x1fb' is accepted), and a
 * single stray separator must not break every listing.
 */
export const FIELD_SEP = '\u001f\u001d';
export const RECORD_SEP = '\u001e\u001d';

/** squeue --Format fields, in the order the job parser reads them. */
export const JOB_FIELDS = [
  'JobID', 'ArrayJobID', 'ArrayTaskID', 'Name', 'UserName', 'Account', 'Partition', 'QOS',
  'State', 'Reason', 'PriorityLong', 'SubmitTime', 'StartTime', 'EndTime', 'TimeLimit',
  'NodeList', 'NumNodes', 'NumCPUs', 'exit_code', 'WorkDir', 'STDOUT', 'STDERR',
  'Dependency', 'Feature', 'tres-per-node', 'tres-per-job', 'Licenses', 'Reservation', 'EligibleTime',
  'Deadline', 'Requeue', 'OverSubscribe', 'NTPerNode',
] as const;

/**
 * squeue --steps --Format fields (22.05: State, NodeList, NumNodes and %T are refused for steps;
 * StepState and Nodes are the step's own). JobID is the step's job's own id (an array task's).
 */
export const STEP_FIELDS = ['StepID', 'JobID', 'StepName', 'StepState', 'StartTime', 'Nodes', 'NumTasks'] as const;

/**
 * sacct --format fields, for job lines and step lines alike (--parsable2, so `|` separates them).
 * JobName is LAST and the only free text: a `|` in a job name adds fields, so the name is the rest
 * of the line after the others. WorkDir is not asked for (a second free text would be ambiguous),
 * and 22.05's sacct has no StdOut/StdErr.
 */
export const SACCT_FIELDS = [
  'JobIDRaw', 'JobID', 'State', 'ExitCode', 'DerivedExitCode', 'Submit', 'Start', 'End', 'ElapsedRaw',
  'TimelimitRaw', 'User', 'Account', 'Partition', 'QOS', 'Priority', 'Reason', 'Cluster', 'NodeList',
  'NNodes', 'NCPUS', 'NTasks', 'ReqTRES', 'AllocTRES', 'TotalCPU', 'MaxRSS', 'JobName',
] as const;

/** sinfo --Format fields for one row per node and partition. */
export const NODE_FIELDS = [
  'NodeList', 'StateComplete', 'CPUsState', 'Memory', 'AllocMem', 'FreeMem', 'Partition', 'Features', 'Reason',
] as const;

/**
 * A --Format argument: "field:<sep>" has no size, so the value is printed whole, with no padding
 * and no truncation, followed by the separator.
 */
export function longFormat(fields: readonly string[]): string {
  return fields.map((field, i) => `${field}:${i === fields.length - 1 ? RECORD_SEP : FIELD_SEP}`).join(',');
}
