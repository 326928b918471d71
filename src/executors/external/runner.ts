/**
 * Transport: how a Slurm tool is run. argv arrays only (never a shell), a clean environment
 * (LC_ALL=C, epoch timestamps, no user SQUEUE_/SBATCH_ defaults), the deadline as a hard
 * timeout, and a cap on output. What the output means is decided elsewhere.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync, type Options, type Result, type SyncOptions, type SyncResult } from 'execa';
import { remaining, type CommandContext } from '../../context.js';
import { GatewayError } from '../../errors.js';
import type { ExecutorOptions } from '../executor.js';

export const SLURM_TOOLS = ['sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo', 'sacct', 'sdiag'] as const;
export type SlurmTool = (typeof SLURM_TOOLS)[number];

export interface Invocation {
  tool: SlurmTool;
  args: string[];
  /** Written to the tool's stdin (sbatch reads the script from there). */
  input?: string;
  /**
   * Private files the tool reads, each passed as `--flag=<path>` and removed after the run (the
   * job environment for sbatch --export-file: NUL-separated, so values may hold any character).
   */
  files?: Array<{ flag: string; content: string }>;
}

export interface RunResult {
  invocation: Invocation;
  exitCode: number;
  stdout: string;
  stderr: string;
}

const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;
/** Variables that would change what a Slurm tool does or prints behind our back. */
const SCRUBBED = /^(SQUEUE_|SINFO_|SACCT_|SBATCH_|SCANCEL_|SCONTROL_|SALLOC_|SRUN_|SLURM_(?!CONF$))/;

export class SlurmRunner {
  readonly #binDir?: string;
  readonly #maxOutput: number;
  readonly #baseEnv: Record<string, string>;

  constructor(options: ExecutorOptions = {}) {
    this.#binDir = options.slurmBinDir;
    this.#maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !SCRUBBED.test(key)) env[key] = value;
    }
    // Epoch seconds: unambiguous and free of the host's time zone (slurm_make_time_str).
    this.#baseEnv = { ...env, LC_ALL: 'C', LANG: 'C', SLURM_TIME_FORMAT: '%s' };
  }

  async run(invocation: Invocation, ctx: CommandContext, signal?: AbortSignal): Promise<RunResult> {
    const [file, options] = this.#prepare(invocation, ctx);
    const files = writeFiles(invocation);
    try {
      const result = await execa(file, [...invocation.args, ...files.args], { ...options, ...(signal && { cancelSignal: signal }), forceKillAfterDelay: 1000 } satisfies Options);
      return this.#interpret(invocation, result);
    } finally {
      files.remove();
    }
  }

  runSync(invocation: Invocation, ctx: CommandContext): RunResult {
    const [file, options] = this.#prepare(invocation, ctx);
    const files = writeFiles(invocation);
    try {
      const result = execaSync(file, [...invocation.args, ...files.args], { ...options, killSignal: 'SIGKILL' } satisfies SyncOptions);
      return this.#interpret(invocation, result);
    } finally {
      files.remove();
    }
  }

  #prepare(invocation: Invocation, ctx: CommandContext) {
    const timeout = remaining(ctx);
    if (timeout <= 0) throw new GatewayError('deadline_exceeded', `The deadline passed before ${invocation.tool} could run`);
    const env = { ...this.#baseEnv };
    if (ctx.identity?.token) env.SLURM_JWT = ctx.identity.token;
    const file = this.#binDir ? join(this.#binDir, invocation.tool) : invocation.tool;
    const options = {
      env,
      extendEnv: false,
      timeout,
      maxBuffer: this.#maxOutput,
      reject: false,
      stripFinalNewline: false,
      ...(invocation.input === undefined ? { stdin: 'ignore' as const } : { input: invocation.input }),
    };
    return [file, options] as const;
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

/** Writes an invocation's private files into a fresh 0700 directory. */
function writeFiles(invocation: Invocation): { args: string[]; remove: () => void } {
  if (!invocation.files?.length) return { args: [], remove: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'scheduler-rest-'));
  const args = invocation.files.map(({ flag, content }, i) => {
    const path = join(dir, String(i));
    writeFileSync(path, content, { mode: 0o600 });
    return `--${flag}=${path}`;
  });
  return { args, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
