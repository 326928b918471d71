/**
 * Entry file of pool workers, in a worker thread (piscina) or a child process (tinypool). Each
 * worker builds its own executor once and runs one command at a time, synchronously.
 */
import { createExecutor } from '../executors/index.js';
import { serializeError } from '../errors.js';
import { WORKER_CONFIG_ENV, type WorkerConfig, type WorkerEnvelope, type WorkerTask } from './strategy.js';

const raw = process.env[WORKER_CONFIG_ENV];
if (!raw) throw new Error(`${WORKER_CONFIG_ENV} is not set: this file is a pool worker entry`);
const config = JSON.parse(raw) as WorkerConfig;
const executor = createExecutor(config.kind, config.options);

export default function run({ command, ctx }: WorkerTask): WorkerEnvelope {
  try {
    return { ok: true, value: executor.executeSync(command, ctx) };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}
