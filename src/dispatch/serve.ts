import { serializeError } from '../errors.js';
import type { Executor } from '../executors/executor.js';
import type { WorkerConfig, WorkerEnvelope, WorkerTask } from './strategy.js';
import type { SchedulerCall } from '../scheduler-calls.js';

/**
 * The body of a pool worker: makes its executor from the first task's configuration, keeps it,
 * and runs one command at a time, synchronously. Every failure, making the executor included,
 * comes back as an envelope, never as a throw, so it crosses the pool as data and is rebuilt
 * as the same GatewayError on the other side. The command's scheduler call records come back in
 * the envelope, so that the main process logs them with the request (src/scheduler-calls.ts).
 */
export function serveCommands(make: (config: WorkerConfig) => Executor): (task: WorkerTask) => WorkerEnvelope {
  let executor: Executor | undefined;
  return ({ command, ctx, executor: config }) => {
    const calls: SchedulerCall[] = [];
    try {
      executor ??= make(config);
      return { ok: true, value: executor.executeSync(command, ctx, (call) => calls.push(call)), calls };
    } catch (error) {
      return { ok: false, error: serializeError(error), calls };
    }
  };
}
