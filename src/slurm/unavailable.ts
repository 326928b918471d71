/** The message of a 503 scheduler_unavailable, from Slurm's reason; both executors use it. Pure. */

/** Failures to make a credential (munged down or stopped), as libslurm and the tools report them. */
const AUTHENTICATION = /Protocol authentication error|Munge encode failed|auth_g_create|Unexpected missing socket error/i;

export function unavailableMessage(reason: string): string {
  return AUTHENTICATION.test(reason)
    ? `Slurm's authentication service (munge) did not answer, so nothing reached the controller (${reason}); retry later`
    : `The Slurm controller is unreachable (${reason})`;
}
