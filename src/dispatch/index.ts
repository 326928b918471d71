import { CoroutineStrategy } from './coroutine.js';
import { InlineStrategy } from './inline.js';
import { ProcessStrategy } from './process.js';
import { ThreadStrategy } from './thread.js';
import type { DispatchMode, DispatchStrategy, StrategyOptions } from './strategy.js';

/** The dispatch axis: one strategy per dispatch mode (`--application`). */
export const STRATEGIES = {
  inline: (options) => new InlineStrategy(options),
  coroutine: (options) => new CoroutineStrategy(options),
  thread: (options) => new ThreadStrategy(options),
  process: (options) => new ProcessStrategy(options),
} as const satisfies Record<DispatchMode, (options: StrategyOptions) => DispatchStrategy>;

export function createStrategy(mode: DispatchMode, options: StrategyOptions): DispatchStrategy {
  return STRATEGIES[mode](options);
}

export { Dispatcher, type CommandDispatcher } from './dispatcher.js';
export { Coalescer } from './coalescer.js';
export type { DispatchObserver } from './observer.js';
export { ValidatedLists } from './validated-lists.js';
export { SharedJobReads, type SharedReadSource } from './shared-reads.js';
export { RememberedOutputPaths } from './output-paths.js';
export type { DispatchMode, DispatchStrategy, StrategyOptions } from './strategy.js';
export { DISPATCH_MODES } from './strategy.js';
