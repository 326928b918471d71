import type { Executor, ExecutorKind, ExecutorOptions } from './executor.js';
import { ExternalExecutor } from './external/index.js';
import { loadInternalExecutor } from './internal/index.js';

export type ExecutorFactory = (options: ExecutorOptions) => Executor;

/** The executor axis: one factory per `--executor` value. */
export const EXECUTORS = {
  external: (options) => new ExternalExecutor(options),
  internal: (options) => loadInternalExecutor(options),
} as const satisfies Record<ExecutorKind, ExecutorFactory>;

export function createExecutor(kind: ExecutorKind, options: ExecutorOptions): Executor {
  return EXECUTORS[kind](options);
}

export type { Executor, ExecutorKind, ExecutorOptions } from './executor.js';
export { EXECUTOR_KINDS } from './executor.js';
