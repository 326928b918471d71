/**
 * `npm run bench -- --budget`: the controller's budget (issue #14). Per system, N clients (default
 * 200 connections) poll for --duration seconds, each request the next of a rotation: one job by id
 * (cycling over the queued ids), then a filtered list (cycling over user, state, partition and name
 * filters). slurmrestd 0.0.38 has no filters: its clients fetch the whole list instead. Measured:
 * slurmctld's job-info RPCs (sdiag, diffed around the load), and slurmctld's latency for another
 * user: `squeue --me` run as alice back to back by a bash loop (timed with $EPOCHREALTIME, in its own
 * process, so the bench's event loop is not in the figure) for --duration seconds idle, then
 * during the load.
 */
import type { Request } from 'autocannon';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Cluster } from './cluster.js';
import { FILTER_USER } from './fill.js';
import { startGateway } from './gateway.js';
import { measureLoad, type LoadCost, type Target } from './measure.js';
import { label, type Mode } from './modes.js';
import type { LoadFigures, Machine, SystemRecord } from './results.js';
import { startSlurmrestd } from './slurmrestd.js';
import { jobInfoMeanUs, rpcStats } from './sdiag.js';
import { gatewayApi, slurmrestdApi, type Api } from './workloads.js';

/** The user whose squeue is timed: not the one the load acts as (root). */
export const PROBE_USER = FILTER_USER;
/** Each probe's RPCs (squeue --me: REQUEST_JOB_USER_INFO; plus federation and partition info): counted apart from the load's. */
const PROBE_ARGS = ['-h', '--me', '-o', '%i %T'];
/** The target: squeue during the load within 2x of idle (median). */
export const PROBE_FACTOR = 2;

export interface ProbeStats { runs: number; medianMs: number; p90Ms: number; maxMs: number }

export interface BudgetRow extends LoadFigures {
  mode: string;
  clients: number;
  durationS: number;
  /** Job-info RPCs slurmctld received during the load, the probe's own left out, per second. */
  jobInfoRpcPerS: number;
  /** The same, as counted (the probe's included). */
  jobInfoRpcs: number;
  probeJobInfoRpcs: number;
  rpcPerS: number;
  rpcByType: Record<string, number>;
  ctldCpuPct: number;
  serverCpuMsPerReq: number;
  othersCpuPct: number;
  idle: ProbeStats;
  loaded: ProbeStats;
  /** loaded.medianMs / idle.medianMs */
  ratio: number;
  /** slurmctld's own mean time per job-info RPC (sdiag total_time), µs: during the idle probe (the probe's only), during the load (all). */
  ctldJobInfoUsIdle: number;
  ctldJobInfoUsLoaded: number;
}

export interface BudgetResults {
  date: string;
  command: string;
  machine: Machine;
  slurmVersion: string;
  jobs: number;
  records: number;
  clients: number;
  durationS: number;
  parallel: number;
  filters: string[];
  systems: SystemRecord[];
  rows: BudgetRow[];
}

/** The filters the clients rotate through (the gateway's query strings). */
export function budgetFilters(queueName: string): Record<string, string>[] {
  return [{ user: FILTER_USER }, { user: 'root' }, { state: 'PENDING' }, { state: 'RUNNING' }, { partition: 'debug' }, { partition: 'long' }, { name: queueName }, { user: 'bob' }];
}

function budgetRequests(api: Api, ids: string[], filters: Record<string, string>[]): Request[] {
  let next = 0;
  let id = 0;
  let filter = 0;
  return [{
    method: 'GET',
    headers: api.headers,
    setupRequest: (request) => {
      const byId = next++ % 2 === 0;
      const path = byId
        ? api.jobPath(ids[id++ % ids.length] as string)
        : api.filterPath ? api.filterPath(filters[filter++ % filters.length] as Record<string, string>) : api.listPath;
      return { ...request, path };
    },
  }];
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

/** Runs squeue as PROBE_USER back to back for `seconds`; resolves with each run's wall time (ms). */
export function probeSqueue(cluster: Cluster, seconds: number): Promise<ProbeStats> {
  const script = `end=$((SECONDS+${seconds})); while ((SECONDS < end)); do s=$EPOCHREALTIME; squeue ${PROBE_ARGS.map((a) => `'${a}'`).join(' ')} >/dev/null 2>&1; e=$EPOCHREALTIME; echo "$s $e"; sleep 0.1; done`;
  return new Promise((resolve, reject) => {
    const child = spawn('runuser', ['-u', PROBE_USER, '--', 'bash', '-c', script], { env: { PATH: process.env.PATH, LC_ALL: 'C', SLURM_CONF: cluster.env.SLURM_CONF }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      const ms = out.trim().split('\n').filter(Boolean).map((l) => { const [s, e] = l.split(' ').map(Number); return ((e as number) - (s as number)) * 1000; }).sort((a, b) => a - b);
      if (!ms.length) { reject(new Error(`squeue probe as ${PROBE_USER} produced nothing: ${err.trim()}`)); return; }
      resolve({ runs: ms.length, medianMs: pct(ms, 0.5), p90Ms: pct(ms, 0.9), maxMs: ms[ms.length - 1] as number });
    });
  });
}

interface System { target: Target; stop(): Promise<void> }

async function start(mode: Mode, root: string, cluster: Cluster, parallel: number, logDir: string): Promise<System> {
  if (mode.kind === 'slurmrestd') {
    const s = await startSlurmrestd(cluster, logDir, 4 * 3600, ['openapi/v0.0.38'], 'slurmrestd-budget.log');
    return { target: { mode: 'slurmrestd', api: slurmrestdApi(s.url, s.headers), pid: s.daemon.pid, withChildren: false }, stop: async () => { await s.daemon.stop(5_000); } };
  }
  if (mode.kind === 'floor') throw new Error('the floor is measured by the submit workload only');
  const g = await startGateway({ root, cluster, executor: mode.executor, application: mode.application, parallel, logFile: join(logDir, `gateway-${mode.executor}-${mode.application}-budget.log`) });
  return { target: { mode: label(mode), api: gatewayApi(g.url), pid: g.daemon.pid, withChildren: mode.application === 'process' }, stop: async () => { await g.daemon.stop(); } };
}

export interface BudgetSpec {
  modes: Mode[];
  clients: number;
  durationS: number;
  parallel: number;
  ids: string[];
  queueName: string;
}

/** One system: idle probe, then the load with the probe running beside it. */
export async function measureBudget(mode: Mode, spec: BudgetSpec, root: string, cluster: Cluster, logDir: string, state: { stop?: () => Promise<void> }): Promise<BudgetRow> {
  const system = await start(mode, root, cluster, spec.parallel, logDir);
  state.stop = system.stop;
  try {
    const filters = budgetFilters(spec.queueName);
    const idleBefore = await rpcStats(cluster);
    const idle = await probeSqueue(cluster, spec.durationS);
    const idleAfter = await rpcStats(cluster);
    const probe = probeSqueue(cluster, spec.durationS);
    let cost: LoadCost;
    let loadBefore;
    let loadAfter;
    try {
      loadBefore = await rpcStats(cluster);
      cost = await measureLoad(system.target, cluster, budgetRequests(system.target.api, spec.ids, filters), { connections: spec.clients, durationS: spec.durationS });
      loadAfter = await rpcStats(cluster);
    } finally {
      await probe.catch(() => undefined);
    }
    const loaded = await probe;
    const { load, rpc } = cost;
    // squeue --me sends one REQUEST_JOB_USER_INFO per run: the probe's, not the load's.
    const probeJobInfo = Math.min(loaded.runs, rpc.byType.REQUEST_JOB_USER_INFO ?? 0);
    const per = (ms: number) => (load.requests ? ms / load.requests : 0);
    return {
      mode: label(mode), clients: spec.clients, durationS: load.durationS, rps: load.rps, p50Ms: load.p50Ms, p99Ms: load.p99Ms,
      requests: load.requests, errors: load.errors, statusCodes: load.statusCodes, peakRssMiB: cost.peakRssMiB,
      jobInfoRpcPerS: (rpc.jobInfo - probeJobInfo) / load.durationS, jobInfoRpcs: rpc.jobInfo, probeJobInfoRpcs: probeJobInfo,
      rpcPerS: rpc.total / load.durationS, rpcByType: rpc.byType,
      ctldCpuPct: (100 * cost.ctldCpuMs) / (load.durationS * 1000), serverCpuMsPerReq: per(cost.serverCpuMs), othersCpuPct: cost.othersCpuPct,
      idle, loaded, ratio: loaded.medianMs / idle.medianMs,
      ctldJobInfoUsIdle: jobInfoMeanUs(idleBefore, idleAfter), ctldJobInfoUsLoaded: jobInfoMeanUs(loadBefore, loadAfter),
    };
  } finally {
    await system.stop();
    state.stop = undefined;
  }
}

