/** One measured run: load + memory/CPU sampling + slurmctld's RPC counters around it. */
import { availableParallelism } from 'node:os';
import type { Cluster } from './cluster.js';
import { runLoad } from './load.js';
import { systemCpu } from './machine.js';
import type { Workload } from './modes.js';
import { cancelByName, cancelIds, countQueue } from './queue.js';
import type { RunRecord } from './results.js';
import { Sampler, cpuMs } from './sampler.js';
import { diff, rpcCounts } from './sdiag.js';
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

export async function measure(target: Target, spec: RunSpec): Promise<RunRecord> {
  const { cluster } = spec;
  const queue = await countQueue(cluster, spec.queueName);
  const tracker = new SubmitTracker();
  const requests = requestsFor(spec.workload, target.api, spec.jobIds, spec.submitName, tracker);

  const rpcBefore = await rpcCounts(cluster);
  const ctldBefore = cpuMs(cluster.ctldPid);
  const mungedBefore = cpuMs(cluster.mungedPid);
  const clientBefore = process.cpuUsage();
  const accounted = () => cpuMs(process.pid) + cluster.daemonPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const machineBefore = systemCpu().busyMs;
  const accountedBefore = accounted();
  const sampler = new Sampler(target.pid, target.withChildren);
  let usage;
  let load;
  try {
    load = await runLoad(target.api.url, requests, spec.connections, spec.durationS, spec.maxRequests);
  } finally {
    usage = sampler.stop();
  }
  const ctldCpu = cpuMs(cluster.ctldPid) - ctldBefore;
  const mungedCpu = cpuMs(cluster.mungedPid) - mungedBefore;
  const client = process.cpuUsage(clientBefore);
  const others = systemCpu().busyMs - machineBefore - (accounted() - accountedBefore) - usage.cpuMs;
  const rpc = diff(rpcBefore, await rpcCounts(cluster));
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
    peakRssMiB: usage.peakRssMiB,
    jobInfoRpcPerS: rpc.jobInfo / load.durationS,
    rpcPerS: rpc.total / load.durationS,
    rpcByType: rpc.byType,
    serverCpuMsPerReq: perReq(usage.cpuMs),
    ctldCpuMsPerReq: perReq(ctldCpu),
    mungedCpuMsPerReq: perReq(mungedCpu),
    clientCpuMsPerReq: perReq((client.user + client.system) / 1000),
    othersCpuPct: Math.max(0, (100 * others) / (load.durationS * 1000 * availableParallelism())),
    queueTotal: queue.total,
    durationS: load.durationS,
  };
}
