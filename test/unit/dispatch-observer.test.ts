/** What the dispatch layers report to metrics (src/dispatch/observer.ts): every command once, by kind and outcome; joins apart. */
import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import { Coalescer } from '../../src/dispatch/coalescer.js';
import type { DispatchObserver } from '../../src/dispatch/observer.js';
import type { DispatchStrategy } from '../../src/dispatch/strategy.js';
import type { RequestContext } from '../../src/context.js';
import type { CommandKind } from '../../src/commands.js';
import { GatewayError } from '../../src/errors.js';

/** Answers each command when the test releases it: ok, or the error it was given. */
class Held implements DispatchStrategy {
  readonly concurrency = 1;
  readonly #pending: Array<(error?: Error) => void> = [];
  run(command: { kind: string }): Promise<never> {
    return new Promise((resolve, reject) => this.#pending.push((error) => (error ? reject(error) : resolve({ kind: command.kind } as never))));
  }
  release(error?: Error) { this.#pending.shift()?.(error); }
  async dispose() {}
}

class Recorded implements DispatchObserver {
  commands: Array<[CommandKind, string]> = [];
  joins: CommandKind[] = [];
  seconds: number[] = [];
  command(kind: CommandKind, outcome: string, seconds: number) { this.commands.push([kind, outcome]); this.seconds.push(seconds); }
  coalesced(kind: CommandKind) { this.joins.push(kind); }
  revalidated() {}
}

const ctx = (): RequestContext => ({ requestId: 'r', deadline: Date.now() + 60_000, signal: new AbortController().signal });
const settle = (p: Promise<unknown>) => p.then(() => 'ok', (e: GatewayError) => e.code);

describe('dispatch observer', () => {
  it('reports every command once with its outcome: ok, its error code, or queue_full when refused', async () => {
    const strategy = new Held();
    const observer = new Recorded();
    const dispatcher = new Dispatcher(strategy, { queueLimit: 1, observer });
    const a = settle(dispatcher.dispatch({ kind: 'nodes.list' }, ctx()));
    const b = settle(dispatcher.dispatch({ kind: 'jobs.get', jobId: '1' }, ctx()));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await settle(dispatcher.dispatch({ kind: 'ping' }, ctx()))).toBe('queue_full');
    strategy.release();
    await a;
    await new Promise((resolve) => setImmediate(resolve));
    strategy.release(new GatewayError('job_not_found'));
    expect(await b).toBe('job_not_found');
    await new Promise((resolve) => setImmediate(resolve));
    expect(observer.commands.sort()).toEqual([['jobs.get', 'job_not_found'], ['nodes.list', 'ok'], ['ping', 'queue_full']]);
    for (const s of observer.seconds) expect(s).toBeGreaterThanOrEqual(0);
  });

  it('counts a read that joins one in flight as a join, not a command', async () => {
    const strategy = new Held();
    const observer = new Recorded();
    const coalescer = new Coalescer(new Dispatcher(strategy, { queueLimit: 10, observer }), observer);
    const reads = Array.from({ length: 5 }, () => settle(coalescer.dispatch({ kind: 'partitions.list' }, ctx())));
    await new Promise((resolve) => setImmediate(resolve)); // the one call reaches the strategy
    strategy.release();
    expect(await Promise.all(reads)).toEqual(Array(5).fill('ok'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(observer.commands).toEqual([['partitions.list', 'ok']]);
    expect(observer.joins).toEqual(Array(4).fill('partitions.list'));
  });
});
