import type { CommandContext } from '../context.js';
import type { ResultOf, SchedulerCommand } from '../commands.js';
import type { Executor, ExecutorKind, ExecutorOptions } from '../executors/executor.js';
import type { CallSink, SchedulerCall } from '../scheduler-calls.js';

/**
 * Where a command runs. The {@link Dispatcher} in front of every strategy admits at most
 * `concurrency` commands at once, so a strategy never queues by itself.
 */
export interface DispatchStrategy {
  /** How many commands the strategy can run at once. */
  readonly concurrency: number;
  /**
   * Called before each command starts. A strategy that blocks the event loop while a command runs
   * (inline) lets it catch up here, so a client that went away meanwhile is noticed before its
   * command runs.
   */
  catchUp?(): Promise<void>;
  /**
   * Runs one command (the {@link Dispatcher} has admitted it). Every failure is a GatewayError,
   * whether the command ran in this process or in a pool worker. `signal` aborts a little after the deadline: strategies that can stop a
   * running command safely (kill a child process) do so; the others let it finish. `record` gets
   * the command's scheduler call records: as each call ends in this process, or all at once with a
   * pool worker's answer, success or failure (none from a worker that died).
   * @throws GatewayError
   */
  run<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal: AbortSignal, record?: CallSink): Promise<ResultOf<C>>;
  /** Releases threads and processes. In-flight commands have already finished or been given up. */
  dispose(): Promise<void>;
  /** A pool's workers now (threads or processes alive) and, when the pool library measures it, its utilisation (0-1). */
  workers?(): { alive: number; utilization?: number };
}

/** The dispatch modes (`--application`): where a command runs. */
export const DISPATCH_MODES = ['inline', 'coroutine', 'thread', 'process'] as const;
export type DispatchMode = (typeof DISPATCH_MODES)[number];

/** What a pool worker builds its own executor from: plain data, cloneable into a thread or a process. */
export interface WorkerConfig {
  kind: ExecutorKind;
  options: ExecutorOptions;
}

/**
 * What a strategy is given. The composition root (src/compose.ts) is the only place that knows
 * both axes: a strategy gets a way to make an executor in this process, and, for pool workers, the
 * plain configuration they make their own from; it never chooses an executor itself.
 */
export interface StrategyOptions {
  /**
   * Makes an executor in this process. Inline and coroutine run theirs; a pool makes one and
   * disposes of it at start-up, so that a mode that cannot work here fails before it listens
   * rather than in every worker.
   */
  makeExecutor: () => Executor;
  /** For pool workers: each makes its own executor from it (src/dispatch/worker.ts). */
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

/**
 * What a pool worker answers: errors travel as plain data and are rebuilt from their code; the
 * command's scheduler call records come back with either (plain data too).
 */
export type WorkerEnvelope =
  | { ok: true; value: unknown; calls?: SchedulerCall[] }
  | { ok: false; error: import('../errors.js').SerializedError; calls?: SchedulerCall[] };

/**
 * The task a pool worker receives: the command, and the plain configuration of the executor it
 * runs on (a worker makes that executor at its first task and keeps it). One channel for threads
 * and processes alike: tinypool's child_process runtime has no workerData.
 */
export interface WorkerTask {
  command: SchedulerCommand;
  ctx: CommandContext;
  executor: WorkerConfig;
}
