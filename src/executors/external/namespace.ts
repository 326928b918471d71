/**
 * Running a tool as another uid: `unshare --user` maps the caller's uid and gid inside an
 * unprivileged user namespace (sbatch takes the job's owner from getuid(), and only root may pass
 * --uid). The namespace changes nothing outside the process: Slurm still authenticates the
 * caller's token, and refuses a job whose owner is not the token's user.
 */
import { execaSync } from 'execa';

/** The program and the arguments in front of the tool's own that run `tool` as `as`. */
export function asIdentity(unshare: string, tool: string, as: { uid: number; gid: number }): [string, string[]] {
  return [unshare, ['--user', `--map-user=${as.uid}`, `--map-group=${as.gid}`, '--', tool]];
}

/**
 * Whether this process may run a tool as another uid in a user namespace (needs unprivileged user
 * namespaces: kernel.unprivileged_userns_clone, and no seccomp filter forbidding unshare).
 * @returns undefined when it can, else why not.
 */
export function userNamespaceProblem(): string | undefined {
  const probe = execaSync('unshare', ['--user', '--map-user=65534', '--map-group=65534', '--', 'true'], { reject: false, timeout: 5_000 });
  if (probe.exitCode === 0) return undefined;
  return String(probe.stderr || probe.shortMessage || 'unshare failed').trim().split('\n')[0];
}
