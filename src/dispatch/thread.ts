import { Piscina } from 'piscina';
import type { StrategyOptions } from './strategy.js';
import { checkExecutor, PoolStrategy, reportPoolErrors, workerFilename } from './pool.js';

/**
 * `--parallel` worker threads (piscina), each with its own executor. A command is never stopped
 * from outside: Worker.terminate() cannot interrupt a thread inside a native call (libslurm), it
 * only makes the call return into a dead environment and lets piscina start one more thread while
 * the old one is still in libslurm. So the deadline is left to the executor (tools are killed,
 * libslurm gives up after MessageTimeout) and the slot stays taken until the worker answers.
 */
export class ThreadStrategy extends PoolStrategy {
  constructor(options: StrategyOptions, filename: string = workerFilename()) {
    checkExecutor(options);
    const pool = new Piscina({
      filename,
      minThreads: options.parallel,
      maxThreads: options.parallel,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
    });
    pool.on('error', reportPoolErrors(options));
    super(options.parallel, 'worker thread', {
      run: (task) => pool.run(task),
      close: () => pool.close({ force: true }),
      workers: () => ({ alive: pool.threads.length, utilization: pool.utilization }),
    }, options.worker);
  }
}
