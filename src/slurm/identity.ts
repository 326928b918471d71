/** Who Slurm acts for: how calls authenticate, and the local account a job is owned by. */
import { GatewayError } from '../errors.js';
import type { SchedulerCommand } from '../commands.js';

/** none: every call is the gateway's own user (munge); jwt: each call carries its caller's token. */
export const AUTH_MODES = ['none', 'jwt'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** A local account as Slurm looks it up (NSS, getpwnam): a job's owner, and its home. */
export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The refusal for a user Slurm would act as but who has no local account here (the same text everywhere). */
export function noLocalAccount(user: string): GatewayError {
  return new GatewayError('forbidden', `User ${user} has no account on the gateway's host`);
}

/**
 * A caller's submission as Slurm receives it: the job runs in the caller's home unless the
 * request names a directory (sbatch run by the caller in their home does the same). One rule for
 * both executors; under --auth=none the handler has already put in the gateway user's home.
 */
/** A submission (or its test, jobs.validate) names a job the caller will own. */
export function submitsAJob(command: SchedulerCommand): command is Extract<SchedulerCommand, { kind: 'jobs.submit' | 'jobs.validate' }> {
  return command.kind === 'jobs.submit' || command.kind === 'jobs.validate';
}

export function inCallersHome<C extends SchedulerCommand>(command: C, caller: Account): C {
  if ((command.kind !== 'jobs.submit' && command.kind !== 'jobs.validate') || command.submission.working_directory) return command;
  return { ...command, submission: { ...command.submission, working_directory: caller.home } };
}
