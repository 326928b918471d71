import type { DispatchStrategy, StrategyOptions } from './strategy.js';
import type { Executor } from '../executors/executor.js';
import type { CommandContext } from '../context.js';
import type { ResultOf, SchedulerCommand } from '../commands.js';

/**
 * Synchronous calls on the main thread, strictly one at a time: the troubleshooting mode. While a
 * command runs the event loop is blocked, so nothing else can interleave with it.
 */
export class InlineStrategy implements DispatchStrategy {
  readonly concurrency = 1;
  readonly blocking = true;
  readonly #executor: Executor;

  constructor(options: StrategyOptions) {
    this.#executor = options.makeExecutor();
  }

  async dispatch<C extends SchedulerCommand>(command: C, ctx: CommandContext): Promise<ResultOf<C>> {
    return this.#executor.executeSync(command, ctx);
  }

  async dispose(): Promise<void> {
    await this.#executor.dispose?.();
  }
}
