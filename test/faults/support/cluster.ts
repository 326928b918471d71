/**
 * Fault injection on the private cluster that SLURM_CONF names (scripts/cluster.sh's layout:
 * <dir>/etc/slurm.conf, <dir>/run/<daemon>.pid). Only pids from our own pid files are signalled,
 * and only after checking that the process was started for <dir>; restarts go through
 * `cluster.sh up`, which is idempotent and starts whatever daemon is not running.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../support/gateway.js';

const run = promisify(execFile);

export type Daemon = 'munged' | 'mariadbd' | 'slurmdbd' | 'slurmctld' | 'slurmd';
const DAEMONS: Daemon[] = ['munged', 'mariadbd', 'slurmdbd', 'slurmctld', 'slurmd'];

/** <dir> of <dir>/etc/slurm.conf; refuses any Slurm that is not a private cluster.sh one. */
export function clusterDir(): string {
  const conf = process.env.SLURM_CONF;
  if (!conf) throw new Error('SLURM_CONF is not set: eval "$(bash scripts/cluster.sh up)"');
  const dir = dirname(dirname(conf));
  const text = readFileSync(conf, 'utf8');
  // The fault suite stops and kills daemons: never a system Slurm.
  if (!text.includes(`SlurmctldPidFile=${join(dir, 'run', 'slurmctld.pid')}`)) {
    throw new Error(`${conf} is not a private cluster made by scripts/cluster.sh; the fault suite only runs against one`);
  }
  return dir;
}

/** The live pid of one of our daemons, checked against its command line or environment. */
export function daemonPid(daemon: Daemon): number | undefined {
  const dir = clusterDir();
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'run', `${daemon}.pid`), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    if (!cmdline.includes(daemon) || !(cmdline + environ).includes(`${dir}/`)) return undefined;
  } catch {
    return undefined; // gone
  }
  return pid;
}

export function signalDaemon(daemon: Daemon, signal: NodeJS.Signals): number {
  const pid = daemonPid(daemon);
  if (pid === undefined) throw new Error(`${daemon} of ${clusterDir()} is not running`);
  process.kill(pid, signal);
  return pid;
}

/** 'T' when stopped (SIGSTOP), from /proc/<pid>/stat. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/**
 * `cluster.sh up` for this cluster: starts what is not running and waits until it all answers.
 * Its own ports, from <dir>/port-base: a CLUSTER_PORT_BASE inherited from the environment (set
 * for another cluster, as .ci/run's caller may) would move this one onto that one's ports.
 */
export async function clusterUp(): Promise<void> {
  const dir = clusterDir();
  await run('bash', [join(ROOT, 'scripts/cluster.sh'), 'up'], {
    env: { ...process.env, CLUSTER_DIR: dir, CLUSTER_PORT_BASE: readFileSync(join(dir, 'port-base'), 'utf8').trim() },
    timeout: 150_000,
  });
}

/** Resumes every stopped daemon of ours and restarts the dead ones: call it in finally/afterEach. */
export async function restoreCluster(): Promise<void> {
  for (const daemon of DAEMONS) {
    const pid = daemonPid(daemon);
    if (pid !== undefined && processState(pid) === 'T') process.kill(pid, 'SIGCONT');
  }
  await clusterUp();
}

/** Runs `fn` with `daemon` stopped (SIGSTOP); it is always resumed afterwards. */
export async function whileStopped<T>(daemon: Daemon, fn: () => Promise<T>): Promise<T> {
  const pid = signalDaemon(daemon, 'SIGSTOP');
  try {
    return await fn();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

/** Direct children of `pid` (all threads), from /proc/<pid>/task/<tid>/children. */
export function childPids(pid: number): number[] {
  const out = new Set<number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      for (const child of text.split(/\s+/).filter(Boolean)) out.add(Number(child));
    }
  } catch { /* gone */ }
  return [...out];
}

/** The gateway's pool child processes: node children (not Slurm tools it runs itself). */
export function poolChildren(gatewayPid: number): number[] {
  return childPids(gatewayPid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0] === process.execPath;
    } catch {
      return false;
    }
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
