import type { DispatchStrategy, StrategyOptions } from './strategy.js';
import type { Executor } from '../executors/executor.js';
import type { CommandContext } from '../context.js';
import type { ResultOf, SchedulerCommand } from '../commands.js';
import { toGatewayError } from '../errors.js';
import type { CallSink } from '../scheduler-calls.js';

/** Asynchronous calls on the event loop; the dispatcher bounds them to `--parallel` in flight. */
export class CoroutineStrategy implements DispatchStrategy {
  readonly concurrency: number;
  readonly #executor: Executor;

  constructor(options: StrategyOptions) {
    this.concurrency = options.parallel;
    this.#executor = options.makeExecutor();
  }

  async run<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal: AbortSignal, record?: CallSink): Promise<ResultOf<C>> {
    try {
      return await this.#executor.execute(command, ctx, signal, record);
    } catch (error) {
      throw toGatewayError(error);
    }
  }

  async dispose(): Promise<void> {
    await this.#executor.dispose?.();
  }
}
