/**
 * `validate: true` (#12), the same in both executors: Slurm's test-only submission answers when
 * and where the job would start; a refusal by Slurm (a 4xx-class reason: no such partition, a node
 * configuration that does not exist) is an answer too, `will_run: false` with Slurm's sentence.
 * An outage or a deadline stays an error (503/504): then nothing is known.
 */
import { GatewayError } from '../errors.js';
import type { JobValidation } from '../model.js';

/** The answer for Slurm's refusal, or undefined when `error` is not one (rethrow it). */
export function refusedValidation(error: unknown): JobValidation | undefined {
  if (!(error instanceof GatewayError) || error.status >= 500 && error.code !== 'scheduler_rejected') return undefined;
  const reason = typeof error.details?.slurm_error === 'string' ? error.details.slurm_error : error.message;
  return { will_run: false, start_time: null, nodes: null, partition: null, cpus: null, preempts: [], reason };
}
