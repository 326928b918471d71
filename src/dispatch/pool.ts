import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { deserializeError, GatewayError } from '../errors.js';
import { WORKER_CONFIG_ENV, type StrategyOptions, type WorkerEnvelope } from './strategy.js';

/** Compiled worker entry; pools load JavaScript by path, so they always point at the build. */
export function workerFilename(): string {
  const here = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(here)) return here;
  // Loaded from TypeScript sources (ts-jest): use the build next to them.
  const built = fileURLToPath(new URL('../../dist/dispatch/worker.js', import.meta.url));
  if (existsSync(built)) return built;
  throw new Error(`Pool worker entry not found at ${here}: run "npm run build" first`);
}

/** The executor configuration, handed to every worker through its environment. */
export function workerEnv(options: StrategyOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  env[WORKER_CONFIG_ENV] = JSON.stringify({ executor: options.executor, executorOptions: options.executorOptions });
  return env;
}

/** Turns a worker's envelope, or the pool's own failure, into a result or a GatewayError. */
export function unwrap<T>(envelope: WorkerEnvelope): T {
  if (envelope.ok) return envelope.value as T;
  throw deserializeError(envelope.error);
}

export function poolFailure(error: unknown, signal: AbortSignal, what: string): GatewayError {
  if (signal.aborted) {
    return new GatewayError('deadline_exceeded', `The scheduler did not answer before the deadline; the ${what} running the request was stopped`, { cause: error });
  }
  return new GatewayError('worker_crashed', `The ${what} running this request died; it has been replaced, retry the request`, { cause: error, retryAfter: 1 });
}
