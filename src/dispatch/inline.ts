import type { DispatchStrategy, StrategyOptions } from './strategy.js';
import type { Executor } from '../executors/executor.js';
import type { CommandContext } from '../context.js';
import type { ResultOf, SchedulerCommand } from '../commands.js';
import { toGatewayError } from '../errors.js';
import type { CallSink } from '../scheduler-calls.js';

/**
 * Synchronous calls on the main thread, strictly one at a time: the troubleshooting mode. While a
 * command runs the event loop is blocked, so nothing else can interleave with it.
 */
export class InlineStrategy implements DispatchStrategy {
  readonly concurrency = 1;
  readonly #executor: Executor;

  constructor(options: StrategyOptions) {
    this.#executor = options.makeExecutor();
  }

  /**
   * The previous command blocked the event loop: let it see the sockets that closed meanwhile, so
   * an abandoned request is noticed before it runs. Three turns: to the poll phase that reads the
   * client's EOF, past it, and past the 'close' it schedules.
   */
  async catchUp(): Promise<void> {
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
  }

  async run<C extends SchedulerCommand>(command: C, ctx: CommandContext, _signal?: AbortSignal, record?: CallSink): Promise<ResultOf<C>> {
    try {
      return this.#executor.executeSync(command, ctx, record);
    } catch (error) {
      throw toGatewayError(error);
    }
  }

  async dispose(): Promise<void> {
    await this.#executor.dispose?.();
  }
}
