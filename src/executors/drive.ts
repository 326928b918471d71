/**
 * The one driver of a plan, for both executors and both entry points. A plan is a generator that
 * yields steps (a tool to run, a libslurm call, a sleep) and gets their results back; `run` does
 * one step and returns its result, or a promise of it. The driver stays synchronous while `run`
 * returns plain values (executeSync) and goes on asynchronously from the first promise (execute).
 *
 * One rule for a failed step: a GatewayError (a deadline, an abort, a tool that could not run)
 * ends the plan and is thrown out as it is; any other error (a libslurm call's SlurmCallError) is
 * thrown into the plan, which classifies it or lets it pass.
 */
import { GatewayError } from '../errors.js';

export type StepRunner<S> = (step: S) => unknown;

/** Runs `plan` to its end; a promise as soon as `run` returned one, else the plan's result. */
export function drivePlan<S, R>(plan: Generator<S, R, unknown>, run: StepRunner<S>): R | Promise<R> {
  let step = plan.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = run(step.value);
    } catch (error) {
      step = failed(plan, error);
      continue;
    }
    if (isPromise(result)) return driveAsync(plan, asStep(result), run);
    step = plan.next(result);
  }
  return step.value;
}

/** drivePlan() for a synchronous `run`: a step that returned a promise is a bug. */
export function drivePlanSync<S, R>(plan: Generator<S, R, unknown>, run: StepRunner<S>): R {
  const result = drivePlan(plan, run);
  if (isPromise(result)) throw new Error('a synchronous plan driver was given a step that returned a promise');
  return result;
}

async function driveAsync<S, R>(plan: Generator<S, R, unknown>, pending: PromiseLike<unknown>, run: StepRunner<S>): Promise<R> {
  for (;;) {
    let step: IteratorResult<S, R>;
    try {
      step = plan.next(await pending);
    } catch (error) {
      // Thrown by the step (await) or by the plan itself (next): tell them apart by where.
      if (!(error instanceof StepFailure)) throw error;
      step = failed(plan, error.error);
    }
    if (step.done) return step.value;
    pending = settle(run, step.value);
  }
}

/** A step's failure, told apart from one the plan throws while it resumes. */
class StepFailure {
  constructor(readonly error: unknown) {}
}

function settle<S>(run: StepRunner<S>, step: S): Promise<unknown> {
  try {
    return asStep(run(step));
  } catch (error) {
    return Promise.reject(new StepFailure(error));
  }
}

function asStep(result: unknown): Promise<unknown> {
  return Promise.resolve(result).catch((error: unknown) => { throw new StepFailure(error); });
}

/** The rule for a failed step: a GatewayError ends the plan; anything else goes into it. */
function failed<S, R>(plan: Generator<S, R, unknown>, error: unknown): IteratorResult<S, R> {
  if (error instanceof GatewayError) throw error;
  return plan.throw(error);
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
