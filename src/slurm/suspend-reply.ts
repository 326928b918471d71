/**
 * Slurm 22.05 answers suspend and resume with a reply signed by munge even to a caller that
 * authenticated with a token (auth/jwt), whose client cannot read it: scontrol prints "Unexpected
 * message received" and slurm_suspend() fails with SLURM_UNEXPECTED_MSG_ERROR, whether slurmctld
 * suspended the job or refused ("Access/permission denied": only operators may suspend). So, in
 * both executors, such a failure is decided by the job's state read before and after the call. Pure.
 */
import { GatewayError } from '../errors.js';
import type { Job } from '../model.js';

export type SuspendAction = 'suspend' | 'resume';

/** The state each action leads to, and the state it needs. */
const TARGET: Record<SuspendAction, { after: string; before: string }> = {
  suspend: { after: 'SUSPENDED', before: 'RUNNING' },
  resume: { after: 'RUNNING', before: 'SUSPENDED' },
};

/** Whether a failure's text is the unreadable-reply one. */
export function isUnreadableReply(text: string): boolean {
  return /Unexpected message received/i.test(text);
}

/**
 * What an unreadable reply to `action` meant, from the job as read just before the call and just
 * after it: null when it went from the state the action needs to the one it leads to (it
 * happened), else the error to answer. A job that was not in the needed state is 409, as Slurm
 * answers an operator; one that could have changed and did not was refused (403).
 */
export function outcomeOfUnreadableReply(action: SuspendAction, jobId: string, before: Pick<Job, 'state'> | undefined, after: Pick<Job, 'state'> | undefined): GatewayError | null {
  if (!before || !after) return new GatewayError('job_not_found', `No job ${jobId}`);
  const target = TARGET[action];
  if (before.state !== target.before) {
    return new GatewayError('invalid_job_state', `Cannot ${action} job ${jobId}: it is ${before.state}, not ${target.before}`, { details: { state: before.state } });
  }
  if (after.state === target.after) return null;
  return new GatewayError('forbidden', `Cannot ${action} job ${jobId}: Slurm refused (only operators and administrators may suspend or resume jobs); the job is still ${after.state}`, {
    details: { slurm_error: 'Access/permission denied', state: after.state },
  });
}
