import { outcomeUnknown } from '../../../slurm/submit-outcome.js';
import type { KeyedJob } from '../../../slurm/idempotency.js';
import { FIELD_SEP, RECORD_SEP } from '../formats.js';
import { classify, REPLY_LOST, slurmReason } from '../stderr.js';
import type { RunResult } from '../runner.js';
import { UnreadableOutput } from './values.js';

/** `sbatch --parsable` prints "jobid" or "jobid;cluster". Pure. */
export function parseSubmit(stdout: string): number {
  const id = submittedId(stdout);
  if (id === undefined) throw new UnreadableOutput(`sbatch printed no job id: ${JSON.stringify(stdout.slice(0, 200))}`);
  return id;
}

function submittedId(stdout: string): number | undefined {
  const m = /^(\d+)(;\S+)?\s*$/m.exec(stdout.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * What an sbatch run did. The job id on stdout wins over anything on stderr or the exit code:
 * sbatch prints "error: Slurm temporarily unable to accept job, sleeping and retrying" and then
 * succeeds. Without an id, a lost reply (or exit 0 with nothing) means the job may exist.
 * @throws GatewayError submit_outcome_unknown, or the classified refusal.
 */
export function submitOutcome(result: RunResult): number {
  const id = submittedId(result.stdout);
  if (id !== undefined) return id;
  const reason = slurmReason(result.stderr);
  if (result.exitCode === 0 || (reason !== undefined && REPLY_LOST.test(reason))) {
    throw outcomeUnknown(`sbatch ${reason ? `failed after sending the job: ${reason}` : 'exited 0 without printing a job id'}`, {
      tool: 'sbatch', exitCode: result.exitCode, stderr: result.stderr.slice(0, 4000), stdout: result.stdout.slice(0, 200),
    });
  }
  throw classify(result, 'Job submission failed');
}

/**
 * `squeue --noheader --Format=ArrayJobID:<US>,Comment:<RS>` (src/executors/external/plans.ts):
 * each job's submitted id (an array's id for its tasks) and its comment ("(null)" when none). Pure.
 */
export function parseKeyedJobs(stdout: string): KeyedJob[] {
  const jobs: KeyedJob[] = [];
  for (const record of stdout.split(RECORD_SEP)) {
    if (record.trim() === '') continue;
    const fields = record.replace(/^\n/, '').split(FIELD_SEP);
    if (fields.length !== 2 || !/^\d+$/.test(fields[0]!.trim())) throw new UnreadableOutput(`squeue printed an unreadable job record: ${JSON.stringify(record.slice(0, 200))}`);
    const comment = fields[1]!;
    jobs.push({ submitted_id: Number(fields[0]!.trim()), comment: comment === '(null)' || comment === '' ? null : comment });
  }
  return jobs;
}

