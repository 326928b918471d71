/**
 * slurmrestd beside the private cluster, acting as root on the same jobs as the gateway.
 *
 * What works on Slurm 22.05 here: loopback TCP with rest_auth/jwt, root's token from
 * `scontrol token`, and SLURM_JWT=daemon in slurmrestd's environment. Without SLURM_JWT=daemon
 * slurmrestd talks to slurmctld with auth/munge, which refuses a per-request token ("Rejecting
 * thread config token for user root"). rest_auth/local on a unix socket would act as the user
 * slurmrestd runs as, never root, and slurmrestd refuses to run as root (hence `-u slurmrest`).
 */
import { join } from 'node:path';
import type { Cluster } from './cluster.js';
import { freePort, startDaemon, waitFor, type Daemon } from './daemon.js';
import { run } from './exec.js';

export const SLURMRESTD_USER = 'slurmrest';

export interface Slurmrestd {
  daemon: Daemon;
  url: string;
  /** X-SLURM-USER-NAME / X-SLURM-USER-TOKEN for root. */
  headers: Record<string, string>;
}

/** Creates the unprivileged system user slurmrestd runs as, unless it exists. */
export async function ensureUser(): Promise<void> {
  try {
    await run('id', ['-u', SLURMRESTD_USER]);
  } catch {
    await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SLURMRESTD_USER]);
  }
}

/** A JWT for root from slurmctld's key (AuthAltTypes=auth/jwt). */
export async function rootToken(cluster: Cluster, lifespanS: number): Promise<string> {
  const { stdout } = await run('scontrol', ['token', 'username=root', `lifespan=${lifespanS}`], { env: cluster.env });
  const m = /SLURM_JWT=(\S+)/.exec(stdout);
  if (!m) throw new Error(`scontrol token printed no SLURM_JWT: ${stdout.trim()}`);
  return m[1] as string;
}

/**
 * @param plugins slurmrestd's `-s`: `openapi/v0.0.38` (slurmctld) for the queue workloads; the
 * history scenario adds `openapi/dbv0.0.38` (slurmdbd, also with root's token: slurmdbd.conf has
 * AuthAltTypes=auth/jwt).
 */
export async function startSlurmrestd(cluster: Cluster, logDir: string, lifespanS: number, plugins: string[] = ['openapi/v0.0.38'], logName = 'slurmrestd.log'): Promise<Slurmrestd> {
  await ensureUser();
  const port = await freePort();
  const token = await rootToken(cluster, lifespanS);
  const daemon = startDaemon(
    'slurmrestd',
    ['-f', cluster.env.SLURM_CONF as string, '-a', 'rest_auth/jwt', '-s', plugins.join(','), '-u', SLURMRESTD_USER, '-g', SLURMRESTD_USER, `127.0.0.1:${port}`],
    {
      cwd: '/tmp',
      env: { PATH: process.env.PATH, LC_ALL: 'C', SLURM_CONF: cluster.env.SLURM_CONF, SLURM_JWT: 'daemon' },
      logFile: join(logDir, logName),
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const headers = { 'X-SLURM-USER-NAME': 'root', 'X-SLURM-USER-TOKEN': token };
  await waitFor(daemon, 'slurmrestd to answer /slurm/v0.0.38/ping', 15_000, async () => {
    try {
      const response = await fetch(`${url}/slurm/v0.0.38/ping`, { headers });
      await response.arrayBuffer();
      if (response.ok) return true;
      throw new Error(`slurmrestd answered ${response.status} to /ping with root's token: ${daemon.log().slice(-400)}`);
    } catch (error) {
      if ((error as Error).message.startsWith('slurmrestd answered')) throw error;
      return undefined; // not listening yet
    }
  });
  return { daemon, url, headers };
}
