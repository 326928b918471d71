import type { Executor, ExecutorKind, ExecutorOptions } from './executor.js';
import { ExternalExecutor } from './external/executor.js';
import { loadInternalExecutor } from './internal/executor.js';
import { exitNow } from './internal/binding.js';

export type ExecutorFactory = (options: ExecutorOptions) => Executor;

/** The executor axis: one factory per `--executor` value. */
export const EXECUTORS = {
  external: (options) => new ExternalExecutor(options),
  internal: (options) => loadInternalExecutor(options),
} as const satisfies Record<ExecutorKind, ExecutorFactory>;

export function createExecutor(kind: ExecutorKind, options: ExecutorOptions): Executor {
  return EXECUTORS[kind](options);
}

/**
 * How the process exits after a stop, per executor. process.exit() joins every worker thread; a
 * thread inside a libslurm call cannot be interrupted, so the internal executor ends the process
 * with _exit (every answer has been given by then). Tools of the external executor are ended
 * before, so its threads are never stuck.
 */
export const PROCESS_EXIT = {
  external: (code) => process.exit(code),
  internal: (code) => exitNow(code),
} as const satisfies Record<ExecutorKind, (code: number) => never>;

export type { Executor, ExecutorKind, ExecutorOptions } from './executor.js';
export { EXECUTOR_KINDS } from './executor.js';
