import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { deserializeError, GatewayError } from '../errors.js';
import type { DispatchStrategy, StrategyOptions, WorkerConfig, WorkerEnvelope, WorkerTask } from './strategy.js';
import type { CommandContext } from '../context.js';
import type { CommandKind, ResultOf, SchedulerCommand } from '../commands.js';
import { outcomeUnknown } from '../slurm/submit-outcome.js';
import type { CallSink } from '../scheduler-calls.js';

/** Compiled worker entry; pools load JavaScript by path, so they always point at the build. */
export function workerFilename(): string {
  const here = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(here)) return here;
  // Loaded from TypeScript sources (ts-jest): use the build next to them.
  const built = fileURLToPath(new URL('../../dist/dispatch/worker.js', import.meta.url));
  if (existsSync(built)) return built;
  throw new Error(`Pool worker entry not found at ${here}: run "npm run build" first`);
}

/**
 * Makes one executor in this process and disposes of it: a mode that cannot work on this machine
 * (no binding, no tools) then fails at start-up, not in every worker at its first task.
 * @throws what the executor's factory throws.
 */
export function checkExecutor(options: StrategyOptions): void {
  void options.makeExecutor().dispose?.();
}

/**
 * The listener for a pool's 'error' event: piscina and tinypool emit it when a worker dies with no
 * task in flight (a child killed while idle, a worker that fails while it starts), and an
 * EventEmitter without an 'error' listener throws, which ended the gateway (issue #9).
 */
export function reportPoolErrors(options: StrategyOptions): (error: Error) => void {
  return (error) => options.onWorkerError?.(error);
}

/** What the thread and process strategies need of their pool library. */
export interface Pool {
  /** Runs a task; a pool that can stop a running task (kill a child) does so when `signal` aborts. */
  run(task: WorkerTask, options: { signal: AbortSignal }): Promise<WorkerEnvelope>;
  close(): Promise<void>;
  /** Workers alive, and utilisation when the library measures it (piscina does, tinypool does not). */
  workers(): { alive: number; utilization?: number };
}

/**
 * A strategy over a pool of workers, each with its own executor. Results and errors come back as
 * envelopes; the pool's own failures (a dead worker, an abort) become 503 or 504.
 */
export class PoolStrategy implements DispatchStrategy {
  constructor(readonly concurrency: number, readonly worker: string, readonly pool: Pool, readonly executor: WorkerConfig) {}

  async run<C extends SchedulerCommand>(command: C, ctx: CommandContext, signal: AbortSignal, record?: CallSink): Promise<ResultOf<C>> {
    let envelope: WorkerEnvelope;
    try {
      envelope = await this.pool.run({ command, ctx, executor: this.executor }, { signal });
    } catch (error) {
      throw poolFailure(error, signal, this.worker, command.kind);
    }
    if (record) for (const call of envelope.calls ?? []) record(call);
    if (envelope.ok) return envelope.value as ResultOf<C>;
    throw deserializeError(envelope.error);
  }

  dispose(): Promise<void> {
    return this.pool.close();
  }

  workers(): { alive: number; utilization?: number } {
    return this.pool.workers();
  }
}

/**
 * A dead or stopped worker. For a submission that is all we know: the worker may have sent it
 * to slurmctld before it died, so "retry" would risk a second job (submit_outcome_unknown).
 */
export function poolFailure(error: unknown, signal: AbortSignal, what: string, kind: CommandKind): GatewayError {
  if (kind === 'jobs.submit') {
    return outcomeUnknown(signal.aborted ? `the deadline passed and the ${what} running it was stopped` : `the ${what} running it died`, error);
  }
  if (signal.aborted) {
    return new GatewayError('deadline_exceeded', `The scheduler did not answer before the deadline; the ${what} running the request was stopped`, { cause: error });
  }
  return new GatewayError('worker_crashed', `The ${what} running this request died; it has been replaced, retry the request`, { cause: error, retryAfter: 1 });
}
