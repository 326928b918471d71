/**
 * What a job filter naming users that do not exist selects: nothing, answered 200 with an empty
 * list (jobs and history alike, in both executors), never a scheduler error. A filter selects;
 * an unknown account or partition already selects nothing in squeue and sacct, and squeue drops
 * an unknown user the same way (with "error: Invalid user: x" on stderr, exit 0), while sacct
 * refuses the whole query ("Invalid user id: x", exit 1). The gateway follows squeue.
 */
import type { JobFilter } from '../commands.js';

/** The users Slurm's tools could not resolve: squeue "Invalid user: x", sacct "Invalid user id: x". */
export function invalidUsers(stderr: string): string[] {
  return [...stderr.matchAll(/Invalid user(?: id)?: (\S+)/g)].map((m) => m[1]!);
}

/** `stderr` without the tools' complaints about unknown users (which are not failures here). */
export function withoutInvalidUserLines(stderr: string): string {
  return stderr.split('\n').filter((line) => !/Invalid user(?: id)?: /.test(line)).join('\n');
}

/**
 * The filter with only the users `known` accepts; null when it named users and none is known
 * (the answer is then empty: no call needs to be made).
 */
export function withKnownUsers<F extends Pick<JobFilter, 'user'>>(filter: F, known: (user: string) => boolean): F | null {
  if (!filter.user?.length) return filter;
  const users = filter.user.filter(known);
  if (users.length === 0) return null;
  return users.length === filter.user.length ? filter : { ...filter, user: users };
}
