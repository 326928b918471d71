/**
 * Transport: how a Slurm tool is run. argv arrays only (never a shell), a clean environment
 * (LC_ALL=C, epoch timestamps, no user SQUEUE_/SBATCH_ defaults), the deadline as a hard
 * timeout, and a cap on output. What the output means is decided elsewhere.
 */
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync, type Options, type Result, type SyncOptions, type SyncResult } from 'execa';
import { remaining, type CommandContext } from '../../context.js';
import { GatewayError } from '../../errors.js';
import type { ExecutorOptions } from '../executor.js';
import { assertJobEnvironment } from '../../slurm/job-environment.js';

export const SLURM_TOOLS = ['sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo', 'sacct', 'sdiag'] as const;
export type SlurmTool = (typeof SLURM_TOOLS)[number];

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

/**
 * How the executor runs a tool: {@link SlurmRunner} in production; tests replay recorded output
 * through the same interface (test/support/executor-contract/).
 */
export interface ToolRunner {
  run(invocation: Invocation, ctx: CommandContext, signal?: AbortSignal): Promise<RunResult>;
  runSync(invocation: Invocation, ctx: CommandContext): RunResult;
}

const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;
/**
 * The only variables a tool gets from the gateway's own environment: where the tools and the
 * configuration are. Everything else (a caller's job variables aside) is set here, so nothing in
 * the gateway's environment (SQUEUE_FORMAT, SLURM_CLUSTERS, LD_*, NODE_OPTIONS) steers a tool.
 */
const INHERITED = ['PATH', 'SLURM_CONF'] as const;
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';

export class SlurmRunner implements ToolRunner {
  readonly #binDir?: string;
  readonly #maxOutput: number;
  readonly #baseEnv: Record<string, string>;
  readonly #paths = new Map<string, string>();

  constructor(options: ExecutorOptions = {}) {
    this.#binDir = options.slurmBinDir;
    this.#maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    this.#baseEnv = toolEnvironment(process.env);
  }

  async run(invocation: Invocation, ctx: CommandContext, signal?: AbortSignal): Promise<RunResult> {
    const [file, args, fileContents, options] = this.#prepare(invocation, ctx);
    const files = writeFiles(fileContents);
    try {
      const result = await execa(file, [...args, ...files.args], { ...options, ...(signal && { cancelSignal: signal }), forceKillAfterDelay: 1000 } satisfies Options);
      return this.#interpret(invocation, result);
    } finally {
      files.remove();
    }
  }

  runSync(invocation: Invocation, ctx: CommandContext): RunResult {
    const [file, args, fileContents, options] = this.#prepare(invocation, ctx);
    const files = writeFiles(fileContents);
    try {
      const result = execaSync(file, [...args, ...files.args], { ...options, killSignal: 'SIGKILL' } satisfies SyncOptions);
      return this.#interpret(invocation, result);
    } finally {
      files.remove();
    }
  }

  #prepare(invocation: Invocation, ctx: CommandContext) {
    const timeout = remaining(ctx);
    if (timeout <= 0) throw new GatewayError('deadline_exceeded', `The deadline passed before ${invocation.tool} could run`);
    const token = ctx.identity?.token;
    let env = { ...this.#baseEnv };
    let args = invocation.args;
    const files: PrivateFile[] = [];
    const job = invocation.jobEnvironment;
    // Checked here too, not only at the edge: this is where a job variable could reach a process
    // that is not the job (src/slurm/job-environment.ts).
    assertJobEnvironment(job);
    if (job && !token) {
      // As data: a private file only sbatch reads; sbatch itself runs with the tool environment.
      files.push({ flag: 'export-file', content: Object.entries(job).map(([k, v]) => `${k}=${v}\0`).join('') });
    } else if (job) {
      // By name: sbatch empties its environment when it reads an --export-file, before auth/jwt
      // reads SLURM_JWT, so for a token caller the job's variables must be in sbatch's own
      // environment; the names allowed there are the ones assertJobEnvironment() lets through.
      // sbatch copies the named variables and every SLURM_* one into the job: the tool
      // environment's only SLURM_* are SLURM_CONF and the token, set below.
      env = { ...env, ...job };
      delete env.SLURM_TIME_FORMAT; // sbatch prints no times, and would copy it into the job
      const names = Object.keys(job);
      if (names.length) args = args.map((arg) => (arg === '--export=NIL' ? `--export=NIL,${names.join(',')}` : arg));
    }
    if (token) env.SLURM_JWT = token;
    const tool = this.#resolve(invocation.tool);
    const [file, prefix] = invocation.as
      ? [this.#resolve('unshare'), ['--user', `--map-user=${invocation.as.uid}`, `--map-group=${invocation.as.gid}`, '--', tool]]
      : [tool, []];
    args = [...prefix, ...args];
    const options = {
      env,
      extendEnv: false,
      timeout,
      maxBuffer: this.#maxOutput,
      reject: false,
      stripFinalNewline: false,
      ...(invocation.input === undefined ? { stdin: 'ignore' as const } : { input: invocation.input }),
    };
    return [file, args, files, options] as const;
  }

  /** An absolute path when the tool's own PATH may be the job's (a caller-given PATH). */
  #resolve(tool: string): string {
    if (this.#binDir && tool !== 'unshare') return join(this.#binDir, tool);
    let path = this.#paths.get(tool);
    if (path === undefined) {
      const dirs = (this.#baseEnv.PATH ?? '/usr/bin:/bin').split(':').filter(Boolean);
      path = dirs.map((dir) => join(dir, tool)).find((candidate) => { try { accessSync(candidate, constants.X_OK); return true; } catch { return false; } }) ?? tool;
      this.#paths.set(tool, path);
    }
    return path;
  }

  #interpret(invocation: Invocation, result: Result | SyncResult): RunResult {
    const stdout = String(result.stdout ?? '');
    const stderr = String(result.stderr ?? '');
    const details = { tool: invocation.tool };
    if (result.timedOut || result.isCanceled) {
      throw new GatewayError('deadline_exceeded', `${invocation.tool} did not finish before the deadline and was killed`, { cause: result, details });
    }
    if (result.isMaxBuffer) {
      throw new GatewayError('scheduler_error', `${invocation.tool} printed more than ${this.#maxOutput} bytes`, { cause: result, details });
    }
    if (result.failed && result.exitCode === undefined && result.signal) {
      throw new GatewayError('scheduler_error', `${invocation.tool} was killed by ${result.signal}`, { cause: result, details });
    }
    if (result.failed && result.exitCode === undefined) {
      const code = (result as { code?: string }).code;
      const missing = code === 'ENOENT';
      throw new GatewayError('scheduler_unavailable', missing
        ? `${invocation.tool} was not found${this.#binDir ? ` in ${this.#binDir}` : ' on PATH'}: install slurm-client or set --slurm-bin-dir`
        : `${invocation.tool} could not be run: ${result.signal ? `killed by ${result.signal}` : code ?? 'unknown failure'}`, { cause: result, details });
    }
    return { invocation, exitCode: result.exitCode ?? -1, stdout, stderr };
  }
}

/**
 * A tool's environment, from an allow-list of the gateway's own ({@link INHERITED}) plus fixed
 * settings: the C locale, and times as epoch seconds, unambiguous and free of the host's time
 * zone (slurm_make_time_str).
 */
export function toolEnvironment(from: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = from[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  env.PATH ??= FALLBACK_PATH;
  return { ...env, LC_ALL: 'C', LANG: 'C', SLURM_TIME_FORMAT: '%s' };
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

/** A file only the tool reads, passed as `--flag=<path>` and removed after the run. */
interface PrivateFile {
  flag: string;
  content: string;
}

/** Writes a run's private files into a fresh 0700 directory. */
function writeFiles(files: PrivateFile[]): { args: string[]; remove: () => void } {
  if (!files.length) return { args: [], remove: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'scheduler-rest-'));
  const args = files.map(({ flag, content }, i) => {
    const path = join(dir, String(i));
    writeFileSync(path, content, { mode: 0o600 });
    return `--${flag}=${path}`;
  });
  return { args, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
