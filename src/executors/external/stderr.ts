/**
 * What a Slurm tool's complaint means. Slurm tools print "tool: error: …" and sometimes exit 0
 * after a failure (scancel), so stderr is believed whatever the exit code (as ood_core does).
 * Pure: no I/O, tested on captured real messages.
 */
import { GatewayError, type ErrorCode } from '../../errors.js';
import type { RunResult } from './runner.js';
import { unavailableMessage } from '../../slurm/unavailable.js';

/** Slurm's messages (slurm_strerror) that have a meaning of their own, first match wins. */
const KNOWN: ReadonlyArray<[RegExp, ErrorCode]> = [
  [/Invalid job id specified|Invalid job id|Job id \S+ not found/i, 'job_not_found'],
  [/Invalid node name specified/i, 'node_not_found'],
  [/Unable to contact slurm controller|Resource temporarily unavailable|Message send failure|Message receive failure|Received zero length message|Failed to connect to authentication agent|in standby mode|Connection refused|Socket timed out|Unable to establish|Zero Bytes were transmitted|Communication connection failure|Slurm backup controller in standby mode|Unable to connect to slurmctld|Unable to connect to slurmdbd|Connection timed out|Connection reset by peer|Transport endpoint is not connected|Broken pipe|Software caused connection abort|Network is unreachable|No route to host/i, 'scheduler_unavailable'],
  // The client could not make a credential (munged down or stopped): an outage, not a refusal.
  [/Munge encode failed|auth_g_create|Protocol authentication error|Unexpected missing socket error/i, 'scheduler_unavailable'],
  [/Access\/permission denied|Permission denied|User not authorized|Invalid user id|not the owner|Authentication failure|Invalid authentication credential|Authentication credential invalid|Unauthorized/i, 'forbidden'],
  [/Job has already finished|Job is no longer pending|already completed|Job is not suspended|Job is currently suspended|Job is pending execution|Requested operation is presently disabled|Job not held|job is not held|Job is not running|Invalid job state|Job state not valid|Requested operation not supported on this job|Job is currently being requeued|Operation not permitted on an array task|can not be (held|released|suspended|resumed|requeued)|Job\/step already completing or completed|Job is current suspended|Job is not pending nor running|Job can not be altered now/i, 'invalid_job_state'],
];

/** The Slurm sentence in a line such as "sbatch: error: Batch job submission failed: Invalid partition name specified". */
export function slurmReason(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => /\berror\b|fatal/i.test(l));
  const line = (errors.length ? errors : lines).at(-1);
  if (!line) return undefined;
  // "sbatch: error: …", "slurm_suspend error: …", then "… submission failed: <reason>".
  const sentence = line.replace(/^[\w.-]+:? (error|fatal): /i, '').replace(/^.*(submission failed|error on job id \S+|error for job \S+): /i, '');
  return sentence.slice(0, 500);
}

/** True when stderr carries an error even if the exit code says success. */
export function hasError(result: RunResult): boolean {
  return result.exitCode !== 0 || /\b(error|fatal)\b/i.test(result.stderr);
}

/**
 * Classifies a failed tool run as a GatewayError with a stable code. The raw stderr stays in
 * the error's cause (for the log), the message carries Slurm's reason.
 */
export function classify(result: RunResult, what: string): GatewayError {
  const reason = slurmReason(result.stderr) ?? slurmReason(result.stdout) ?? `exit code ${result.exitCode}`;
  const known = KNOWN.find(([pattern]) => pattern.test(result.stderr) || pattern.test(reason));
  const code = known?.[1] ?? 'scheduler_rejected';
  const message = code === 'scheduler_unavailable' ? unavailableMessage(reason) : `${what}: ${reason}`;
  return new GatewayError(code, message, {
    details: { slurm_error: reason },
    cause: { tool: result.invocation.tool, exitCode: result.exitCode, stderr: result.stderr.slice(0, 4000) },
    ...(code === 'scheduler_unavailable' && { retryAfter: 5 }),
  });
}

/**
 * sbatch's notices while it retries a refused submission (src/sbatch/sbatch.c, Slurm 22.05): the
 * first is an "sbatch: error:" line, yet sbatch goes on, and a job id on stdout means it succeeded.
 */
export const SBATCH_RETRYING = /Slurm temporarily unable to accept job, sleeping and retrying|Slurm job queue full, sleeping and retrying|Job creation temporarily disabled, retrying/;

/**
 * Slurm's words (slurm_strerror) for a lost or unreadable reply: the request may have reached
 * slurmctld and been acted on. A failure to connect or to send is not among them.
 */
export const REPLY_LOST = /Connection reset by peer|Transport endpoint is not connected|Message receive failure|Unable to contact slurm controller \((receive|shutdown) failure\)|Communication shutdown failure|Insane message length|Received zero length message|Received message length < 0|Socket timed out on send\/recv operation|Zero Bytes were transmitted or received|Unexpected message received|Header lengths are longer than data received/i;

/** Returns the result when the tool succeeded, throws the classified failure otherwise. */
export function check(result: RunResult, what: string): RunResult {
  if (hasError(result)) throw classify(result, what);
  return result;
}
