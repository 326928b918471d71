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
