import { UnreadableOutput } from './values.js';

/** `sbatch --parsable` prints "jobid" or "jobid;cluster". Pure. */
export function parseSubmit(stdout: string): number {
  const m = /^(\d+)(;\S+)?\s*$/m.exec(stdout.trim());
  if (!m) throw new UnreadableOutput(`sbatch printed no job id: ${JSON.stringify(stdout.slice(0, 200))}`);
  return Number(m[1]);
}
