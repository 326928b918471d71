/**
 * Scheduler call records: what the gateway asked Slurm for one request, as plain data. Both
 * executors make them (a tool run or a libslurm call each); they travel back with a command's
 * answer from a pool worker (structured clone / IPC), and the HTTP layer logs them with the
 * request's id, sums them in the `request` line and `Server-Timing`, and answers them to `?trace=1`.
 * Nothing secret goes in: tokens and anything named like one are redacted here, in the one place
 * every record is made, and a script or a job environment is reported by its size only.
 */

/** One scheduler call. snake_case: it is answered as is in a `?trace=1` body. */
export interface SchedulerCall {
  /** `tool`: a Slurm command-line tool (external executor); `libslurm`: a library call (internal). */
  via: 'tool' | 'libslurm';
  /** The tool (`sbatch`) or the libslurm function (`slurm_load_jobs`). */
  name: string;
  /** Which daemon answers it. */
  daemon: 'slurmctld' | 'slurmdbd';
  /** The tool's argv after its name, or the call's key arguments; redacted ({@link redactArgv}, {@link redactArgs}). */
  args: string[] | Record<string, unknown>;
  /** Bytes given on stdin (sbatch reads the script there); the text itself is never recorded. */
  input_bytes?: number;
  /** Wall time of the call, milliseconds (0.1 ms resolution). */
  ms: number;
  /** The tool's exit code. */
  exit_code?: number;
  /** libslurm's errno when the call failed. */
  errno?: number;
  /** Why it failed: Slurm's error text, or the gateway's error code (deadline_exceeded, …). */
  error?: string;
  /** The tool's stderr, shortened, redacted. */
  stderr?: string;
  /**
   * This request joined an identical read already in flight (src/dispatch/coalescer.ts): the call
   * was made once, for another request of the same caller, and its answer is shared.
   */
  coalesced?: true;
}

/** Where records go as they are made. */
export type CallSink = (call: SchedulerCall) => void;

export const REDACTED = '[redacted]';
const MAX_STDERR = 2000;
const MAX_STRING = 200;
const MAX_ITEMS = 20;
/** Names that hold a secret: a flag, a variable or a field. */
const SECRET_NAME = /token|passw|secret|jwt|credential|api[-_]?key|private[-_]?key|cookie|authorization/i;
/** A JWT anywhere in a string (three base64url parts, the header starting `{"`). */
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/** A string with every JWT in it replaced. */
export function redactText(text: string): string {
  return text.replace(JWT, REDACTED);
}

/**
 * A tool's argv as it may be logged: `--flag=value` and `NAME=value` whose name looks secret
 * (token, password, secret, jwt, …), the argument after such a `--flag`, and any JWT are redacted.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let hideNext = false;
  for (const arg of argv) {
    if (hideNext && !arg.startsWith('-')) { out.push(REDACTED); hideNext = false; continue; }
    hideNext = false;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (SECRET_NAME.test(name)) {
      if (eq > 0) out.push(`${name}=${REDACTED}`);
      else { out.push(arg); hideNext = arg.startsWith('-'); }
      continue;
    }
    out.push(redactText(arg));
  }
  return out;
}

/**
 * A libslurm call's arguments as they may be logged: a script by its size, an environment by its
 * count, fields named like a secret redacted, long strings and lists shortened.
 */
export function redactArgs(args: unknown): Record<string, unknown> {
  const value = redactValue(args, 0);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : { value };
}

function redactValue(value: unknown, depth: number, key = ''): unknown {
  if (key === 'script' && typeof value === 'string') return `[${Buffer.byteLength(value)} bytes]`;
  if ((key === 'environment' || key === 'spank_job_env') && Array.isArray(value)) return `[${value.length} variables]`;
  if (SECRET_NAME.test(key) && value !== undefined && value !== null) return REDACTED;
  if (typeof value === 'string') return shorten(redactText(value), MAX_STRING);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 3) return '[…]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => redactValue(item, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `… ${value.length - MAX_ITEMS} more`] : items;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = redactValue(v, depth + 1, k);
  return out;
}

/** stderr as it may be logged: shortened and redacted; undefined when empty. */
export function redactStderr(stderr: string): string | undefined {
  const text = stderr.trim();
  return text ? shorten(redactText(text), MAX_STDERR) : undefined;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** Milliseconds since `start` (a performance.now() reading), to 0.1 ms. */
export function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

/** What a request's calls add up to (the `request` log line, Server-Timing's total). */
export function summarise(calls: readonly SchedulerCall[]): { calls: number; ms: number; coalesced: number } {
  let ms = 0;
  let coalesced = 0;
  for (const call of calls) {
    ms += call.ms;
    if (call.coalesced) coalesced++;
  }
  return { calls: calls.length, ms: Math.round(ms * 10) / 10, coalesced };
}
