/**
 * Deliberately broken executors, each a wrapper around a working one with one fault a real
 * executor could have. test/unit/executor-contract/broken.test.ts shows the contract catches each.
 */
import type { ResultOf, SchedulerCommand } from '../../../src/commands.js';
import type { CommandContext } from '../../../src/context.js';
import { GatewayError } from '../../../src/errors.js';
import type { Executor } from '../../../src/executors/executor.js';

interface Faults {
  /** Changes an answer. */
  answer?: (command: SchedulerCommand, value: unknown, mode: 'sync' | 'async') => unknown;
  /** Changes a failure (or turns it into an answer). */
  error?: (command: SchedulerCommand, error: GatewayError, mode: 'sync' | 'async') => unknown;
  /** How long to wait before giving a deadline_exceeded (async only). */
  lateBy?: number;
}

function wrap(inner: Executor, faults: Faults): Executor {
  const fail = (command: SchedulerCommand, error: unknown, mode: 'sync' | 'async') => {
    if (!(error instanceof GatewayError) || !faults.error) throw error;
    const replaced = faults.error(command, error, mode);
    if (replaced instanceof Error) throw replaced;
    return replaced;
  };
  const answer = (command: SchedulerCommand, value: unknown, mode: 'sync' | 'async') => (faults.answer ? faults.answer(command, value, mode) : value);
  return {
    async execute<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal?: AbortSignal): Promise<ResultOf<C>> {
      let value: unknown;
      try {
        value = await inner.execute(command, ctx, signal);
      } catch (error) {
        if (faults.lateBy && error instanceof GatewayError && error.code === 'deadline_exceeded') await new Promise((resolve) => setTimeout(resolve, faults.lateBy));
        return fail(command, error, 'async') as ResultOf<C>;
      }
      return answer(command, value, 'async') as ResultOf<C>;
    },
    executeSync<C extends SchedulerCommand>(command: C, ctx: CommandContext): ResultOf<C> {
      let value: unknown;
      try {
        value = inner.executeSync(command, ctx);
      } catch (error) {
        return fail(command, error, 'sync') as ResultOf<C>;
      }
      return answer(command, value, 'sync') as ResultOf<C>;
    },
  };
}

const mapJobs = (value: unknown, f: (job: Record<string, unknown>) => Record<string, unknown>): unknown => {
  if (Array.isArray(value)) return value.map((v) => mapJobs(v, f));
  if (value && typeof value === 'object' && 'job_id' in value && 'state' in value) return f(value as Record<string, unknown>);
  return value;
};

/** name -> how to break an executor, and the first check (by the start of its name) that must catch it. */
export const BROKEN: Record<string, { caughtBy: string; make: (inner: Executor) => Executor }> = {
  'drops a field of a job (reason)': { caughtBy: 'jobs.list:', make: (inner) => wrap(inner, {
    answer: (_, value) => mapJobs(value, ({ reason: _reason, ...rest }) => rest),
  }) },
  'normalises a field differently (submit_time in local seconds, not ISO UTC)': { caughtBy: 'jobs.list:', make: (inner) => wrap(inner, {
    answer: (_, value) => mapJobs(value, (job) => ({ ...job, submit_time: job.submit_time === null ? null : String(Date.parse(job.submit_time as string) / 1000) })),
  }) },
  'answers the wrong error code for an unknown job (not_found)': { caughtBy: 'jobs.get of an unknown job id', make: (inner) => wrap(inner, {
    error: (_, error) => (error.code === 'job_not_found' ? new GatewayError('not_found', error.message) : error),
  }) },
  'answers the right code with the wrong HTTP status': { caughtBy: 'jobs.get of an unknown job id', make: (inner) => wrap(inner, {
    error: (_, error) => Object.defineProperty(error, 'status', { value: 400 }),
  }) },
  "reports Slurm's refusal as an outage": { caughtBy: "Slurm's refusals", make: (inner) => wrap(inner, {
    error: (_, error) => (error.code === 'scheduler_rejected' || error.code === 'invalid_job_state' ? new GatewayError('scheduler_unavailable', error.message) : error),
  }) },
  'swaps the sync and async answers of a list (async in reverse order)': { caughtBy: 'execute and executeSync give the same answers', make: (inner) => wrap(inner, {
    answer: (_, value, mode) => (mode === 'async' && Array.isArray(value) ? [...value].reverse() : value),
  }) },
  'executeSync and execute disagree on a job (sync says RUNNING)': { caughtBy: 'jobs.get: a held job', make: (inner) => wrap(inner, {
    answer: (command, value, mode) => (mode === 'sync' && command.kind === 'jobs.get' ? mapJobs(value, (job) => ({ ...job, state: 'RUNNING' })) : value),
  }) },
  'reports a submission lost in transit as a failure': { caughtBy: 'a submission whose transport dies', make: (inner) => wrap(inner, {
    error: (_, error) => (error.code === 'submit_outcome_unknown' ? new GatewayError('scheduler_unavailable', error.message) : error),
  }) },
  'gives its deadline answer late (2 s past the deadline)': { caughtBy: 'execute ends with deadline_exceeded', make: (inner) => wrap(inner, { lateBy: 2000 }) },
  'answers a job id Slurm did not give': { caughtBy: 'jobs.submit answers the job id', make: (inner) => wrap(inner, {
    answer: (command, value) => (command.kind === 'jobs.submit' ? { job_id: (value as { job_id: number }).job_id + 1 } : value),
  }) },
  'swallows failed job actions (answers null)': { caughtBy: 'cancel, hold, release, requeue and update of an unknown job', make: (inner) => wrap(inner, {
    error: (command, error) => (['jobs.cancel', 'jobs.control', 'jobs.update'].includes(command.kind) ? null : error),
  }) },
};
