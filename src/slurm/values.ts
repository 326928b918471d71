/**
 * Slurm's values as its tools print them (under LC_ALL=C and SLURM_TIME_FORMAT=%s) and as libslurm
 * hands them over once formatted the same way: placeholders, epoch times, durations, lists, wait
 * statuses. Both executors read every field with these rules, so they answer alike. Pure.
 */

const EMPTY = new Set(['', 'N/A', 'n/a', '(null)', 'None', 'none', 'Unknown', 'NONE', '(none)']);

export function optionalText(value: string | undefined): string | null {
  const v = (value ?? '').trim();
  return EMPTY.has(v) ? null : v;
}

export function optionalInt(value: string | undefined): number | null {
  const v = optionalText(value);
  if (v === null || !/^-?\d+$/.test(v)) return null;
  return Number(v);
}

/** A count Slurm leaves 0 (or NO_VAL16, 65534) when it was not asked for: null then. */
export function positiveOrNull(n: number | null): number | null {
  return n === null || n <= 0 || n >= 65534 ? null : n;
}

/**
 * The last second RFC 3339 can write, 9999-12-31T23:59:59Z. Slurm's estimates can lie beyond it:
 * a start behind a running job without an end is about now + 2^32 minutes (year 10193, seen from
 * `sbatch --test-only` and slurm_job_will_run2 on a busy node). Such a time is not known: null.
 */
const LAST_WRITABLE_SECOND = 253_402_300_799;

/** Epoch seconds (SLURM_TIME_FORMAT=%s) to ISO 8601 UTC; 0, placeholders and times past year 9999 are null. */
export function epochToIso(value: string | number | undefined): string | null {
  const n = typeof value === 'number' ? value : optionalInt(value);
  return n === null || !Number.isFinite(n) || n <= 0 || n > LAST_WRITABLE_SECOND ? null : new Date(n * 1000).toISOString();
}

/**
 * A Slurm duration ("UNLIMITED", "1-02:03:04", "02:03:04", "03:04", "5") to whole minutes,
 * rounded up; unlimited or unset is null.
 */
export function durationToMinutes(value: string | undefined): number | null {
  const v = optionalText(value);
  if (v === null || /^(UNLIMITED|INFINITE|NOT_SET|Partition_Limit)$/i.test(v)) return null;
  return minutesOf(v) ?? null;
}

/**
 * time_str2mins() of Slurm (what sbatch --time and scontrol TimeLimit= read): "m", "m:s",
 * "h:m:s", "d-h", "d-h:m", "d-h:m:s"; seconds round up; -1, INFINITE and UNLIMITED are -1.
 */
export function timeStr2Mins(text: string): number | undefined {
  const t = text.trim();
  if (/^(-1|INFINITE|UNLIMITED)$/i.test(t)) return -1;
  return minutesOf(t);
}

/** "mm:ss", "hh:mm:ss", "d-hh", "d-hh:mm", "d-hh:mm:ss" to minutes, rounded up; a bare number is minutes. */
function minutesOf(v: string): number | undefined {
  const match = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(v);
  if (!match) return undefined;
  const [, days, a, b, c] = match;
  let seconds: number;
  if (days !== undefined) seconds = Number(days) * 86400 + Number(a) * 3600 + Number(b ?? 0) * 60 + Number(c ?? 0);
  else if (c !== undefined) seconds = Number(a) * 3600 + Number(b) * 60 + Number(c);
  else if (b !== undefined) seconds = Number(a) * 60 + Number(b);
  else return Number(a);
  return Math.ceil(seconds / 60);
}

/** "a,b,c" to a list; placeholders to []. */
export function list(value: string | undefined): string[] {
  const v = optionalText(value);
  return v === null ? [] : v.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * squeue prints the raw wait(2) status. Exited: its exit status; killed by a signal: 128 + the
 * signal, as a shell reports it.
 */
export function exitCode(value: string): number | null {
  const raw = optionalInt(value);
  if (raw === null) return null;
  const signal = raw & 0x7f;
  return signal === 0 ? (raw >> 8) & 0xff : 128 + signal;
}
