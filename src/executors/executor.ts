import type { CommandContext } from '../context.js';
import type { ResultOf, SchedulerCommand } from '../commands.js';
import type { AuthMode } from '../slurm/identity.js';
import type { CallSink } from '../scheduler-calls.js';

/**
 * Runs scheduler commands against Slurm. One instance per thread or process: an executor holds
 * whatever per-process state its transport needs (a loaded libslurm, resolved binary paths).
 */
export interface Executor {
  /**
   * Asynchronous entry point, for the coroutine dispatch: never blocks the event loop.
   * `record` is given one record per scheduler call as each ends (src/scheduler-calls.ts).
   * @throws GatewayError, with a stable code, for every failure.
   */
  execute<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal?: AbortSignal, record?: CallSink): Promise<ResultOf<C>>;
  /**
   * Synchronous entry point, for inline dispatch and inside pool workers: blocks the calling
   * thread until the command is done or its deadline has passed. `record`: as for execute().
   * @throws GatewayError, with a stable code, for every failure.
   */
  executeSync<C extends SchedulerCommand>(command: C, ctx: CommandContext, record?: CallSink): ResultOf<C>;
  dispose?(): void | Promise<void>;
}

export const EXECUTOR_KINDS = ['internal', 'external'] as const;
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number];

/** Plain options, cloneable, so that every worker can build its own executor. */
export interface ExecutorOptions {
  /** Directory holding sbatch, squeue, …; undefined: look them up on PATH. */
  slurmBinDir?: string;
  /** Largest output accepted from one Slurm tool, in bytes. @default 64 MiB */
  maxOutputBytes?: number;
  /**
   * none: commands run as the gateway's own user (munge). jwt: each command carries its caller's
   * verified Slurm token in `ctx.identity` and runs as that user. @default 'none'
   */
  auth?: AuthMode;
}
