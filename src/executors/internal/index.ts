import { remaining, type CommandContext } from '../../context.js';
import type { ResultOf, SchedulerCommand } from '../../commands.js';
import { GatewayError } from '../../errors.js';
import type { Executor, ExecutorOptions } from '../executor.js';
import { loadBinding, type Binding, type OpName } from './binding.js';
import { ErrorTable } from './errors.js';
import { defaultConcurrency, Limiter } from './limiter.js';
import { planFor, type Plan, type PlanEnv, type Step } from './plans.js';

export interface InternalExecutorOptions extends ExecutorOptions {
  /**
   * Most libslurm calls in flight on the libuv pool at once (execute() only).
   * @default UV_THREADPOOL_SIZE - 1 (3 with the default pool of 4), at least 1
   */
  maxConcurrentCalls?: number;
  /** Serialise every libslurm call in the process behind one mutex. @default false */
  serializeCalls?: boolean;
}

/**
 * Runs scheduler commands in-process through libslurm (the native binding in native/). The plans
 * say which calls make a command; this class drives them synchronously (the calling thread
 * blocks) or asynchronously (on the libuv pool, bounded by maxConcurrentCalls).
 */
export class InternalExecutor implements Executor {
  readonly #binding: Binding;
  readonly #env: PlanEnv;
  readonly #limiter: Limiter;

  constructor(binding: Binding, options: InternalExecutorOptions = {}) {
    this.#binding = binding;
    this.#limiter = new Limiter(options.maxConcurrentCalls ?? defaultConcurrency());
    binding.setSerialized(options.serializeCalls ?? false);
    this.#env = {
      binding,
      errors: new ErrorTable(binding),
      submit: { cwd: process.cwd(), uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
    };
  }

  async execute<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal?: AbortSignal): Promise<ResultOf<C>> {
    refuseForeignIdentity(ctx);
    const plan: Plan<ResultOf<C>> = planFor(command, this.#env);
    let step = plan.next();
    while (!step.done) step = resume(plan, await settle(this.#runAsync(step.value, ctx, signal)));
    return step.value;
  }

  executeSync<C extends SchedulerCommand>(command: C, ctx: CommandContext): ResultOf<C> {
    refuseForeignIdentity(ctx);
    const plan: Plan<ResultOf<C>> = planFor(command, this.#env);
    let step = plan.next();
    while (!step.done) {
      const current = step.value;
      step = resume(plan, settleSync(() => this.#runSync(current, ctx)));
    }
    return step.value;
  }

  #runSync(step: Step, ctx: CommandContext): unknown {
    const left = remaining(ctx);
    if (left <= 0) throw deadline(step);
    if (step.kind === 'sleep') {
      if (step.ms >= left) throw deadline(step);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, step.ms);
      return undefined;
    }
    return this.#binding.call(step.op as OpName, step.args as never);
  }

  async #runAsync(step: Step, ctx: CommandContext, signal?: AbortSignal): Promise<unknown> {
    if (remaining(ctx) <= 0 || signal?.aborted) throw deadline(step);
    if (step.kind === 'sleep') {
      if (step.ms >= remaining(ctx)) throw deadline(step);
      await new Promise((resolve) => setTimeout(resolve, step.ms));
      return undefined;
    }
    const release = await this.#limiter.acquire(signal);
    let running: Promise<unknown>;
    try {
      if (remaining(ctx) <= 0) throw deadline(step);
      running = this.#binding.callAsync(step.op as OpName, step.args as never);
    } catch (error) {
      release(); // bad arguments throw before anything was queued
      throw error;
    }
    // A native call cannot be interrupted: past the deadline we answer and let it finish; its
    // pool slot stays taken (and counted) until it does.
    running.finally(release).catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(deadline(step)), remaining(ctx)); });
    try {
      return await Promise.race([running, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function deadline(step: Step): GatewayError {
  const what = step.kind === 'call' ? `libslurm ${step.op}` : 'a retry';
  return new GatewayError('deadline_exceeded', `The deadline passed before ${what} finished`);
}

/**
 * In Slurm 22.05 the auth/jwt client plugin reads SLURM_JWT once per process, so an in-process
 * call cannot act as another user. Refuse rather than act as the gateway's own user.
 */
function refuseForeignIdentity(ctx: CommandContext): void {
  if (ctx.identity?.token) {
    throw new GatewayError('forbidden', '--executor=internal acts as the gateway\'s own Slurm user and cannot use a per-request token; use --executor=external');
  }
}

/**
 * The libslurm executor. Fails at start-up, not at the first request, when the binding is not
 * built or cannot load here.
 * @throws GatewayError scheduler_unavailable, naming libslurm-dev and `npm run build:native`.
 */
export function loadInternalExecutor(options: InternalExecutorOptions): Executor {
  return new InternalExecutor(loadBinding(), options);
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function settle(call: Promise<unknown>): Promise<Outcome> {
  try { return { ok: true, value: await call }; } catch (error) { return { ok: false, error }; }
}

function settleSync(call: () => unknown): Outcome {
  try { return { ok: true, value: call() }; } catch (error) { return { ok: false, error }; }
}

/** Hands a call's outcome back to its plan; a GatewayError (deadline, abort) ends the plan. */
function resume<R>(plan: Plan<R>, outcome: Outcome): IteratorResult<Step, R> {
  if (outcome.ok) return plan.next(outcome.value);
  if (outcome.error instanceof GatewayError) throw outcome.error;
  return plan.throw(outcome.error);
}
