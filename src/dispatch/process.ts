import { Tinypool } from 'tinypool';
import type { StrategyOptions } from './strategy.js';
import { checkExecutor, PoolStrategy, reportPoolErrors, workerFilename } from './pool.js';

/**
 * `--parallel` child processes (tinypool's child_process runtime). A crash, a native fault or a
 * kill ends one child only: its request answers 503 and tinypool starts a replacement. Past the
 * deadline the child is killed, even inside libslurm: nothing of it outlives the process.
 */
/** The gateway's environment, as a child process inherits it (tinypool's `env` replaces it). */
function childEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}

export class ProcessStrategy extends PoolStrategy {
  constructor(options: StrategyOptions, filename: string = workerFilename()) {
    checkExecutor(options);
    const pool = new Tinypool({
      runtime: 'child_process',
      filename,
      minThreads: options.parallel,
      maxThreads: options.parallel,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      isolateWorkers: false,
      // tinypool forks its children with exactly this environment (nothing when left out).
      env: childEnvironment(),
    });
    pool.on('error', reportPoolErrors(options));
    super(options.parallel, 'worker process', {
      run: (task, { signal }) => pool.run(task, { signal }),
      close: () => pool.destroy(),
      workers: () => ({ alive: pool.threads.length }),
    }, options.worker);
  }
}
