import { existsSync } from 'node:fs';
import { configurationProblem } from '../slurm/configuration.js';
import type { Executor, ExecutorKind, ExecutorOptions } from './executor.js';
import { ExternalExecutor } from './external/executor.js';
import { loadInternalExecutor } from './internal/executor.js';
import { exitNow } from './internal/binding.js';

/** What the composition root and the pool workers need to know of one `--executor` value. */
export interface ExecutorEntry {
  /** Makes an executor in this thread or process. @throws when it cannot work on this machine. */
  create(options: ExecutorOptions): Executor;
  /**
   * Ends the process after a stop. process.exit() joins every worker thread; a thread inside a
   * libslurm call cannot be interrupted, so the internal executor ends the process with _exit
   * (every answer has been given by then). Tools of the external executor are ended before, so
   * its threads are never stuck.
   */
  exitProcess(code: number): never;
  /** Answers jobs.list.since and nodes.list.since (slurmctld's "nothing changed since"), so job and node lists can be validated instead of reloaded. */
  answersListSince: boolean;
}

/** The executor axis: one entry per `--executor` value. */
export const EXECUTORS = {
  external: {
    create: (options) => {
      // As the internal executor does (its binding checks the same): refuse to start rather than
      // answer every request 502 "Could not establish a configuration source".
      const problem = configurationProblem(process.env.SLURM_CONF, existsSync);
      if (problem) throw new Error(`--executor=external is unavailable: ${problem}`);
      return new ExternalExecutor(options);
    },
    exitProcess: (code) => process.exit(code),
    answersListSince: false,
  },
  internal: {
    create: (options) => loadInternalExecutor(options),
    exitProcess: (code) => exitNow(code),
    answersListSince: true,
  },
} as const satisfies Record<ExecutorKind, ExecutorEntry>;

export type { Executor, ExecutorKind, ExecutorOptions } from './executor.js';
export { EXECUTOR_KINDS } from './executor.js';
