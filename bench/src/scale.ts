/**
 * `npm run bench -- --scale`: site scale on one machine (issue #14). The private cluster runs with
 * cluster.sh's scale profile: thousands of simulated nodes (State=CLOUD, powered down, never pinged,
 * no slurmd) and MaxJobCount 50,000. Two series:
 * - nodes: at each --scale-nodes count (slurmctld restarted with that many), GET every node;
 * - jobs: at the largest node count, with 1k, 5k, 20k... held jobs queued (split arrays, fill.ts),
 *   list every job, one job by id (cycling over every queued id), and one user's jobs (?user=alice).
 * Each at every --connections value, per system. Afterwards the normal slurm.conf comes back.
 */
import type { Request } from 'autocannon';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterUp, type Cluster } from './cluster.js';
import { sleep } from './exec.js';
import { addJobs, FILTER_USER, queued } from './fill.js';
import { startGateway } from './gateway.js';
import { describeMachine, loadAverage } from './machine.js';
import { measureLoad, type Target } from './measure.js';
import { label, type Mode } from './modes.js';
import { PREFIX, settle, sweep } from './queue.js';
import type { LoadFigures, Machine, SystemRecord } from './results.js';
import { startSlurmrestd } from './slurmrestd.js';
import { gatewayApi, slurmrestdApi, type Api } from './workloads.js';

/** What the compressed list asks for; a server that does not compress answers the same bytes as to `list`. */
export const ACCEPT_ENCODING = 'gzip, br';
const ACCEPT_ENCODING_HEADER = `Accept-Encoding: ${ACCEPT_ENCODING}`;

export const SCALE_WORKLOADS = ['list', 'listz', 'get', 'filter', 'nodes'] as const;
export type ScaleWorkload = (typeof SCALE_WORKLOADS)[number];

export const SCALE_TITLES: Record<ScaleWorkload, string> = {
  list: 'List all jobs (GET /v1/jobs vs GET /slurm/v0.0.38/jobs)',
  listz: `List all jobs, compressed (the same, with ${ACCEPT_ENCODING_HEADER}, as browsers, Python's requests and Node's fetch send it)`,
  get: 'One job by id (GET /v1/jobs/{id} vs GET /slurm/v0.0.38/job/{id}), ids cycling over every queued job',
  filter: `One user's jobs (GET /v1/jobs?user=${FILTER_USER}; slurmrestd 0.0.38 has no filter)`,
  nodes: 'List all nodes (GET /v1/nodes vs GET /slurm/v0.0.38/nodes)',
};

export const SCALE_MODES: Mode[] = [
  { kind: 'slurmrestd' },
  { kind: 'gateway', executor: 'internal', application: 'thread' },
  { kind: 'gateway', executor: 'external', application: 'coroutine' },
];

/** A server past this RSS has its load ended early (recorded): slurmrestd builds each list in memory, per request. */
export const RSS_LIMIT_MIB = 4096;

export interface ScaleOptions {
  jobSteps: number[];
  nodeSteps: number[];
  connections: number[];
  durationS: number;
  modes: Mode[];
  parallel: number;
  command: string;
}

export interface ScaleRow extends LoadFigures {
  series: 'nodes' | 'jobs';
  workload: ScaleWorkload;
  mode: string;
  /** Pending bench jobs and every record slurmctld held before the run. */
  jobs: number;
  records: number;
  nodes: number;
  connections: number;
  jobInfoRpcPerS: number;
  rpcPerS: number;
  serverCpuMsPerReq: number;
  ctldCpuMsPerReq: number;
  mungedCpuMsPerReq: number;
  othersCpuPct: number;
  durationS: number;
  /** One response fetched before the runs: its size and how many jobs or nodes it held. */
  responseBytes: number;
  responseItems: number;
  /** Its size on the wire when it came compressed (Content-Length with a Content-Encoding). */
  wireBytes?: number;
  /** That one response's wall time, ms (alone, before the load): the cost of a request when a run completes none. */
  responseMs?: number;
  stoppedAtRssMiB?: number;
}

export interface ScaleResults {
  date: string;
  command: string;
  machine: Machine;
  slurmVersion: string;
  durationS: number;
  connections: number[];
  parallel: number;
  jobSteps: number[];
  nodeSteps: number[];
  /** Seconds each setup step took (restarts with N nodes, adding jobs, restoring the normal config). */
  setup: { step: string; seconds: number }[];
  /** The lines cluster.sh's scale profile adds to slurm.conf (at the largest node count). */
  profileLines: string[];
  systems: SystemRecord[];
  rows: ScaleRow[];
}

function requests(workload: ScaleWorkload, api: Api, ids: string[]): Request[] | undefined {
  switch (workload) {
    case 'list': return [{ method: 'GET', path: api.listPath, headers: api.headers }];
    case 'listz': return [{ method: 'GET', path: api.listPath, headers: { ...api.headers, 'accept-encoding': ACCEPT_ENCODING } }];
    case 'nodes': return [{ method: 'GET', path: api.nodesPath, headers: api.headers }];
    case 'filter': return api.filterPath ? [{ method: 'GET', path: api.filterPath({ user: FILTER_USER }), headers: api.headers }] : undefined;
    case 'get': {
      let next = 0;
      return [{ method: 'GET', headers: api.headers, setupRequest: (r) => ({ ...r, path: api.jobPath(ids[next++ % ids.length] as string) }) }];
    }
    default: { const never: never = workload; throw new Error(`unknown workload ${String(never)}`); }
  }
}

/** One GET before the runs: the answer's size, and its jobs or nodes (a check that the system sees the whole cluster). */
async function probe(api: Api, path: string, headers: Record<string, string>): Promise<{ bytes: number; items: number; ms: number; wireBytes?: number }> {
  const t0 = performance.now();
  // fetch decodes a compressed answer itself; its Content-Length is what crossed the wire.
  // fetch would ask for gzip itself: a workload that does not ask is probed without it too.
  const response = await fetch(`${api.url}${path}`, { headers: { 'accept-encoding': 'identity', ...headers }, signal: AbortSignal.timeout(120_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { jobs?: unknown[]; nodes?: unknown[] };
  const wire = response.headers.get('content-encoding') ? Number(response.headers.get('content-length')) : undefined;
  return { bytes: Buffer.byteLength(text), items: body.jobs?.length ?? body.nodes?.length ?? 1, ms: performance.now() - t0, ...(wire && { wireBytes: wire }) };
}

interface System { target: Target; stop(): Promise<void> }

async function startFor(mode: Mode, root: string, cluster: Cluster, parallel: number, logDir: string, file: string): Promise<System> {
  if (mode.kind === 'slurmrestd') {
    const s = await startSlurmrestd(cluster, logDir, 4 * 3600, ['openapi/v0.0.38'], `slurmrestd-${file}.log`);
    return { target: { mode: 'slurmrestd', api: slurmrestdApi(s.url, s.headers), pid: s.daemon.pid, withChildren: false }, stop: async () => { await s.daemon.stop(5_000); } };
  }
  if (mode.kind === 'floor') throw new Error('the floor is measured by the submit workload only');
  const g = await startGateway({ root, cluster, executor: mode.executor, application: mode.application, parallel, logFile: join(logDir, `gateway-${mode.executor}-${mode.application}-${file}.log`) });
  return { target: { mode: label(mode), api: gatewayApi(g.url), pid: g.daemon.pid, withChildren: mode.application === 'process' }, stop: async () => { await g.daemon.stop(); } };
}

export interface ScaleState { system?: System; cluster?: Cluster }

export async function benchScale(options: ScaleOptions, root: string, logDir: string, say: (line: string) => void, state: ScaleState): Promise<ScaleResults> {
  const machine = describeMachine(loadAverage());
  const name = `${PREFIX}scale-${Date.now().toString(36)}`;
  const nodeSteps = [...options.nodeSteps].sort((a, b) => a - b);
  const jobSteps = [...options.jobSteps].sort((a, b) => a - b);
  const setup: ScaleResults['setup'] = [];
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await fn();
    const seconds = (performance.now() - t0) / 1000;
    setup.push({ step, seconds });
    say(`bench: scale: ${step}: ${seconds.toFixed(1)} s`);
    return value;
  };
  const up = (nodes: number) => timed(`slurmctld with ${nodes} simulated nodes (cluster.sh up, CLUSTER_PROFILE=scale)`, async () => {
    state.cluster = await clusterUp(root, { name: 'scale', nodes });
    return state.cluster;
  });
  let cluster = await up(nodeSteps[0] as number);
  const stale = await sweep(cluster);
  if (stale) say(`bench: scale: cancelled ${stale} srbench-* jobs left by an earlier run`);
  // Finished jobs keep their records MinJobAge (300 s): the lists should hold the queued jobs, not those.
  await timed('waiting for slurmctld to purge the records of finished jobs', () => settle(cluster, name, 0, 420_000, say));
  let have = 0;
  const fillTo = async (jobs: number) => {
    if (jobs > have) await timed(`${jobs - have} held jobs added (split arrays), ${jobs} in all`, () => addJobs(cluster, jobs - have, name));
    have = jobs;
  };
  await fillTo(jobSteps[0] as number);

  const rows: ScaleRow[] = [];
  const unavailable = new Map<string, string>();
  const measureStep = async (series: ScaleRow['series'], workloads: ScaleWorkload[], nodes: number) => {
    const q = await queued(cluster, name);
    say(`bench: scale: ${series}: ${nodes} simulated nodes, ${q.bench} pending bench jobs, ${q.total} job records`);
    for (const mode of options.modes) {
      const modeName = label(mode);
      if (unavailable.has(modeName)) continue;
      for (const workload of workloads) {
        if (workload === 'filter' && mode.kind === 'slurmrestd') continue; // GET /slurm/v0.0.38/jobs has no filter
        const file = `scale-${workload}`;
        // slurmrestd is restarted for every run: a list it abandoned at the end of one run would go on costing it CPU in the next.
        const fresh = mode.kind === 'slurmrestd';
        let system: System | undefined;
        try {
          for (const connections of options.connections) {
            if (!system) {
              try {
                system = await startFor(mode, root, cluster, options.parallel, logDir, file);
                state.system = system;
              } catch (error) {
                unavailable.set(modeName, (error as Error).message.replace(/\s+/g, ' ').slice(0, 400));
                say(`bench: scale: ${modeName}: not available: ${unavailable.get(modeName)}`);
                return;
              }
            }
            const reqs = requests(workload, system.target.api, q.ids);
            if (!reqs) break;
            const path = workload === 'get' ? system.target.api.jobPath(q.ids[0] as string) : (reqs[0]?.path as string);
            const shape = await probe(system.target.api, path, (reqs[0]?.headers ?? system.target.api.headers) as Record<string, string>);
            const cost = await measureLoad(system.target, cluster, reqs, { connections, durationS: options.durationS, rssLimitMiB: RSS_LIMIT_MIB });
            const { load } = cost;
            const per = (ms: number) => (load.requests ? ms / load.requests : 0);
            const row: ScaleRow = {
              series, workload, mode: modeName, jobs: q.bench, records: q.total, nodes, connections,
              rps: load.rps, p50Ms: load.p50Ms, p99Ms: load.p99Ms, requests: load.requests, errors: load.errors, statusCodes: load.statusCodes,
              peakRssMiB: cost.peakRssMiB, jobInfoRpcPerS: cost.rpc.jobInfo / load.durationS, rpcPerS: cost.rpc.total / load.durationS,
              serverCpuMsPerReq: per(cost.serverCpuMs), ctldCpuMsPerReq: per(cost.ctldCpuMs), mungedCpuMsPerReq: per(cost.mungedCpuMs),
              othersCpuPct: cost.othersCpuPct, durationS: load.durationS, responseBytes: shape.bytes, responseItems: shape.items, responseMs: shape.ms,
              ...(shape.wireBytes !== undefined && { wireBytes: shape.wireBytes }),
              ...(cost.stoppedAtRssMiB !== undefined && { stoppedAtRssMiB: cost.stoppedAtRssMiB }),
            };
            rows.push(row);
            say(`scale: ${workload.padEnd(6)} jobs=${String(q.bench).padEnd(6)} nodes=${String(nodes).padEnd(5)} c=${String(connections).padEnd(3)} ${modeName.padEnd(18)} ${row.rps.toFixed(1).padStart(8)} req/s  p50 ${row.p50Ms.toFixed(0).padStart(5)} ms  p99 ${row.p99Ms.toFixed(0).padStart(5)} ms  errors ${row.errors}  rss ${row.peakRssMiB.toFixed(0)} MiB  job-info ${row.jobInfoRpcPerS.toFixed(1)}/s  ${(row.responseBytes / 1024).toFixed(0)} KiB, ${row.responseItems} items${row.stoppedAtRssMiB ? `  STOPPED at ${row.stoppedAtRssMiB.toFixed(0)} MiB` : ''}`);
            if (fresh) { await system.stop(); system = undefined; state.system = undefined; }
            await sleep(500);
          }
        } finally {
          await system?.stop();
          state.system = undefined;
        }
      }
    }
  };

  for (const nodes of nodeSteps) {
    if (nodes !== nodeSteps[0]) cluster = await up(nodes);
    await measureStep('nodes', ['nodes'], nodes);
  }
  const largest = nodeSteps[nodeSteps.length - 1] as number;
  for (const jobs of jobSteps) {
    await fillTo(jobs);
    await measureStep('jobs', ['list', 'listz', 'get', 'filter'], largest);
  }
  const conf = readFileSync(cluster.env.SLURM_CONF as string, 'utf8').split('\n');
  const from = conf.findIndex((l) => l.startsWith('# Profile scale'));
  const profileLines = [
    ...conf.slice(from, from + 7), 'MaxJobCount=50000 (normal: 20000)',
    ...conf.filter((l) => l.startsWith('NodeName=sim') || l.startsWith('PartitionName=')),
  ];
  return {
    date: new Date().toISOString(), command: options.command, machine, slurmVersion: cluster.slurmVersion, durationS: options.durationS,
    connections: options.connections, parallel: options.parallel, jobSteps, nodeSteps, setup, profileLines,
    systems: options.modes.map((m) => label(m)).map((mode) => ({ mode, available: !unavailable.has(mode), ...(unavailable.has(mode) && { message: unavailable.get(mode) }) })),
    rows,
  };
}

/** Cancels the bench's jobs and brings the normal slurm.conf back (cluster.sh up, normal profile). */
export async function restoreNormal(root: string, cluster: Cluster | undefined, say: (line: string) => void): Promise<number> {
  const t0 = performance.now();
  if (cluster) say(`bench: scale: cancelled ${await sweep(cluster)} srbench-* jobs`);
  await clusterUp(root);
  const seconds = (performance.now() - t0) / 1000;
  say(`bench: scale: normal slurm.conf back (cluster.sh up): ${seconds.toFixed(1)} s`);
  return seconds;
}

