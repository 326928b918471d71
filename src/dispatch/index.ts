import { CoroutineStrategy } from './coroutine.js';
import { InlineStrategy } from './inline.js';
import { ProcessStrategy } from './process.js';
import { ThreadStrategy } from './thread.js';
import type { Application, DispatchStrategy, StrategyOptions } from './strategy.js';

/** The dispatch axis: one strategy per `--application` value. */
export const STRATEGIES = {
  inline: (options) => new InlineStrategy(options),
  coroutine: (options) => new CoroutineStrategy(options),
  thread: (options) => new ThreadStrategy(options),
  process: (options) => new ProcessStrategy(options),
} as const satisfies Record<Application, (options: StrategyOptions) => DispatchStrategy>;

export function createStrategy(application: Application, options: StrategyOptions): DispatchStrategy {
  return STRATEGIES[application](options);
}

export { Dispatcher, type CommandDispatcher } from './dispatcher.js';
export { Coalescer } from './coalescer.js';
export { ValidatedJobLists } from './validated-lists.js';
export type { Application, DispatchStrategy, StrategyOptions } from './strategy.js';
export { APPLICATIONS } from './strategy.js';
