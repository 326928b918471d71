import PQueue from 'p-queue';
import { remaining, toCommandContext, type RequestContext } from '../context.js';
import type { ResultOf, SchedulerCommand } from '../commands.js';
import { GatewayError } from '../errors.js';
import { outcomeUnknown } from '../slurm/submit-outcome.js';
import type { DispatchStrategy } from './strategy.js';
import { outcomeOf, type DispatchObserver } from './observer.js';

const STOP_GRACE_MS = 1000;

export interface DispatcherOptions {
  /** Commands allowed to wait beyond the strategy's concurrency. @default 256 */
  queueLimit: number;
  /** Told of every command's kind, outcome and time (metrics). @default none */
  observer?: Pick<DispatchObserver, 'command'>;
}

/** What handlers dispatch through: the {@link Dispatcher}, optionally behind a Coalescer. */
export interface CommandDispatcher {
  /** @throws GatewayError */
  dispatch<C extends SchedulerCommand>(command: C, ctx: RequestContext): Promise<ResultOf<C>>;
  /** Stops admitting, waits up to `graceMs` for work in flight, then releases the strategy. */
  close(graceMs: number): Promise<void>;
  readonly running: number;
  readonly waiting: number;
  readonly concurrency: number;
}

/**
 * A layer over another dispatcher (coalescing, validated lists, shared reads, remembered output
 * paths): it changes what `dispatch` does, and admission's figures and the stop are the inner
 * one's. `inner` is public so the composition can be checked (test/unit/composition.test.ts).
 */
export abstract class DispatcherLayer implements CommandDispatcher {
  constructor(readonly inner: CommandDispatcher) {}

  get running(): number { return this.inner.running; }
  get waiting(): number { return this.inner.waiting; }
  get concurrency(): number { return this.inner.concurrency; }
  close(graceMs: number): Promise<void> { return this.inner.close(graceMs); }

  abstract dispatch<C extends SchedulerCommand>(command: C, ctx: RequestContext): Promise<ResultOf<C>>;
}

/**
 * Admission in front of every strategy, so that all modes share one contract: at most
 * `strategy.concurrency` commands run, at most `queueLimit` wait (then 503 queue_full), a command
 * whose client went away before it started never runs, and every answer comes by the deadline.
 */
export class Dispatcher implements CommandDispatcher {
  readonly #strategy: DispatchStrategy;
  readonly #queue: PQueue;
  readonly #queueLimit: number;
  readonly #observer: Pick<DispatchObserver, 'command'> | undefined;
  #closing = false;

  constructor(strategy: DispatchStrategy, options: DispatcherOptions) {
    if (!Number.isInteger(options.queueLimit) || options.queueLimit < 0) {
      throw new TypeError(`Expected queueLimit to be an integer >= 0, got ${options.queueLimit}`);
    }
    this.#strategy = strategy;
    this.#queueLimit = options.queueLimit;
    this.#observer = options.observer;
    this.#queue = new PQueue({ concurrency: strategy.concurrency });
  }

  get running(): number {
    return this.#queue.pending;
  }

  get waiting(): number {
    return this.#queue.size;
  }

  get concurrency(): number {
    return this.#strategy.concurrency;
  }

  /** @throws GatewayError: queue_full, shutting_down, deadline_exceeded, or the command's own. */
  dispatch<C extends SchedulerCommand>(command: C, ctx: RequestContext): Promise<ResultOf<C>> {
    const answer = this.#admit(command, ctx);
    const observer = this.#observer;
    if (!observer) return answer;
    const started = performance.now();
    const done = (outcome: string) => observer.command(command.kind, outcome, (performance.now() - started) / 1000);
    answer.then(() => done('ok'), (error: unknown) => done(outcomeOf(error)));
    return answer;
  }

  #admit<C extends SchedulerCommand>(command: C, ctx: RequestContext): Promise<ResultOf<C>> {
    if (this.#closing) {
      return Promise.reject(new GatewayError('shutting_down', undefined, { retryAfter: 5 }));
    }
    if (this.#queue.size >= this.#queueLimit && this.#queue.pending >= this.#strategy.concurrency) {
      return Promise.reject(new GatewayError('queue_full', `Too many requests are waiting (${this.#queue.size}); retry later`, { retryAfter: 1 }));
    }
    // The slot stays taken until the strategy settles, even when the client got its 504 earlier,
    // so `--parallel` really bounds the work in flight.
    const started = { value: false };
    const work = this.#queue.add(() => this.#run(command, ctx, started)) as Promise<ResultOf<C>>;
    // A submission that started may still create its job after the client's answer: say so.
    const late = command.kind === 'jobs.submit'
      ? () => (started.value ? outcomeUnknown('no answer came before the deadline while it was running') : undefined)
      : undefined;
    return withDeadline(work, ctx.deadline, late);
  }

  async #run<C extends SchedulerCommand>(command: C, ctx: RequestContext, started: { value: boolean }): Promise<ResultOf<C>> {
    await this.#strategy.catchUp?.();
    // A client that went away while its command waited: don't start it (p-queue's own signal
    // support would free the slot while the command still runs).
    if (ctx.signal.aborted) throw new GatewayError('client_closed_request');
    const left = remaining(ctx);
    if (left <= 0) throw new GatewayError('deadline_exceeded', 'The request waited in the queue until its deadline passed');
    // Executors enforce the deadline themselves (a tool is killed at the deadline, libslurm gives up
    // after MessageTimeout); the strategy is told a little later, and stops what it can stop safely
    // (a process pool kills the child; a worker thread inside libslurm is left to finish).
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new GatewayError('deadline_exceeded')), left + STOP_GRACE_MS);
    try {
      started.value = true;
      return await this.#strategy.run(command, toCommandContext(ctx), abort.signal, ctx.record);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops admitting, waits up to `graceMs` for queued and running commands, then disposes. */
  async close(graceMs: number): Promise<void> {
    this.#closing = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#queue.onIdle(),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); }),
    ]);
    clearTimeout(timer);
    this.#queue.clear();
    await this.#strategy.dispose();
  }
}

/**
 * Answers by the deadline whatever `work` does; `work` keeps running and is left to settle.
 * `late` may give another answer than deadline_exceeded (a submission that had started).
 */
export function withDeadline<T>(work: Promise<T>, deadline: number, late?: () => GatewayError | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(late?.() ?? new GatewayError('deadline_exceeded', 'The scheduler did not answer before the deadline'));
    }, Math.max(0, deadline - Date.now()));
    work.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error); },
    );
  });
}
