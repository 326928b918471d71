import { remaining, type CommandContext } from '../../context.js';
import type { ResultOf, SchedulerCommand } from '../../commands.js';
import { GatewayError } from '../../errors.js';
import type { Executor, ExecutorOptions } from '../executor.js';
import { drivePlan, drivePlanSync } from '../drive.js';
import { gaveUp, loadBinding, type AuthMode, type Binding, type OpName } from './binding.js';
import { ErrorTable } from './errors.js';
import { defaultConcurrency, Limiter } from './limiter.js';
import { planFor } from './plans.js';
import type { Plan, PlanEnv, Step } from './plan.js';
import { startedSubmitFailure } from '../../slurm/submit-outcome.js';
import { inCallersHome, noLocalAccount, submitsAJob } from '../../slurm/identity.js';
import type { CallSink } from '../../scheduler-calls.js';
import { libslurmCall } from './call-record.js';

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
 *
 * Identity: under auth 'none' every call is the gateway's own user (munge); under 'jwt' every
 * call carries the caller's token (ctx.identity.token), set thread-locally in libslurm's auth/jwt
 * plugin for that call only, and a submission is owned by the caller's local account.
 */
export class InternalExecutor implements Executor {
  readonly #binding: Binding;
  readonly #env: PlanEnv;
  readonly #limiter: Limiter;
  readonly #auth: AuthMode;

  constructor(binding: Binding, options: InternalExecutorOptions = {}) {
    this.#binding = binding;
    this.#auth = options.auth ?? 'none';
    const initialised = binding.authMode();
    if (initialised !== this.#auth) {
      throw new GatewayError('scheduler_unavailable', `--executor=internal is unavailable: libslurm is initialised with --auth=${initialised ?? '(nothing yet)'} in this process, not --auth=${this.#auth}`);
    }
    this.#limiter = new Limiter(options.maxConcurrentCalls ?? defaultConcurrency());
    binding.setSerialized(options.serializeCalls ?? false);
    this.#env = {
      binding,
      errors: new ErrorTable(binding),
      submit: { cwd: process.cwd(), uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
    };
  }

  async execute<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal?: AbortSignal, record?: CallSink): Promise<ResultOf<C>> {
    const { command: asCaller, env, token } = this.#caller(command, ctx);
    const plan: Plan<ResultOf<C>> = planFor(asCaller, env);
    return drivePlan(plan, (step) => {
      if (!record || step.kind !== 'call') return this.#runAsync(step, ctx, token, signal);
      const start = performance.now();
      return this.#runAsync(step, ctx, token, signal).then(
        (result) => { record(libslurmCall(step.op, step.args, start)); return result; },
        (error: unknown) => { record(libslurmCall(step.op, step.args, start, error)); throw error; },
      );
    });
  }

  executeSync<C extends SchedulerCommand>(command: C, ctx: CommandContext, record?: CallSink): ResultOf<C> {
    const { command: asCaller, env, token } = this.#caller(command, ctx);
    const plan: Plan<ResultOf<C>> = planFor(asCaller, env);
    return drivePlanSync(plan, (step) => {
      if (!record || step.kind !== 'call') return this.#runSync(step, ctx, token);
      const start = performance.now();
      try {
        const result = this.#runSync(step, ctx, token);
        record(libslurmCall(step.op, step.args, start));
        return result;
      } catch (error) {
        record(libslurmCall(step.op, step.args, start, error));
        throw error;
      }
    });
  }

  /**
   * Who the command runs as: the token its calls carry, and for a submission the account that
   * owns the job. Checked before anything reaches Slurm.
   * @throws GatewayError unauthorized (jwt: no token, or a submission naming no user),
   *   forbidden (none: a token; jwt: a user with no local account).
   */
  #caller<C extends SchedulerCommand>(command: C, ctx: CommandContext): { command: C; env: PlanEnv; token: string | undefined } {
    const identity = ctx.identity;
    if (this.#auth === 'none') {
      if (identity?.token) {
        throw new GatewayError('forbidden', 'The gateway runs with --auth=none: commands act as its own Slurm user, and a per-request token cannot be used');
      }
      return { command, env: this.#env, token: undefined };
    }
    const token = identity?.token;
    if (!token) throw new GatewayError('unauthorized', 'A Slurm token is required (--auth=jwt)');
    if (!submitsAJob(command)) return { command, env: this.#env, token };
    const user = identity.user;
    if (!user) throw new GatewayError('unauthorized', 'The request names no user to submit the job as');
    const account = this.#binding.account(user);
    if (!account) throw noLocalAccount(user);
    // As sbatch run by the caller in their home: the job is theirs, and runs in their home unless
    // the request names a directory (inCallersHome, the same rule as the external executor's).
    return { command: inCallersHome(command, account), env: { ...this.#env, submit: { cwd: account.home, uid: account.uid, gid: account.gid } }, token };
  }

  #runSync(step: Step, ctx: CommandContext, token: string | undefined): unknown {
    const left = remaining(ctx);
    if (left <= 0) throw (step.kind === 'sleep' && step.instead) || deadline(step);
    if (step.kind === 'sleep') {
      if (step.ms >= left) throw step.instead ?? deadline(step);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, step.ms);
      return undefined;
    }
    if (!waitsOnSlurmdbd(step)) return this.#binding.call(step.op as OpName, step.args as never, token);
    try {
      return this.#binding.call(step.op as OpName, step.args as never, token, left);
    } catch (error) {
      throw gaveUp(error) ? deadline(step) : error;
    }
  }

  async #runAsync(step: Step, ctx: CommandContext, token: string | undefined, signal?: AbortSignal): Promise<unknown> {
    if (remaining(ctx) <= 0 || signal?.aborted) throw (step.kind === 'sleep' && step.instead) || deadline(step);
    if (step.kind === 'sleep') {
      if (step.ms >= remaining(ctx)) throw step.instead ?? deadline(step);
      await new Promise((resolve) => setTimeout(resolve, step.ms));
      return undefined;
    }
    const release = await this.#limiter.acquire(signal);
    let running: Promise<unknown>;
    try {
      if (remaining(ctx) <= 0) throw deadline(step);
      running = waitsOnSlurmdbd(step)
        ? this.#binding.callAsync(step.op as OpName, step.args as never, token, remaining(ctx)).catch((error: unknown) => { throw gaveUp(error) ? deadline(step) : error; })
        : this.#binding.callAsync(step.op as OpName, step.args as never, token);
    } catch (error) {
      release(); // bad arguments throw before anything was queued
      throw error;
    }
    // A native call cannot be interrupted: past the deadline we answer and let it finish; its
    // pool slot stays taken (and counted) until it does.
    running.finally(release).catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    // A submission already handed to libslurm may reach slurmctld after we stop waiting.
    const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(step.op === 'submit' ? startedSubmitFailure(deadline(step)) : deadline(step)), remaining(ctx)); });
    try {
      return await Promise.race([running, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Calls to slurmdbd (the acct_* ops) are bounded by the deadline in the binding itself: libslurm
 * waits MessageTimeout + 35 s for a slurmdbd that accepted and does not answer, and that would hold
 * a pool's worker thread (or the event loop, inline) long after the answer, starving the live
 * routes. slurmctld's calls give up after MessageTimeout and are not bounded this way (a submission
 * must not be left running behind the caller's back in a thread nobody waits for).
 */
function waitsOnSlurmdbd(step: Step): boolean {
  return step.kind === 'call' && step.op.startsWith('acct_');
}

function deadline(step: Step): GatewayError {
  const what = step.kind === 'call' ? `libslurm ${step.op}` : 'a retry';
  return new GatewayError('deadline_exceeded', `The deadline passed before ${what} finished`);
}

/**
 * The libslurm executor. Fails at start-up, not at the first request, when the binding is not
 * built or cannot load here, when auth 'jwt' cannot find the auth/jwt plugin's thread-token
 * entry points, or when this process's libslurm was already initialised in the other auth mode.
 * @throws GatewayError scheduler_unavailable, saying why (and naming libslurm-dev and
 *   `npm run build:native` when the binding is missing).
 */
export function loadInternalExecutor(options: InternalExecutorOptions): Executor {
  return new InternalExecutor(loadBinding(undefined, options.auth ?? 'none'), options);
}
