import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import type { DispatchStrategy } from '../../src/dispatch/strategy.js';
import type { RequestContext } from '../../src/context.js';
import { GatewayError } from '../../src/errors.js';

/** A strategy whose commands finish when the test says so, counting how many run at once. */
class ManualStrategy implements DispatchStrategy {
  running = 0;
  peak = 0;
  started: string[] = [];
  readonly #waiters: Array<() => void> = [];
  constructor(readonly concurrency: number) {}
  async run(command: { kind: string }, ctx: { requestId: string }, signal: AbortSignal): Promise<never> {
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    this.started.push(ctx.requestId);
    try {
      await new Promise<void>((resolve, reject) => {
        this.#waiters.push(resolve);
        signal.addEventListener('abort', () => reject(new GatewayError('deadline_exceeded')));
      });
      return { kind: command.kind } as never;
    } finally {
      this.running--;
    }
  }
  finishOne() { this.#waiters.shift()?.(); }
  async dispose() {}
}

const ctx = (id: string, ms = 5000, signal = new AbortController().signal): RequestContext =>
  ({ requestId: id, deadline: Date.now() + ms, signal });
const tick = () => new Promise((r) => setTimeout(r, 10));

describe('Dispatcher', () => {
  it('runs at most `concurrency` commands at once and the rest in order', async () => {
    const strategy = new ManualStrategy(2);
    const dispatcher = new Dispatcher(strategy, { queueLimit: 10 });
    const results = ['a', 'b', 'c', 'd'].map((id) => dispatcher.dispatch({ kind: 'ping' }, ctx(id)));
    await tick();
    expect(strategy.started).toEqual(['a', 'b']);
    expect(dispatcher.waiting).toBe(2);
    for (let i = 0; i < 4; i++) { strategy.finishOne(); await tick(); }
    await Promise.all(results);
    expect(strategy.peak).toBe(2);
    expect(strategy.started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('answers 503 queue_full with Retry-After beyond the queue limit, without running the command', async () => {
    const strategy = new ManualStrategy(1);
    const dispatcher = new Dispatcher(strategy, { queueLimit: 1 });
    const first = dispatcher.dispatch({ kind: 'ping' }, ctx('a'));
    const second = dispatcher.dispatch({ kind: 'ping' }, ctx('b'));
    await tick();
    await expect(dispatcher.dispatch({ kind: 'ping' }, ctx('c'))).rejects.toMatchObject({ code: 'queue_full', status: 503, retryAfter: 1 });
    strategy.finishOne(); await tick(); strategy.finishOne();
    await Promise.all([first, second]);
    expect(strategy.started).toEqual(['a', 'b']);
  });

  it('never starts a command whose client went away while it waited', async () => {
    const strategy = new ManualStrategy(1);
    const dispatcher = new Dispatcher(strategy, { queueLimit: 5 });
    const gone = new AbortController();
    const first = dispatcher.dispatch({ kind: 'ping' }, ctx('a'));
    const second = dispatcher.dispatch({ kind: 'ping' }, ctx('b', 5000, gone.signal));
    await tick();
    gone.abort();
    strategy.finishOne();
    await first;
    await expect(second).rejects.toMatchObject({ code: 'client_closed_request' });
    expect(strategy.started).toEqual(['a']);
  });

  it('answers 504 by the deadline and keeps the slot until the strategy lets go', async () => {
    const strategy = new ManualStrategy(1);
    const dispatcher = new Dispatcher(strategy, { queueLimit: 5 });
    const started = Date.now();
    await expect(dispatcher.dispatch({ kind: 'ping' }, ctx('a', 100))).rejects.toMatchObject({ code: 'deadline_exceeded', status: 504 });
    expect(Date.now() - started).toBeLessThan(2000);
    // The slot stays taken while the strategy still runs the command...
    expect(dispatcher.running).toBe(1);
    // ...until the strategy is told to stop, a grace period after the deadline.
    await new Promise((r) => setTimeout(r, 1200));
    expect(strategy.running).toBe(0);
    expect(dispatcher.running).toBe(0);
  });

  it('gives a queued command whose deadline passed 504 without running it', async () => {
    const strategy = new ManualStrategy(1);
    const dispatcher = new Dispatcher(strategy, { queueLimit: 5 });
    const first = dispatcher.dispatch({ kind: 'ping' }, ctx('a', 5000));
    const late = dispatcher.dispatch({ kind: 'ping' }, ctx('b', 50));
    await expect(late).rejects.toMatchObject({ code: 'deadline_exceeded' });
    strategy.finishOne();
    await first;
    await tick();
    expect(strategy.started).toEqual(['a']);
  });

  it('refuses new commands once closing, and validates its options', async () => {
    const dispatcher = new Dispatcher(new ManualStrategy(1), { queueLimit: 0 });
    await dispatcher.close(0);
    await expect(dispatcher.dispatch({ kind: 'ping' }, ctx('a'))).rejects.toMatchObject({ code: 'shutting_down', status: 503 });
    expect(() => new Dispatcher(new ManualStrategy(1), { queueLimit: -1 })).toThrow('Expected queueLimit to be an integer >= 0, got -1');
  });
});
