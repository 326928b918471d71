/**
 * A plan is a generator that yields the libslurm calls it needs and gets their results back (a
 * failed call is thrown into it), so one plan serves executeSync and execute. These are its steps
 * and the primitives every plan uses. No I/O.
 */
import { GatewayError } from '../../errors.js';
import { isSlurmCallError, type Binding, type OpArgs, type OpName, type OpResult } from './binding.js';
import type { ErrorTable } from './errors.js';
import type { SubmitContext } from './submit.js';

export type Step =
  | { kind: 'call'; op: OpName; args: unknown }
  /** Wait `ms`; when the deadline comes first, end with `instead` (a refusal that is still true) rather than deadline_exceeded. */
  | { kind: 'sleep'; ms: number; instead?: GatewayError };
export type Plan<R> = Generator<Step, R, unknown>;

/** What plans need besides the calls themselves: constants and pure helpers of the binding. */
export interface PlanEnv {
  binding: Binding;
  errors: ErrorTable;
  submit: SubmitContext;
  now?: () => number;
}
/** One libslurm call; a failure comes back as the binding's SlurmCallError. */
export function* call<N extends OpName>(op: N, args: OpArgs<N>): Generator<Step, OpResult<N>, unknown> {
  return (yield { kind: 'call', op, args }) as OpResult<N>;
}

/** One libslurm call whose failure is classified with `what` (as check() does for the tools). */
export function* must<N extends OpName>(env: PlanEnv, op: N, args: OpArgs<N>, what: string): Generator<Step, OpResult<N>, unknown> {
  try {
    return yield* call(op, args);
  } catch (error) {
    throw isSlurmCallError(error) ? env.errors.toGatewayError(error, what) : error;
  }
}

export const errnoOf = (error: unknown, env: PlanEnv, name: string) =>
  isSlurmCallError(error) && error.slurmErrno === env.binding.constants.errno[name];
