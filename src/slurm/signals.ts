/** Signals as Slurm takes them: names for a request, and sig_name2num() of Slurm's proc_args.c. Pure. */
import { constants } from 'node:os';

/** The signal names a request may give (case-insensitive, "SIG" optional), besides numbers 1-64. */
export const SIGNAL_NAMES = ['HUP', 'INT', 'QUIT', 'ABRT', 'KILL', 'USR1', 'USR2', 'TERM', 'ALRM', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'PIPE'] as const;
/** A signal number a request may give. */
export const SIGNAL_NUMBER = /^([1-9]|[1-5]\d|6[0-4])$/;

/** The names in sig_name2num()'s own table (what scancel --signal=NAME knows). */
const SLURM_SIGNAL_NAMES = ['HUP', 'INT', 'QUIT', 'ABRT', 'KILL', 'ALRM', 'TERM', 'USR1', 'USR2', 'URG', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'XCPU'];

/** sig_name2num() of Slurm's proc_args.c: a number, or a name from its table, "SIG" optional; 0 when unknown. */
export function sigName2Num(text: string): number {
  const num = /^\s*([+-]?\d+)\s*$/.exec(text);
  if (num) return Number(num[1]);
  if (/^\s*[+-]?\d/.test(text)) return 0;
  const name = text.trimStart().replace(/^SIG/i, '').trimEnd().toUpperCase();
  return SLURM_SIGNAL_NAMES.includes(name) ? constants.signals[`SIG${name}` as keyof typeof constants.signals] : 0;
}
