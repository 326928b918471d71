import type { CommandContext } from '../context.js';
import type { ResultOf, SchedulerCommand } from '../commands.js';
import type { Executor, ExecutorKind, ExecutorOptions } from '../executors/executor.js';

/**
 * Where a command runs. The {@link Dispatcher} in front of every strategy admits at most
 * `concurrency` commands at once, so a strategy never queues by itself.
 */
export interface DispatchStrategy {
  /** How many commands the strategy can run at once. */
  readonly concurrency: number;
  /** True when `dispatch` blocks the event loop while a command runs (inline). */
  readonly blocking?: boolean;
  /**
   * Runs one command. `signal` aborts a little after the deadline: strategies that can stop a
   * running command safely (kill a child process) do so; the others let it finish.
   * @throws GatewayError
   */
  dispatch<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal: AbortSignal): Promise<ResultOf<C>>;
  /** Releases threads and processes. In-flight commands have already finished or been given up. */
  dispose(): Promise<void>;
}

export const APPLICATIONS = ['inline', 'coroutine', 'thread', 'process'] as const;
export type Application = (typeof APPLICATIONS)[number];

/** What a pool worker builds its own executor from: plain data, cloneable into a thread or a process. */
export interface WorkerConfig {
  kind: ExecutorKind;
  options: ExecutorOptions;
}

/**
 * What a strategy is given. The composition root (src/container.ts) is the only place that knows
 * both axes: a strategy gets a way to make an executor in this process, and, for pool workers, the
 * plain configuration they make their own from; it never chooses an executor itself.
 */
export interface StrategyOptions {
  /** Makes an executor in this process (inline and coroutine run one; pools check one can be made). */
  makeExecutor: () => Executor;
  /** For pool workers. */
  worker: WorkerConfig;
  /** Threads, processes or in-flight commands. Inline always runs one at a time. */
  parallel: number;
  /**
   * Told of a pool failure outside any command: a worker that died with nothing in flight (already
   * replaced by the pool, unless it failed while starting). One that dies during a command fails
   * that command instead.
   * @default ignore
   */
  onWorkerError?: (error: Error) => void;
}

/** What a pool worker answers: errors travel as plain data and are rebuilt from their code. */
export type WorkerEnvelope =
  | { ok: true; value: unknown }
  | { ok: false; error: import('../errors.js').SerializedError };

/** The task a pool worker receives. */
export interface WorkerTask {
  command: SchedulerCommand;
  ctx: CommandContext;
}

/** Environment variable carrying the executor configuration into pool workers. */
export const WORKER_CONFIG_ENV = 'SR_WORKER_CONFIG';
