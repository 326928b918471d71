/**
 * The submit options real sites use (#12), as Slurm spells and reads them, shared by the request
 * schema (src/http/schemas.ts) and both executors. Each value's grammar is checked before Slurm
 * sees it; each reaches Slurm as data (an argv element or a job_desc_msg_t field), never a shell.
 */

/** sbatch --mail-type names, and the bits they set in job_desc_msg_t.mail_type (slurm.h, 22.05). */
export const MAIL_TYPES = {
  NONE: 0,
  BEGIN: 0x0001,
  END: 0x0002,
  FAIL: 0x0004,
  REQUEUE: 0x0008,
  TIME_LIMIT: 0x0010,
  TIME_LIMIT_90: 0x0020,
  TIME_LIMIT_80: 0x0040,
  TIME_LIMIT_50: 0x0080,
  STAGE_OUT: 0x0100,
  ARRAY_TASKS: 0x0200,
  INVALID_DEPEND: 0x0400,
  /** slurm_opt.c: BEGIN, END, FAIL, REQUEUE, STAGE_OUT and INVALID_DEPEND. */
  ALL: 0x0001 | 0x0002 | 0x0004 | 0x0008 | 0x0100 | 0x0400,
} as const;
export type MailType = keyof typeof MAIL_TYPES;
export const MAIL_TYPE_NAMES = Object.keys(MAIL_TYPES) as MailType[];

/** The mail_type bits of a list of names (NONE alone is 0). */
export function mailTypeBits(names: readonly MailType[]): number {
  return names.reduce((bits, name) => bits | MAIL_TYPES[name], 0);
}

/** A GRES item: name[:type][:count], e.g. gpu, gpu:2, gpu:a100:2 (names and types are letters, digits, _ . -). */
const GRES_ITEM = '[A-Za-z][A-Za-z0-9_.-]{0,63}(:[A-Za-z0-9_.-]{1,64})?(:\\d{1,9})?';
export const GRES = new RegExp(`^${GRES_ITEM}(,${GRES_ITEM})*$`);

/** --gpus: [type:]count. */
export const GPUS = /^([A-Za-z][A-Za-z0-9_.-]{0,63}:)?\d{1,9}$/;

/**
 * A constraint expression (sbatch --constraint): feature names joined by & (and), | (or), with
 * optional *count, [ ] for matching OR and ( ) for grouping. Letters, digits and _ . - in names.
 */
export const CONSTRAINT = /^[A-Za-z0-9_.()[\]&|*-]+$/;

/** --licenses: name[:count] joined by , (all) or | (any). */
export const LICENSES = /^[A-Za-z0-9_.-]{1,64}(:\d{1,9})?([,|][A-Za-z0-9_.-]{1,64}(:\d{1,9})?)*$/;

/**
 * --mail-user: a user name or an e-mail address. It ends up as an argument of MailProg on the
 * controller's host, so it can never start with `-` (an option there) and holds no spaces or
 * shell characters.
 */
export const MAIL_USER = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}(@[A-Za-z0-9][A-Za-z0-9.-]{0,252})?$/;

/**
 * An epoch second as sbatch's --begin/--deadline read a time: YYYY-MM-DDTHH:MM:SS in sbatch's
 * TZ, which is UTC (the tools' environment) unless the job's environment sets TZ: under
 * --auth=jwt sbatch runs with the job's variables, TZ included. Undefined when `timeZone` is
 * not a zone this process knows (then the time cannot be written for sbatch exactly).
 */
export function slurmTime(epochSeconds: number, timeZone = 'UTC'): string | undefined {
  if (timeZone === 'UTC') return new Date(epochSeconds * 1000).toISOString().slice(0, 19);
  try {
    // sv-SE writes "YYYY-MM-DD HH:MM:SS".
    const text = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(epochSeconds * 1000));
    return text.replace(' ', 'T');
  } catch {
    return undefined;
  }
}
