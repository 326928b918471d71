/** One measured run: load + memory/CPU sampling + slurmctld's RPC counters around it. */
import { availableParallelism } from 'node:os';
import type { Cluster } from './cluster.js';
import type { Request } from 'autocannon';
import { runLoad, type LoadControl, type LoadResult } from './load.js';
import { systemCpu } from './machine.js';
import type { Workload } from './modes.js';
import { cancelByName, cancelIds, countQueue } from './queue.js';
import type { RunRecord } from './results.js';
import { Sampler, cpuMs } from './sampler.js';
import { diff, rpcCounts, type RpcDiff } from './sdiag.js';
import { requestsFor, SubmitTracker, type Api } from './workloads.js';

export interface Target {
  mode: string;
  api: Api;
  pid: number;
  /** Sum the RSS and CPU of the server's node child processes too (--application=process). */
  withChildren: boolean;
}

export interface RunSpec {
  cluster: Cluster;
  workload: Workload;
  connections: number;
  durationS: number;
  jobIds: string[];
  queueName: string;
  submitName: string;
  /** Most requests in the run (submit: a multiple of 2 x connections, so every connection ends on a cancel). */
  maxRequests?: number;
}

/** What one bounded load cost, whatever its requests (the queue workloads, the scale scenario, the budget). */
export interface LoadCost {
  load: LoadResult;
  peakRssMiB: number;
  serverCpuMs: number;
  ctldCpuMs: number;
  mungedCpuMs: number;
  clientCpuMs: number;
  othersCpuPct: number;
  rpc: RpcDiff;
  /** Set when the memory guard ended the load early. */
  stoppedAtRssMiB?: number;
}

export interface LoadSpec {
  connections: number;
  durationS: number;
  maxRequests?: number;
  /** Ends the load early when the server's RSS passes this (MiB): bounds what a runaway server takes from a shared machine. */
  rssLimitMiB?: number;
}

/** Runs `requests` against `target` and measures what it cost the server, slurmctld, munged and the machine. */
export async function measureLoad(target: Target, cluster: Cluster, requests: Request[], spec: LoadSpec): Promise<LoadCost> {
  const rpcBefore = await rpcCounts(cluster);
  const ctldBefore = cpuMs(cluster.ctldPid);
  const mungedBefore = cpuMs(cluster.mungedPid);
  const clientBefore = process.cpuUsage();
  const accounted = () => cpuMs(process.pid) + cluster.daemonPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const machineBefore = systemCpu().busyMs;
  const accountedBefore = accounted();
  const sampler = new Sampler(target.pid, target.withChildren);
  const control: LoadControl = {};
  let stoppedAtRssMiB: number | undefined;
  const guard = spec.rssLimitMiB
    ? setInterval(() => {
      const mib = sampler.currentRssMiB();
      if (mib > (spec.rssLimitMiB as number) && stoppedAtRssMiB === undefined) { stoppedAtRssMiB = mib; control.stop?.(); }
    }, 250)
    : undefined;
  let usage;
  let load;
  try {
    load = await runLoad(target.api.url, requests, spec.connections, spec.durationS, spec.maxRequests, control);
  } finally {
    if (guard) clearInterval(guard);
    usage = sampler.stop();
  }
  const ctldCpuMs = cpuMs(cluster.ctldPid) - ctldBefore;
  const mungedCpuMs = cpuMs(cluster.mungedPid) - mungedBefore;
  const client = process.cpuUsage(clientBefore);
  const others = systemCpu().busyMs - machineBefore - (accounted() - accountedBefore) - usage.cpuMs;
  const rpc = diff(rpcBefore, await rpcCounts(cluster));
  return {
    load, peakRssMiB: usage.peakRssMiB, serverCpuMs: usage.cpuMs, ctldCpuMs, mungedCpuMs, clientCpuMs: (client.user + client.system) / 1000,
    othersCpuPct: Math.max(0, (100 * others) / (load.durationS * 1000 * availableParallelism())), rpc,
    ...(stoppedAtRssMiB !== undefined && { stoppedAtRssMiB }),
  };
}

/**
 * Before each measured run, the same requests for up to a second, not measured (submit: at most
 * {@link WARMUP_SUBMISSIONS} jobs, cancelled). A Node server compiles its request path while it
 * runs (V8's tiers), where slurmrestd, in C, needs nothing; the submit runs last about a second
 * (bounded by MaxJobCount), so without this they would measure the compiler as much as the server.
 */
export const WARMUP_S = 1;
export const WARMUP_SUBMISSIONS = 128;

async function warmUp(target: Target, spec: RunSpec): Promise<void> {
  const tracker = new SubmitTracker();
  const requests = requestsFor(spec.workload, target.api, spec.jobIds, spec.submitName, tracker);
  const most = spec.workload === 'submit' ? 2 * spec.connections * Math.max(1, Math.ceil(WARMUP_SUBMISSIONS / spec.connections)) : undefined;
  await runLoad(target.api.url, requests, spec.connections, WARMUP_S, most);
  if (tracker.outstanding.size) await cancelIds(spec.cluster, tracker.outstanding);
}

export async function measure(target: Target, spec: RunSpec): Promise<RunRecord> {
  const { cluster } = spec;
  await warmUp(target, spec);
  const queue = await countQueue(cluster, spec.queueName);
  const tracker = new SubmitTracker();
  const requests = requestsFor(spec.workload, target.api, spec.jobIds, spec.submitName, tracker);
  const cost = await measureLoad(target, cluster, requests, { connections: spec.connections, durationS: spec.durationS, ...(spec.maxRequests && { maxRequests: spec.maxRequests }) });
  const { load, rpc } = cost;
  // The load may stop between a submission and its cancel: cancel what is left, now.
  if (tracker.outstanding.size) await cancelIds(cluster, tracker.outstanding);
  // A submission answered after the load stopped is tracked by no one: cancel by name too.
  if (spec.workload === 'submit') await cancelByName(cluster, spec.submitName);

  const perReq = (ms: number) => (load.requests ? ms / load.requests : 0);
  return {
    mode: target.mode,
    workload: spec.workload,
    connections: spec.connections,
    rps: load.rps,
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    requests: load.requests,
    errors: load.errors,
    statusCodes: load.statusCodes,
    peakRssMiB: cost.peakRssMiB,
    jobInfoRpcPerS: rpc.jobInfo / load.durationS,
    rpcPerS: rpc.total / load.durationS,
    rpcByType: rpc.byType,
    serverCpuMsPerReq: perReq(cost.serverCpuMs),
    ctldCpuMsPerReq: perReq(cost.ctldCpuMs),
    mungedCpuMsPerReq: perReq(cost.mungedCpuMs),
    clientCpuMsPerReq: perReq(cost.clientCpuMs),
    othersCpuPct: cost.othersCpuPct,
    queueTotal: queue.total,
    durationS: load.durationS,
  };
}
