/** slurmctld's RPC counters (sdiag), diffed around a run rather than reset (`sdiag -r`) by it. */
import type { Cluster } from './cluster.js';
import { run } from './exec.js';

/** The RPCs that read job records: what a job list or job lookup costs the controller. */
export const JOB_INFO_RPCS = ['REQUEST_JOB_INFO', 'REQUEST_JOB_INFO_SINGLE', 'REQUEST_JOB_USER_INFO'] as const;

export type RpcCounts = Record<string, number>;
/** Microseconds slurmctld spent on each message type (sdiag's total_time), by type. */
export type RpcTimes = Record<string, number>;

/** Pure: the "Remote Procedure Call statistics by message type" section of sdiag's output. */
export function parseRpcCounts(text: string): RpcCounts {
  const counts: RpcCounts = {};
  const start = text.indexOf('Remote Procedure Call statistics by message type');
  if (start < 0) throw new Error('sdiag printed no "Remote Procedure Call statistics by message type" section');
  for (const line of text.slice(start).split('\n').slice(1)) {
    const m = /^\s*([A-Z_0-9]+)\s+\(\s*\d+\)\s+count:(\d+)/.exec(line);
    if (!m) break;
    counts[m[1] as string] = Number(m[2]);
  }
  return counts;
}

/** Pure: total_time (µs) per message type, from the same section. */
export function parseRpcTimes(text: string): RpcTimes {
  const times: RpcTimes = {};
  const start = text.indexOf('Remote Procedure Call statistics by message type');
  if (start < 0) return times;
  for (const line of text.slice(start).split('\n').slice(1)) {
    const m = /^\s*([A-Z_0-9]+)\s+\(\s*\d+\)\s+count:\d+\s+ave_time:\d+\s+total_time:(\d+)/.exec(line);
    if (!m) break;
    times[m[1] as string] = Number(m[2]);
  }
  return times;
}

export async function rpcCounts(cluster: Cluster): Promise<RpcCounts> {
  return parseRpcCounts((await run('sdiag', [], { env: cluster.env })).stdout);
}

/** Counts and times together (one sdiag run). */
export async function rpcStats(cluster: Cluster): Promise<{ counts: RpcCounts; times: RpcTimes }> {
  const { stdout } = await run('sdiag', [], { env: cluster.env });
  return { counts: parseRpcCounts(stdout), times: parseRpcTimes(stdout) };
}

/** slurmctld's own mean time per job-info RPC between two snapshots, µs (NaN when there was none). */
export function jobInfoMeanUs(before: { counts: RpcCounts; times: RpcTimes }, after: { counts: RpcCounts; times: RpcTimes }): number {
  let count = 0;
  let us = 0;
  for (const name of JOB_INFO_RPCS) {
    count += Math.max(0, (after.counts[name] ?? 0) - (before.counts[name] ?? 0));
    us += Math.max(0, (after.times[name] ?? 0) - (before.times[name] ?? 0));
  }
  return count ? us / count : NaN;
}

export interface RpcDiff {
  jobInfo: number;
  total: number;
  /** Every message type whose count grew, with how much. */
  byType: Record<string, number>;
}

export function diff(before: RpcCounts, after: RpcCounts): RpcDiff {
  const delta = (name: string) => Math.max(0, (after[name] ?? 0) - (before[name] ?? 0));
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  const byType = Object.fromEntries([...names].map((name) => [name, delta(name)] as const).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]));
  return {
    jobInfo: JOB_INFO_RPCS.reduce((sum, name) => sum + delta(name), 0),
    total: [...names].reduce((sum, name) => sum + delta(name), 0),
    byType,
  };
}
