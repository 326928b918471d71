import { serializeError } from '../errors.js';
import type { Executor } from '../executors/executor.js';
import type { WorkerConfig, WorkerEnvelope, WorkerTask } from './strategy.js';

/**
 * The body of a pool worker: makes its executor from the first task's configuration, keeps it,
 * and runs one command at a time, synchronously. Every failure, making the executor included,
 * comes back as an envelope, never as a throw, so it crosses the pool as data and is rebuilt
 * as the same GatewayError on the other side.
 */
export function serveCommands(make: (config: WorkerConfig) => Executor): (task: WorkerTask) => WorkerEnvelope {
  let executor: Executor | undefined;
  return ({ command, ctx, executor: config }) => {
    try {
      executor ??= make(config);
      return { ok: true, value: executor.executeSync(command, ctx) };
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  };
}
