/**
 * The dispatch-strategy contract (test/support/strategy-contract.ts) over the four strategies, each
 * on the scripted executor: inline and coroutine in this process, thread and process in their
 * pools' workers (test/fixtures/workers/scripted.mjs, the gateway's own worker body over that
 * executor). Then the same checks against deliberately broken strategies, which they must fail.
 * No scheduler is involved; the pools load the build (npm run test:unit builds first).
 */
import { fileURLToPath } from 'node:url';
import { InlineStrategy } from '../../src/dispatch/inline.js';
import { CoroutineStrategy } from '../../src/dispatch/coroutine.js';
import { ThreadStrategy } from '../../src/dispatch/thread.js';
import { ProcessStrategy } from '../../src/dispatch/process.js';
import type { DispatchStrategy, StrategyOptions } from '../../src/dispatch/strategy.js';
import { GatewayError } from '../../src/errors.js';
import { scriptedExecutor } from '../fixtures/executors/scripted.mjs';
import { describeStrategy, strategyContract, type MakeStrategy, type StrategyTraits } from '../support/strategy-contract.js';

const WORKER = fileURLToPath(new URL('../fixtures/workers/scripted.mjs', import.meta.url));
const options = (parallel: number): StrategyOptions => ({
  makeExecutor: () => scriptedExecutor(GatewayError),
  // The scripted worker ignores it; a real worker makes this executor from it.
  worker: { kind: 'external', options: {} },
  parallel,
});

const STRATEGIES: Array<[string, MakeStrategy, StrategyTraits]> = [
  ['inline', (n) => new InlineStrategy(options(n)), { concurrency: () => 1, stopsOnAbort: false, isolatesExit: false }],
  ['coroutine', (n) => new CoroutineStrategy(options(n)), { concurrency: (n) => n, stopsOnAbort: true, isolatesExit: false }],
  ['thread', (n) => new ThreadStrategy(options(n), WORKER), { concurrency: (n) => n, stopsOnAbort: false, isolatesExit: true }],
  ['process', (n) => new ProcessStrategy(options(n), WORKER), { concurrency: (n) => n, stopsOnAbort: true, isolatesExit: true }],
];

for (const [name, make, traits] of STRATEGIES) describeStrategy(name, make, traits);

/** A strategy wrapped to break one promise of the contract. */
function broken(inner: MakeStrategy, change: (strategy: DispatchStrategy) => Partial<DispatchStrategy>): MakeStrategy {
  return (parallel) => {
    const strategy = inner(parallel);
    return Object.assign(Object.create(strategy) as DispatchStrategy, {
      concurrency: strategy.concurrency,
      run: strategy.run.bind(strategy),
      dispose: strategy.dispose.bind(strategy),
      ...change(strategy),
    });
  };
}

const coroutine = STRATEGIES[1]!;
const thread = STRATEGIES[2]!;
/** [what is broken, the strategy, its traits, the check that must catch it] */
const BROKEN: Array<[string, MakeStrategy, StrategyTraits, string]> = [
  ['one that reports more concurrency than it was given', broken(coroutine[1], (s) => ({ concurrency: s.concurrency * 2 })), coroutine[2], 'reports the concurrency'],
  ['one that loses the error class at its boundary', broken(thread[1], (s) => ({
    run: (command, ctx, signal) => s.run(command, ctx, signal).catch((error: GatewayError) => { throw new Error(error.message); }),
  })), thread[2], 'fails with the executor\'s GatewayError'],
  ['one that drops the caller\'s identity from the context', broken(coroutine[1], (s) => ({
    run: (command, ctx, signal) => s.run(command, { requestId: ctx.requestId, deadline: ctx.deadline }, signal),
  })), coroutine[2], 'hands it the command context unchanged'],
  ['one that does not pass the abort signal on', broken(coroutine[1], (s) => ({
    run: (command, ctx) => s.run(command, ctx, new AbortController().signal),
  })), coroutine[2], 'settles a command whose signal aborts'],
  ['one that hands a command the previous command\'s answer', broken(thread[1], (s) => {
    let previous: unknown;
    return { run: async (command, ctx, signal) => { const answer = await s.run(command, ctx, signal); const given = previous ?? answer; previous = answer; return given as never; } };
  }), thread[2], 'gives every command its own answer'],
  ['one that gives the executor more time than the request has', broken(thread[1], (s) => ({
    run: (command, ctx, signal) => s.run(command, { ...ctx, deadline: ctx.deadline + 10_000 }, signal),
  })), thread[2], 'carries the deadline'],
  ['one that leaves its worker processes running after dispose', broken(STRATEGIES[3]![1], () => ({ dispose: async () => {} })), STRATEGIES[3]![2], 'releases its workers'],
];

// Each broken strategy against the check that must catch it (the same check passes every real
// strategy above).
describe('the strategy contract fails broken strategies', () => {
  it.each(BROKEN)('%s', async (_name, make, traits, catching) => {
    const check = strategyContract.find((c) => c.name.includes(catching));
    expect(check).toBeDefined();
    await expect(check!.run(make, traits)).rejects.toThrow(/^contract broken: /);
  });
});
