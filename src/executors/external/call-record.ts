/** The scheduler call record of one tool run (src/scheduler-calls.ts): argv redacted, the script by its size. */
import { elapsed, redactArgv, redactStderr, type SchedulerCall } from '../../scheduler-calls.js';
import type { Invocation, RunResult } from './invocation.js';

/** sacct and sacctmgr ask slurmdbd; every other tool asks slurmctld. */
const ACCOUNTING_TOOLS: ReadonlySet<string> = new Set(['sacct', 'sacctmgr']);

/** A run that ended with an exit code (any: the plans decide what it means). */
export function toolCall(invocation: Invocation, start: number, result: RunResult): SchedulerCall {
  const stderr = redactStderr(result.stderr);
  return { ...base(invocation, start), exit_code: result.exitCode, ...(stderr && { stderr }) };
}

/** A run the transport failed: killed at the deadline or by a signal, not found, too much output. */
export function failedToolCall(invocation: Invocation, start: number, error: unknown): SchedulerCall {
  const failure = error as { code?: unknown; message?: unknown; cause?: { exitCode?: unknown; stderr?: unknown } };
  const exitCode = failure.cause?.exitCode;
  const stderr = typeof failure.cause?.stderr === 'string' ? redactStderr(failure.cause.stderr) : undefined;
  return {
    ...base(invocation, start),
    ...(typeof exitCode === 'number' && { exit_code: exitCode }),
    error: typeof failure.code === 'string' ? `${failure.code}: ${String(failure.message)}` : String(failure.message ?? error),
    ...(stderr && { stderr }),
  };
}

function base(invocation: Invocation, start: number): SchedulerCall {
  return {
    via: 'tool',
    name: invocation.tool,
    daemon: ACCOUNTING_TOOLS.has(invocation.tool) ? 'slurmdbd' : 'slurmctld',
    args: redactArgv(invocation.args),
    ...(invocation.input !== undefined && { input_bytes: Buffer.byteLength(invocation.input) }),
    ms: elapsed(start),
  };
}
