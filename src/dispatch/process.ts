import { Tinypool } from 'tinypool';
import type { StrategyOptions } from './strategy.js';
import { PoolStrategy, reportPoolErrors, workerEnv, workerFilename } from './pool.js';

/**
 * `--parallel` child processes (tinypool's child_process runtime). A crash, a native fault or a
 * kill ends one child only: its request answers 503 and tinypool starts a replacement. Past the
 * deadline the child is killed, even inside libslurm: nothing of it outlives the process.
 */
export class ProcessStrategy extends PoolStrategy {
  constructor(options: StrategyOptions, filename: string = workerFilename()) {
    const pool = new Tinypool({
      runtime: 'child_process',
      filename,
      minThreads: options.parallel,
      maxThreads: options.parallel,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      isolateWorkers: false,
      env: workerEnv(options),
    });
    pool.on('error', reportPoolErrors(options));
    super(options.parallel, 'worker process', {
      run: (task, { signal }) => pool.run(task, { signal }),
      close: () => pool.destroy(),
    });
  }
}
