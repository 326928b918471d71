/**
 * Many held jobs fast, for the scale and budget scenarios: held job arrays of at most 1,000 tasks,
 * each split into one job record per task by one `scontrol update JobId=<id>_[0-<n-2>] Comment=…`
 * (the last task stays in the array's own record, which then stands for that one task). A pending
 * array is ONE record in slurmctld until its tasks are split or start (so `--array=0-9999` alone
 * would add one line to squeue, not 10,000); split, each task is a job record of its own with its
 * own job id, as many as one `sbatch --hold` each would make, in about 0.2 s per 1,000 instead of
 * about 20 s. A share of the arrays belongs to alice (`sbatch --uid=alice`), for the `?user=` filter.
 */
import type { Cluster } from './cluster.js';
import { run } from './exec.js';

const ARRAY = 1000;
/** One job in ten is alice's: `GET /v1/jobs?user=alice` selects a tenth of the queue. */
export const FILTER_USER = 'alice';
export const FILTER_SHARE = 0.1;

async function submitArray(cluster: Cluster, name: string, tasks: number, user?: string): Promise<void> {
  const args = [
    ...(user ? [`--uid=${user}`, `--gid=${user}`] : []),
    '--hold', '--parsable', `--array=0-${tasks - 1}`, `--job-name=${name}`, '--partition=debug', '--time=5', '--ntasks=1',
    '--output=/dev/null', '--chdir=/tmp', '--wrap=true',
  ];
  const id = (await run('sbatch', args, { env: cluster.env })).stdout.trim().split(';')[0] as string;
  if (tasks > 1) await run('scontrol', ['update', `JobId=${id}_[0-${tasks - 2}]`, 'Comment=srbench-split'], { env: cluster.env });
}

/** Adds `count` held jobs named `name` (a tenth of them alice's), as split arrays of at most 1,000. */
export async function addJobs(cluster: Cluster, count: number, name: string): Promise<void> {
  const alice = Math.round(count * FILTER_SHARE);
  for (const [user, n] of [[undefined, count - alice], [FILTER_USER, alice]] as const) {
    for (let left = n; left > 0; left -= ARRAY) await submitArray(cluster, name, Math.min(ARRAY, left), user);
  }
}

export interface Queued {
  /** Job ids of the pending jobs named `name`, each a record of its own (the arrays' own ids left out: they answer the whole array). */
  ids: string[];
  /** Pending jobs named `name`, arrays' own records included. */
  bench: number;
  /** Every job record slurmctld holds. */
  total: number;
}

export async function queued(cluster: Cluster, name: string): Promise<Queued> {
  // %A: the record's own job id; %F: the array's job id (the same for an array's own record and for a plain job).
  const { stdout } = await run('squeue', ['-h', '-t', 'all', '-o', '%A|%F|%j|%T'], { env: cluster.env });
  const lines = stdout.split('\n').filter(Boolean).map((l) => l.split('|'));
  const mine = lines.filter(([, , n, state]) => n === name && state === 'PENDING');
  return { ids: mine.filter(([id, array]) => id !== array).map(([id]) => id as string), bench: mine.length, total: lines.length };
}
