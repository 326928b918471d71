/** What the plans ask the transport to run, and what they get back. */
import type { SlurmTool } from './tools.js';

export interface Invocation {
  tool: SlurmTool;
  args: string[];
  /** Written to the tool's stdin (sbatch reads the script from there). */
  input?: string;
  /**
   * Run the tool as this account's uid and gid inside an unprivileged user namespace (sbatch
   * takes the job's owner from getuid(), and only root may pass --uid). The namespace changes
   * nothing outside the process: Slurm still authenticates the caller's token, and refuses a
   * job whose owner is not the token's user.
   */
  as?: { uid: number; gid: number };
  /**
   * sbatch (run with --export=NIL): the job's exact environment. Written to a private
   * --export-file (NUL-separated: values may hold any character); for a caller with a token it is
   * passed by name from sbatch's own environment instead (--export=NIL,NAME,…), because sbatch
   * empties its environment when it reads an --export-file, before it authenticates, which would
   * drop SLURM_JWT.
   */
  jobEnvironment?: Record<string, string>;
}

export interface RunResult {
  invocation: Invocation;
  exitCode: number;
  stdout: string;
  stderr: string;
}
