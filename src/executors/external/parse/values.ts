/** Slurm's printed values, as the tools print them under LC_ALL=C and SLURM_TIME_FORMAT=%s. */

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

/** Epoch seconds (SLURM_TIME_FORMAT=%s) to ISO 8601 UTC; 0 and placeholders are null. */
export function epochToIso(value: string | undefined): string | null {
  const n = optionalInt(value);
  return n === null || n <= 0 ? null : new Date(n * 1000).toISOString();
}

/**
 * A Slurm duration ("UNLIMITED", "1-02:03:04", "02:03:04", "03:04", "5") to whole minutes,
 * rounded up; unlimited or unset is null.
 */
export function durationToMinutes(value: string | undefined): number | null {
  const v = optionalText(value);
  if (v === null || /^(UNLIMITED|INFINITE|NOT_SET|Partition_Limit)$/i.test(v)) return null;
  const match = /^(?:(\d+)-)?(?:(\d+):)?(?:(\d+):)?(\d+)$/.exec(v);
  if (!match) return null;
  const [, days, a, b, last] = match;
  // "mm:ss", "hh:mm:ss", "d-hh", "d-hh:mm", "d-hh:mm:ss"; a bare number is minutes.
  let seconds: number;
  if (days !== undefined) {
    const parts = [a, b, last].filter((p) => p !== undefined).map(Number);
    const [h = 0, m = 0, s = 0] = parts;
    seconds = Number(days) * 86400 + h * 3600 + m * 60 + s;
  } else if (a !== undefined && b !== undefined) {
    seconds = Number(a) * 3600 + Number(b) * 60 + Number(last);
  } else if (a !== undefined) {
    seconds = Number(a) * 60 + Number(last);
  } else {
    return Number(last);
  }
  return Math.ceil(seconds / 60);
}

/** "a,b,c" to a list; placeholders to []. */
export function list(value: string | undefined): string[] {
  const v = optionalText(value);
  return v === null ? [] : v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Splits delimited tool output into records of fields, checking every record's width. */
export function records(stdout: string, fieldSep: string, recordSep: string, width: number, tool: string): string[][] {
  const out: string[][] = [];
  for (const chunk of stdout.split(recordSep)) {
    const record = chunk.replace(/^\n/, '');
    if (record.trim() === '') continue;
    const fields = record.split(fieldSep);
    if (fields.length !== width) {
      throw new UnreadableOutput(`${tool} printed a record with ${fields.length} fields, expected ${width}`);
    }
    out.push(fields);
  }
  return out;
}

/** Output that does not have the shape we asked the tool for. */
export class UnreadableOutput extends Error {
  override name = 'UnreadableOutput';
}
