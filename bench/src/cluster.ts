/** The private cluster (scripts/cluster.sh) and what the bench reads from it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec.js';

export interface Cluster {
  /** SLURM_CONF and the rest of what `cluster.sh up` exports. */
  env: Record<string, string>;
  dir: string;
  /** The slurmctld pid, for its CPU time. */
  ctldPid: number;
  /** The munged pid: every libslurm client call costs a munge credential, JWT-authenticated ones do not. */
  mungedPid: number;
  /** Every daemon of the private cluster (munged, mariadbd, slurmdbd, slurmctld, slurmd). */
  daemonPids: number[];
  /** slurmctld's MaxJobCount and MinJobAge (s): finished jobs keep their record that long, and count. */
  maxJobCount: number;
  minJobAgeS: number;
  slurmVersion: string;
}

/** A cluster.sh profile: `scale` adds `nodes` simulated CLOUD nodes and raises MaxJobCount (see cluster.sh). */
export type ClusterProfile = { name: 'normal' } | { name: 'scale'; nodes: number };

/**
 * `eval "$(bash scripts/cluster.sh up)"`: idempotent; parses its `export NAME=value` lines. With
 * another profile than the one running, cluster.sh rewrites slurm.conf and restarts slurmctld and
 * slurmd; the normal profile writes the normal slurm.conf back.
 */
export async function clusterUp(root: string, profile: ClusterProfile = { name: 'normal' }): Promise<Cluster> {
  const profileEnv = profile.name === 'scale' ? { CLUSTER_PROFILE: 'scale', CLUSTER_SCALE_NODES: String(profile.nodes) } : { CLUSTER_PROFILE: 'normal' };
  const { stdout } = await run('bash', [join(root, 'scripts/cluster.sh'), 'up'], { timeoutMs: 600_000, env: profileEnv });
  const env: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    // printf %q leaves plain paths as they are; strip quotes if any were added.
    if (m) env[m[1] as string] = (m[2] as string).replace(/^'(.*)'$/, '$1').replace(/\\(.)/g, '$1');
  }
  if (!env.SLURM_CONF) throw new Error(`scripts/cluster.sh up printed no SLURM_CONF export:\n${stdout}`);
  // The same state directory cluster.sh used (CLUSTER_DIR, default <repo>/.cluster).
  const dir = process.env.CLUSTER_DIR || join(root, '.cluster');
  const pidOf = (name: string) => { try { return Number(readFileSync(join(dir, `run/${name}.pid`), 'utf8').trim()) || 0; } catch { return 0; } };
  const ctldPid = pidOf('slurmctld');
  const daemonPids = ['munged', 'mariadbd', 'slurmdbd', 'slurmctld', 'slurmd'].map(pidOf).filter(Boolean);
  const version = (await run('scontrol', ['--version'], { env })).stdout.trim();
  const config = (await run('scontrol', ['show', 'config'], { env })).stdout;
  const setting = (name: string, fallback: number) => Number(new RegExp(`^${name}\\s*=\\s*(\\d+)`, 'm').exec(config)?.[1] ?? fallback);
  return {
    env, dir, ctldPid, mungedPid: pidOf('munged'), daemonPids,
    maxJobCount: setting('MaxJobCount', 10000), minJobAgeS: setting('MinJobAge', 300),
    slurmVersion: version.replace(/^slurm(-wlm)?\s*/, ''),
  };
}
