/**
 * What a finished run means for the transport: killed at the deadline or for printing too much,
 * killed by a signal, never started (not installed); otherwise its exit code and output, which
 * the plans read. Every failure is a GatewayError carrying `details.tool`.
 */
import type { Result, SyncResult } from 'execa';
import { GatewayError } from '../../errors.js';
import type { Invocation, RunResult } from './invocation.js';

export function runOutcome(invocation: Invocation, result: Result | SyncResult, limits: { maxOutput: number; where: string }): RunResult {
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  const details = { tool: invocation.tool };
  if (result.timedOut || result.isCanceled) {
    throw new GatewayError('deadline_exceeded', `${invocation.tool} did not finish before the deadline and was killed`, { cause: result, details });
  }
  if (result.isMaxBuffer) {
    throw new GatewayError('scheduler_error', `${invocation.tool} printed more than ${limits.maxOutput} bytes`, { cause: result, details });
  }
  if (result.failed && result.exitCode === undefined && result.signal) {
    throw new GatewayError('scheduler_error', `${invocation.tool} was killed by ${result.signal}`, { cause: result, details });
  }
  if (result.failed && result.exitCode === undefined) {
    const code = (result as { code?: string }).code;
    const missing = code === 'ENOENT';
    throw new GatewayError('scheduler_unavailable', missing
      ? `${invocation.tool} was not found${limits.where}: install slurm-client or set --slurm-bin-dir`
      : `${invocation.tool} could not be run: ${result.signal ? `killed by ${result.signal}` : code ?? 'unknown failure'}`, { cause: result, details });
  }
  return { invocation, exitCode: result.exitCode ?? -1, stdout, stderr };
}
