/** The queue the workloads run against: N held jobs named srbench-*, and their clean-up. */
import type { Cluster } from './cluster.js';
import { mapLimit, run, sleep } from './exec.js';

/** Every job the bench creates has a name starting with this, so a sweep finds leftovers of any run. */
export const PREFIX = 'srbench-';

/**
 * Submits `count` held one-line batch jobs. One sbatch per job, not one array: a held array stays a
 * single pending record in slurmctld until its tasks start, so it would not make the queue longer.
 */
export async function fillQueue(cluster: Cluster, count: number, name: string): Promise<string[]> {
  const args = ['--hold', '--parsable', `--job-name=${name}`, '--partition=debug', '--time=5', '--ntasks=1', '--output=/dev/null', '--chdir=/tmp', '--wrap=true'];
  return mapLimit(Array.from({ length: count }, (_, i) => i), 8, async () => {
    const { stdout } = await run('sbatch', args, { env: cluster.env });
    return stdout.trim().split(';')[0] as string;
  });
}

export interface QueueCount {
  /** Pending jobs named `name`. */
  bench: number;
  /** Every job record slurmctld still holds (all users, all states, finished ones until MinJobAge). */
  total: number;
}

export async function countQueue(cluster: Cluster, name: string): Promise<QueueCount> {
  const { stdout } = await run('squeue', ['-h', '-t', 'all', '-o', '%i|%j|%T'], { env: cluster.env });
  const lines = stdout.split('\n').filter(Boolean);
  const bench = lines.filter((l) => { const [, n, state] = l.split('|'); return n === name && state === 'PENDING'; }).length;
  return { bench, total: lines.length };
}

/** Cancels the given job ids (in chunks); unknown or finished ids are ignored. */
export async function cancelIds(cluster: Cluster, ids: Iterable<string | number>): Promise<void> {
  const all = [...ids].map(String);
  for (let i = 0; i < all.length; i += 500) {
    await run('scancel', all.slice(i, i + 500), { env: cluster.env }).catch(() => undefined);
  }
}

/**
 * Cancels the pending jobs named `name` (submissions whose answer arrived after the load stopped),
 * whoever owns them: root's, and alice's from the `+jwt` modes (scancel runs as root).
 */
export async function cancelByName(cluster: Cluster, name: string): Promise<void> {
  await run('scancel', ['--state=PENDING', `--name=${name}`], { env: cluster.env }).catch(() => undefined);
}

/** Cancels every pending or running job whose name starts with PREFIX; returns how many there were. */
export async function sweep(cluster: Cluster): Promise<number> {
  const { stdout } = await run('squeue', ['-h', '-t', 'PENDING,RUNNING,SUSPENDED', '-o', '%i|%j'], { env: cluster.env });
  const ids = stdout.split('\n').filter(Boolean).map((l) => l.split('|')).filter(([, n]) => n?.startsWith(PREFIX)).map(([id]) => id as string);
  await cancelIds(cluster, ids);
  return ids.length;
}

/**
 * Waits (at most `maxWaitMs`) until slurmctld has purged most records of finished jobs, so that a
 * job list is about the queued jobs: cancelled ones stay for MinJobAge (300 s here) after they end,
 * and an earlier submit+cancel run leaves thousands. Resolves with the last count.
 */
export async function settle(cluster: Cluster, name: string, jobs: number, maxWaitMs: number, say: (line: string) => void): Promise<QueueCount> {
  // Other engineers' test jobs come and go; thousands of leftovers are what must not be listed.
  const tolerated = Math.max(100, Math.ceil(jobs * 0.2));
  const deadline = Date.now() + maxWaitMs;
  let told = false;
  for (;;) {
    const count = await countQueue(cluster, name);
    const extra = count.total - count.bench;
    if (extra <= tolerated || Date.now() > deadline) return count;
    if (!told) say(`bench: waiting up to ${Math.round(maxWaitMs / 1000)} s for slurmctld to purge ${extra} other job records (finished jobs stay MinJobAge)`);
    told = true;
    await sleep(10_000);
  }
}

/**
 * Waits (at most `maxWaitMs`) until slurmctld has room for `jobs` more records below 90% of
 * MaxJobCount. Past MaxJobCount slurmctld refuses submissions with EAGAIN ("Resource temporarily
 * unavailable"; sbatch retries by itself, for ever), and cancelled jobs keep their record MinJobAge.
 */
export async function ensureRoom(cluster: Cluster, jobs: number, maxWaitMs: number, say: (line: string) => void): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  let told = false;
  for (;;) {
    const { total } = await countQueue(cluster, '');
    if (total + jobs <= cluster.maxJobCount * 0.9 || Date.now() > deadline) return;
    if (!told) say(`bench: waiting up to ${Math.round(maxWaitMs / 1000)} s for room in slurmctld's job table (${total} records, MaxJobCount ${cluster.maxJobCount})`);
    told = true;
    await sleep(10_000);
  }
}
