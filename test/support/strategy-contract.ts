/**
 * The dispatch-strategy contract, in the spirit of unstorage's per-driver suite: the same checks run
 * unchanged over every strategy (test/unit/strategy-contract.test.ts), each on the scripted executor
 * of test/fixtures/executors/scripted.mjs, in this process or in its pool's workers. No scheduler.
 *
 * Each check is a plain function that throws when the strategy breaks the contract, so that the
 * suite can also be run against deliberately broken strategies and shown to fail them.
 */
import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import type { DispatchStrategy } from '../../src/dispatch/strategy.js';
import type { CommandContext, RequestContext } from '../../src/context.js';
import type { SchedulerCommand } from '../../src/commands.js';
import { GatewayError } from '../../src/errors.js';

/** What differs between strategies, by design; everything else must be the same. */
export interface StrategyTraits {
  /** The concurrency the strategy must report for a given --parallel. */
  concurrency(parallel: number): number;
  /** It stops a running command when its signal aborts (a killed child, an aborted call). */
  stopsOnAbort: boolean;
  /** A command that ends its thread or process fails alone (503), and the strategy keeps serving. */
  isolatesExit: boolean;
}

export type MakeStrategy = (parallel: number) => DispatchStrategy;
export interface StrategyCheck {
  name: string;
  run(make: MakeStrategy, traits: StrategyTraits): Promise<void>;
}

interface Scripted { echo?: string; ctx?: CommandContext; pid: number; thread: number; start?: number; end?: number }

const script = (jobId: string): SchedulerCommand => ({ kind: 'jobs.get', jobId });
const context = (ms = 5_000, extra: Partial<CommandContext> = {}): CommandContext => ({ requestId: `contract-${Math.random().toString(36).slice(2, 8)}`, deadline: Date.now() + ms, ...extra });
const requestContext = (ms = 5_000): RequestContext => ({ ...context(ms), signal: new AbortController().signal });
const never = new AbortController().signal;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`contract broken: ${message}`);
}
const json = (value: unknown) => JSON.stringify(value);

async function withStrategy<T>(strategy: DispatchStrategy, body: (strategy: DispatchStrategy) => Promise<T>): Promise<T> {
  try {
    return await body(strategy);
  } finally {
    await strategy.dispose();
  }
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('contract broken: expected a failure, got an answer');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Largest number of intervals that overlap at one instant. */
function peakOverlap(intervals: Array<{ start: number; end: number }>): number {
  const events = intervals.flatMap(({ start, end }) => [[start, 1], [end, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, delta] of events) peak = Math.max(peak, (now += delta));
  return peak;
}

export const strategyContract: StrategyCheck[] = [
  {
    name: 'answers with what the executor returned, and hands it the command context unchanged',
    run: (make) => withStrategy(make(1), async (strategy) => {
      const ctx = context(5_000, { identity: { user: 'alice', token: 'token-of-alice' } });
      const answer = await strategy.run(script('echo:hello'), ctx, never) as unknown as Scripted;
      assert(answer.echo === 'hello', `answer ${json(answer)}`);
      assert(json(answer.ctx) === json(ctx), `the executor saw ${json(answer.ctx)}, not ${json(ctx)}`);
    }),
  },
  {
    name: 'reports the concurrency of its mode, and runs that many commands at once behind the dispatcher',
    run: (make, traits) => withStrategy(make(2), async (strategy) => {
      assert(strategy.concurrency === traits.concurrency(2), `concurrency ${strategy.concurrency} for --parallel=2, expected ${traits.concurrency(2)}`);
      const dispatcher = new Dispatcher(strategy, { queueLimit: 100 });
      const answers = await Promise.all(Array.from({ length: 6 }, () => dispatcher.dispatch(script('sleep:150'), requestContext())));
      const peak = peakOverlap(answers as unknown as Array<{ start: number; end: number }>);
      assert(peak === strategy.concurrency, `${peak} commands ran at once, concurrency is ${strategy.concurrency}`);
    }),
  },
  {
    name: 'gives every command its own answer when many are in flight',
    run: (make) => withStrategy(make(2), async (strategy) => {
      const dispatcher = new Dispatcher(strategy, { queueLimit: 100 });
      const ids = Array.from({ length: 12 }, (_, i) => String(i));
      const answers = await Promise.all(ids.map((id) => dispatcher.dispatch(script(`echo:${id}`), requestContext()))) as unknown as Scripted[];
      assert(json(answers.map((a) => a.echo)) === json(ids), `answers ${json(answers.map((a) => a.echo))}`);
    }),
  },
  {
    name: 'fails with the executor\'s GatewayError: same class, code, status, message, details and Retry-After',
    run: (make) => withStrategy(make(1), async (strategy) => {
      const error = await failure(strategy.run(script('fail:not_found'), context(), never));
      assert(error instanceof GatewayError, `got ${String(error)} (${(error as Error)?.constructor?.name}), not a GatewayError`);
      const seen = { code: error.code, status: error.status, message: error.message, details: error.details, retryAfter: error.retryAfter };
      const want = { code: 'not_found', status: 404, message: 'scripted failure', details: { script: 'fail:not_found' }, retryAfter: 2 };
      assert(json(seen) === json(want), `got ${json(seen)}`);
    }),
  },
  {
    name: 'turns an unexpected error in the executor into internal_error (500), and keeps serving',
    run: (make) => withStrategy(make(1), async (strategy) => {
      const error = await failure(strategy.run(script('throw'), context(), never));
      assert(error instanceof GatewayError && error.code === 'internal_error' && error.status === 500, `got ${String(error)}`);
      assert(((await strategy.run(script('echo:after'), context(), never)) as unknown as Scripted).echo === 'after', 'no answer after the failure');
    }),
  },
  {
    name: 'carries the deadline: a command that cannot finish in time is answered deadline_exceeded by its deadline, and frees its slot',
    run: (make) => withStrategy(make(1), async (strategy) => {
      const dispatcher = new Dispatcher(strategy, { queueLimit: 10 });
      const started = Date.now();
      const error = await failure(dispatcher.dispatch(script('sleep:3000'), requestContext(300)));
      const took = Date.now() - started;
      assert(error instanceof GatewayError && error.code === 'deadline_exceeded', `got ${String(error)}`);
      assert(took < 2_000, `answered after ${took} ms for a 300 ms deadline (the command asked for 3000 ms)`);
      // The executor was told the deadline and stopped there, so the slot is free again at once.
      const next = Date.now();
      assert(((await dispatcher.dispatch(script('echo:next'), requestContext())) as unknown as Scripted).echo === 'next', 'no answer after the deadline');
      assert(Date.now() - next < 1_500, `the next command waited ${Date.now() - next} ms: the late command kept its slot past the deadline`);
    }),
  },
  {
    name: 'settles a command whose signal aborts (stopped when the mode can stop it), and keeps serving',
    run: (make, traits) => withStrategy(make(1), async (strategy) => {
      const abort = new AbortController();
      setTimeout(() => abort.abort(new GatewayError('deadline_exceeded')), 200);
      const started = Date.now();
      const outcome = await strategy.run(script('hang:2500'), context(10_000), abort.signal).then(() => 'answered', (error: unknown) => error);
      const took = Date.now() - started;
      if (traits.stopsOnAbort) {
        assert(outcome instanceof GatewayError && outcome.code === 'deadline_exceeded', `an aborted command ended with ${String(outcome)}`);
        assert(took < 2_000, `the aborted command was not stopped (settled after ${took} ms)`);
      } else {
        assert(outcome === 'answered', `a command the mode cannot stop ended with ${String(outcome)}`);
      }
      assert(((await strategy.run(script('echo:next'), context(), never)) as unknown as Scripted).echo === 'next', 'no answer after the abort');
    }),
  },
  {
    name: 'a command that ends its worker fails alone with worker_crashed (503), and the pool keeps serving',
    run: async (make, traits) => {
      if (!traits.isolatesExit) return; // inline and coroutine share the gateway's process: nothing to isolate
      await withStrategy(make(1), async (strategy) => {
        const before = await strategy.run(script('echo:before'), context(), never) as unknown as Scripted;
        const error = await failure(strategy.run(script('exit:71'), context(), never));
        assert(error instanceof GatewayError && error.code === 'worker_crashed' && error.status === 503, `got ${String(error)}`);
        const after = await strategy.run(script('echo:after'), context(), never) as unknown as Scripted;
        assert(after.echo === 'after', 'no answer after the crash');
        assert(after.pid !== before.pid || after.thread !== before.thread, 'the command ran on the worker that exited');
      });
    },
  },
  {
    name: 'releases its workers on dispose: no worker process outlives it',
    run: async (make) => {
      const strategy = make(2);
      const { pid } = await strategy.run(script('echo:x'), context(), never) as unknown as Scripted;
      const disposed = strategy.dispose().then(() => 'disposed');
      const outcome = await Promise.race([disposed, sleep(5_000).then(() => 'still disposing after 5 s')]);
      if (outcome !== 'disposed') await strategy.dispose();
      assert(outcome === 'disposed', outcome);
      if (pid === process.pid) return;
      for (let i = 0; i < 20 && alive(pid); i++) await sleep(100);
      if (alive(pid)) process.kill(pid, 'SIGKILL'); // the check failed: don't leave the child behind
      assert(!alive(pid), `worker process ${pid} still runs after dispose`);
    },
  },
];

/** Runs the contract over one strategy as jest tests. */
export function describeStrategy(name: string, make: MakeStrategy, traits: StrategyTraits): void {
  describe(`dispatch strategy contract: ${name}`, () => {
    for (const check of strategyContract) it(check.name, () => check.run(make, traits));
  });
}
