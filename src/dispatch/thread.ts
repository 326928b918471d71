import { Piscina } from 'piscina';
import type { StrategyOptions } from './strategy.js';
import { PoolStrategy, workerEnv, workerFilename } from './pool.js';

/** `--parallel` worker threads (piscina), each with its own executor. */
export class ThreadStrategy extends PoolStrategy {
  constructor(options: StrategyOptions, filename: string = workerFilename()) {
    const pool = new Piscina({
      filename,
      minThreads: options.parallel,
      maxThreads: options.parallel,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      env: workerEnv(options),
    });
    super(options.parallel, 'worker thread', {
      run: (task, { signal }) => pool.run(task, { signal }),
      close: () => pool.close({ force: true }),
    });
  }
}
