/**
 * Where a gateway's memory goes (issue #14; `npm run bench -- --memory`). Per mode: the resident
 * memory of the gateway process and of each pool child, at rest and at the peak of a list load
 * then a by-id load at 64 connections, each split into file-backed pages (node's binary and the
 * shared libraries, libslurm among them: shared with every other process mapping them) and
 * anonymous pages (V8 heaps, malloc); then a heap snapshot of the gateway process and of one pool
 * child after the load (`--heapsnapshot-signal`: a child process inherits the flag), summarised by
 * what holds the live bytes. Worker threads live in the gateway process: their isolates are part of
 * its anonymous memory and not in its snapshot (V8 snapshots one isolate).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from './cluster.js';
import { sleep } from './exec.js';
import { startGateway } from './gateway.js';
import { runLoad, type LoadResult } from './load.js';
import { label, parseMode, type Mode } from './modes.js';
import { cancelByName, fillQueue, PREFIX } from './queue.js';
import { descendants, resident, Sampler, type Resident } from './sampler.js';
import { gatewayApi, requestsFor, SubmitTracker } from './workloads.js';

/** The modes measured unless --modes names others: one of each pool kind, and the inline floor. */
export const MEMORY_MODES: Mode[] = ['internal:inline', 'internal:thread', 'internal:process', 'external:coroutine', 'external:thread', 'external:process']
  .map(parseMode);

export interface ProcessMemory {
  role: 'gateway' | 'pool child';
  rest: Resident;
  /** The sample with the highest VmRSS during the loads. */
  peak: Resident;
}

/** Live bytes of one heap snapshot by kind, MiB; `objects` lists the largest constructors. */
export interface HeapSummary {
  totalMiB: number;
  byKind: Record<string, number>;
  topObjects: Array<{ name: string; mib: number; count: number }>;
}

export interface MemoryRow {
  mode: string;
  processes: ProcessMemory[];
  /** Peak of the sum over the gateway and its children, MiB (samples every 100 ms). */
  peakTotalMiB: number;
  loads: Array<{ workload: 'list' | 'get'; rps: number; errors: number }>;
  gatewayHeap?: HeapSummary;
  childHeap?: HeapSummary;
  /** Why a mode could not be measured. */
  message?: string;
}

export interface MemoryResults {
  date: string;
  command: string;
  jobs: number;
  connections: number;
  durationS: number;
  parallel: number;
  rows: MemoryRow[];
}

/** Takes a heap snapshot of `pid` (started with --heapsnapshot-signal=SIGUSR2) and summarises it. */
async function snapshot(pid: number, dir: string): Promise<HeapSummary> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 120_000;
  let file: string | undefined;
  let size = -1;
  // Node names it Heap.<date>.<pid>.<tid>.<seq>.heapsnapshot and writes it from the main thread:
  // done when the size stops changing.
  for (;;) {
    if (Date.now() > deadline) throw new Error(`no heap snapshot of ${pid} within 120 s`);
    await sleep(500);
    file ??= readdirSync(dir).find((f) => !before.has(f) && f.includes(`.${pid}.`) && f.endsWith('.heapsnapshot'));
    if (!file) continue;
    const now = statSync(join(dir, file)).size;
    if (now > 0 && now === size) break;
    size = now;
  }
  const path = join(dir, file);
  try {
    return summarise(JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot);
  } finally {
    rmSync(path, { force: true });
  }
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

const KIND: Record<string, string> = {
  string: 'strings', 'concatenated string': 'strings', 'sliced string': 'strings',
  code: 'compiled code', closure: 'functions', object: 'objects', array: 'arrays and property stores',
  hidden: 'V8 internals (maps, contexts, …)', 'object shape': 'V8 internals (maps, contexts, …)', native: 'native (buffers, node internals)',
  number: 'numbers', regexp: 'other', symbol: 'other', bigint: 'other', synthetic: 'other',
};

/** Self sizes by kind (the live JS heap the snapshot holds), and the largest object constructors. */
export function summarise(snap: HeapSnapshot): HeapSummary {
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const byKind: Record<string, number> = {};
  const objects = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] as number] ?? 'other';
    const bytes = snap.nodes[i + sizeAt] as number;
    total += bytes;
    const kind = KIND[type] ?? 'other';
    byKind[kind] = (byKind[kind] ?? 0) + bytes;
    if (type === 'object') {
      const name = snap.strings[snap.nodes[i + nameAt] as number] ?? '?';
      const entry = objects.get(name) ?? { bytes: 0, count: 0 };
      entry.bytes += bytes; entry.count++;
      objects.set(name, entry);
    }
  }
  const mib = (bytes: number) => bytes / 2 ** 20;
  return {
    totalMiB: mib(total),
    byKind: Object.fromEntries(Object.entries(byKind).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, mib(v)])),
    topObjects: [...objects].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 5).map(([name, e]) => ({ name, mib: mib(e.bytes), count: e.count })),
  };
}

export interface MemoryOptions {
  root: string;
  cluster: Cluster;
  modes: Mode[];
  jobs: number;
  connections: number;
  durationS: number;
  parallel: number;
  logDir: string;
  command: string;
  say(line: string): void;
}

/** Fills the queue, measures every mode in turn, cancels its jobs (also on error). */
export async function memoryScenario(options: MemoryOptions): Promise<MemoryResults> {
  const { cluster, say } = options;
  const name = `${PREFIX}memory`;
  say(`memory: submitting ${options.jobs} held jobs named ${name}`);
  const ids = await fillQueue(cluster, options.jobs, name);
  const rows: MemoryRow[] = [];
  try {
    for (const mode of options.modes) {
      if (mode.kind !== 'gateway') continue;
      const row = await measureMode(mode, ids, options);
      rows.push(row);
      const gw = row.processes[0];
      say(`memory: ${label(mode).padEnd(20)} ${row.message ?? `gateway rest ${gw?.rest.rss.toFixed(0)} MiB, peak ${gw?.peak.rss.toFixed(0)} MiB; children peak ${row.processes.slice(1).map((p) => p.peak.rss.toFixed(0)).join('/') || '-'} MiB; total peak ${row.peakTotalMiB.toFixed(0)} MiB`}`);
    }
  } finally {
    await cancelByName(cluster, name);
  }
  return { date: new Date().toISOString(), command: options.command, jobs: options.jobs, connections: options.connections, durationS: options.durationS, parallel: options.parallel, rows };
}

async function measureMode(mode: Extract<Mode, { kind: 'gateway' }>, ids: string[], options: MemoryOptions): Promise<MemoryRow> {
  const dir = mkdtempSync(join(tmpdir(), 'sr-memory-'));
  const file = `${mode.executor}-${mode.application}`;
  let gateway;
  try {
    gateway = await startGateway({
      root: options.root, cluster: options.cluster, executor: mode.executor, application: mode.application, parallel: options.parallel,
      logFile: join(options.logDir, `memory-${file}.log`),
      nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`],
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { mode: label(mode), processes: [], peakTotalMiB: 0, loads: [], message: (error as Error).message };
  }
  try {
    const pid = gateway.daemon.pid;
    await sleep(2_000); // the pool's children and threads are up, the first allocations settled
    const children = mode.application === 'process' ? descendants(pid, 'node') : [];
    const rest = new Map([pid, ...children].map((p) => [p, resident(p)]));
    const sampler = new Sampler(pid, children.length > 0);
    const api = gatewayApi(gateway.url);
    const loads: MemoryRow['loads'] = [];
    for (const workload of ['list', 'get'] as const) {
      const load: LoadResult = await runLoad(gateway.url, requestsFor(workload, api, ids, '', new SubmitTracker()), options.connections, options.durationS);
      loads.push({ workload, rps: load.rps, errors: load.errors });
    }
    const { peakRssMiB } = sampler.stop();
    const processes: ProcessMemory[] = [pid, ...children].map((p, i) => ({
      role: i === 0 ? 'gateway' : 'pool child',
      rest: rest.get(p) ?? { rss: 0, anon: 0, file: 0 },
      peak: sampler.peaks.get(p) ?? { rss: 0, anon: 0, file: 0 },
    }));
    const gatewayHeap = await snapshot(pid, dir);
    const childHeap = children[0] ? await snapshot(children[0], dir) : undefined;
    return { mode: label(mode), processes, peakTotalMiB: peakRssMiB, loads, gatewayHeap, ...(childHeap && { childHeap }) };
  } finally {
    await gateway.daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
