import { Tinypool } from 'tinypool';
import type { DispatchStrategy, StrategyOptions, WorkerEnvelope } from './strategy.js';
import type { CommandContext } from '../context.js';
import type { ResultOf, SchedulerCommand } from '../commands.js';
import { poolFailure, unwrap, workerEnv, workerFilename } from './pool.js';

/**
 * `--parallel` child processes (tinypool's child_process runtime). A crash, a native fault or a
 * kill ends one child only: its request answers 503 and tinypool starts a replacement.
 */
export class ProcessStrategy implements DispatchStrategy {
  readonly concurrency: number;
  readonly #pool: Tinypool;

  constructor(options: StrategyOptions) {
    this.concurrency = options.parallel;
    this.#pool = new Tinypool({
      runtime: 'child_process',
      filename: workerFilename(),
      minThreads: options.parallel,
      maxThreads: options.parallel,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      isolateWorkers: false,
      env: workerEnv(options),
    });
  }

  async dispatch<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal: AbortSignal): Promise<ResultOf<C>> {
    let envelope: WorkerEnvelope;
    try {
      envelope = await this.#pool.run({ command, ctx }, { signal });
    } catch (error) {
      throw poolFailure(error, signal, 'worker process');
    }
    return unwrap(envelope);
  }

  async dispose(): Promise<void> {
    await this.#pool.destroy();
  }
}
