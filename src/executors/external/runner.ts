/**
 * Transport: how a Slurm tool is run. argv arrays only (never a shell), a clean environment
 * (environment.ts: LC_ALL=C, epoch timestamps, no user SQUEUE_/SBATCH_ defaults), the deadline as
 * a hard timeout, and a cap on output; what a run's end means is outcome.ts. What the output means
 * is decided elsewhere (plans.ts, parse/).
 */
import { execa, execaSync, type Options, type SyncOptions } from 'execa';
import { remaining, type CommandContext } from '../../context.js';
import { GatewayError, toGatewayError } from '../../errors.js';
import type { ExecutorOptions } from '../executor.js';
import { toolEnvironment, withJobEnvironment } from './environment.js';
import type { Invocation, RunResult } from './invocation.js';
import { asIdentity } from './namespace.js';
import { runOutcome } from './outcome.js';
import { writeFiles } from './private-files.js';
import { ToolPaths } from './tools.js';

export type { Invocation, RunResult } from './invocation.js';
export { SLURM_TOOLS, type SlurmTool } from './tools.js';
export { toolEnvironment } from './environment.js';
export { userNamespaceProblem } from './namespace.js';

/**
 * What the external executor runs its plans' invocations with. Both methods fail only with a
 * GatewayError (the plan driver ends the plan on one: src/executors/drive.ts).
 */
export interface ToolRunner {
  run(invocation: Invocation, ctx: CommandContext, signal?: AbortSignal): Promise<RunResult>;
  runSync(invocation: Invocation, ctx: CommandContext): RunResult;
}

const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;

/** The transport through execa, async (SIGTERM, then SIGKILL after 1 s, at the deadline) or sync (SIGKILL). */
export class SlurmRunner implements ToolRunner {
  readonly #maxOutput: number;
  readonly #baseEnv: Record<string, string>;
  readonly #tools: ToolPaths;

  constructor(options: ExecutorOptions = {}) {
    this.#maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    this.#baseEnv = toolEnvironment(process.env);
    this.#tools = new ToolPaths(options.slurmBinDir, this.#baseEnv.PATH);
  }

  async run(invocation: Invocation, ctx: CommandContext, signal?: AbortSignal): Promise<RunResult> {
    try {
      const [file, args, fileContents, options] = this.#prepare(invocation, ctx);
      const files = writeFiles(fileContents);
      try {
        const result = await execa(file, [...args, ...files.args], { ...options, ...(signal && { cancelSignal: signal }), forceKillAfterDelay: 1000 } satisfies Options);
        return this.#outcome(invocation, result);
      } finally {
        files.remove();
      }
    } catch (error) {
      throw toGatewayError(error);
    }
  }

  runSync(invocation: Invocation, ctx: CommandContext): RunResult {
    try {
      const [file, args, fileContents, options] = this.#prepare(invocation, ctx);
      const files = writeFiles(fileContents);
      try {
        const result = execaSync(file, [...args, ...files.args], { ...options, killSignal: 'SIGKILL' } satisfies SyncOptions);
        return this.#outcome(invocation, result);
      } finally {
        files.remove();
      }
    } catch (error) {
      throw toGatewayError(error);
    }
  }

  #prepare(invocation: Invocation, ctx: CommandContext) {
    const timeout = remaining(ctx);
    if (timeout <= 0) throw new GatewayError('deadline_exceeded', `The deadline passed before ${invocation.tool} could run`);
    const { env, args, files } = withJobEnvironment(this.#baseEnv, invocation.args, invocation.jobEnvironment, ctx.identity?.token);
    const tool = this.#tools.resolve(invocation.tool);
    const [file, prefix] = invocation.as ? asIdentity(this.#tools.resolve('unshare'), tool, invocation.as) : [tool, []];
    const options = {
      env,
      extendEnv: false,
      timeout,
      maxBuffer: this.#maxOutput,
      reject: false,
      stripFinalNewline: false,
      ...(invocation.input === undefined ? { stdin: 'ignore' as const } : { input: invocation.input }),
    };
    return [file, [...prefix, ...args], files, options] as const;
  }

  #outcome(invocation: Invocation, result: Parameters<typeof runOutcome>[1]): RunResult {
    return runOutcome(invocation, result, { maxOutput: this.#maxOutput, where: this.#tools.where });
  }
}
