import { Piscina } from 'piscina';
import type { DispatchStrategy, StrategyOptions, WorkerEnvelope } from './strategy.js';
import type { CommandContext } from '../context.js';
import type { ResultOf, SchedulerCommand } from '../commands.js';
import { poolFailure, unwrap, workerEnv, workerFilename } from './pool.js';

/** `--parallel` worker threads (piscina), each with its own executor. */
export class ThreadStrategy implements DispatchStrategy {
  readonly concurrency: number;
  readonly #pool: Piscina;

  constructor(options: StrategyOptions) {
    this.concurrency = options.parallel;
    this.#pool = new Piscina({
      filename: workerFilename(),
      minThreads: options.parallel,
      maxThreads: options.parallel,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      env: workerEnv(options),
    });
  }

  async dispatch<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal: AbortSignal): Promise<ResultOf<C>> {
    let envelope: WorkerEnvelope;
    try {
      envelope = await this.#pool.run({ command, ctx }, { signal });
    } catch (error) {
      throw poolFailure(error, signal, 'worker thread');
    }
    return unwrap(envelope);
  }

  async dispose(): Promise<void> {
    await this.#pool.close({ force: true });
  }
}
