import { GatewayError } from '../../errors.js';
import type { Executor, ExecutorOptions } from '../executor.js';

/**
 * The libslurm executor. Until the native binding lands (issue 3) it refuses to be built, so
 * `--executor=internal` fails at start-up with a clear message instead of at the first request.
 * @throws GatewayError always, for now.
 */
export function loadInternalExecutor(_options: ExecutorOptions): Executor {
  throw new GatewayError('scheduler_unavailable', '--executor=internal is not available yet: the libslurm binding is not built. Use --executor=external.');
}
