/**
 * `npm run bench`: every gateway mode side by side with slurmrestd on the same cluster and queue.
 * Workload-major order: all list and by-id runs happen before any submit+cancel run, whose
 * cancelled jobs stay in slurmctld's table for MinJobAge (300 s) and would lengthen the lists.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChart } from './chart.js';
import { clusterUp, type Cluster } from './cluster.js';
import { run, sleep } from './exec.js';
import { describeMachine, loadAverage } from './machine.js';
import { measure, WARMUP_SUBMISSIONS } from './measure.js';
import { isJwt, label } from './modes.js';
import { setUpJwt, SERVICE_USER, type JwtSetup } from './jwt.js';
import { parseOptions, type BenchOptions } from './options.js';
import { renderSummaries, summariseDir } from './profile.js';
import { countQueue, ensureRoom, fillQueue, PREFIX, settle, sweep } from './queue.js';
import { createHistory, historyTarget, measureHistory, type HistoryResults } from './history.js';
import { startGateway } from './gateway.js';
import { gatewayApi } from './workloads.js';
import { HISTORY_BEGIN, HISTORY_END, renderHistoryReport, renderReport, writeReport } from './report.js';
import type { BenchResults, RunRecord } from './results.js';
import { startSlurmrestd, type Slurmrestd } from './slurmrestd.js';
import { runStem, startSystem, type Running } from './systems.js';
import { checkTargets } from './targets.js';
import { benchScale, restoreNormal, type ScaleResults, type ScaleState } from './scale.js';
import { renderScaleChart, renderScaleReport, SCALE_BEGIN, SCALE_END } from './scale-report.js';
import { budgetFilters, measureBudget, type BudgetResults } from './budget.js';
import { BUDGET_BEGIN, BUDGET_END, renderBudgetReport } from './budget-report.js';
import { memoryScenario, type MemoryResults } from './memory.js';
import { MEMORY_BEGIN, MEMORY_END, renderMemoryReport } from './memory-report.js';
import { addJobs, queued } from './fill.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = join(ROOT, 'bench/results');
const say = (line: string) => process.stdout.write(`${line}\n`);

function describe(r: RunRecord): string {
  return `${r.workload.padEnd(6)} c=${String(r.connections).padEnd(3)} ${r.mode.padEnd(18)} ${r.rps.toFixed(1).padStart(8)} req/s  p50 ${r.p50Ms.toFixed(0).padStart(5)} ms  p99 ${r.p99Ms.toFixed(0).padStart(5)} ms  errors ${r.errors}  rss ${r.peakRssMiB.toFixed(0)} MiB  job-info ${r.jobInfoRpcPerS.toFixed(1)}/s`;
}

/**
 * Submissions allowed per submit+cancel run: the runs share 80% of MaxJobCount, less the records
 * already there. Every cancelled job keeps its record for MinJobAge (300 s), and slurmrestd alone
 * submits over 800 jobs/s here: unbounded, one 10 s run fills a 20,000-job table.
 */
function submitCap(cluster: Cluster, records: number, runs: number): number {
  return Math.max(100, Math.floor((cluster.maxJobCount * 0.8 - records) / Math.max(1, runs)) - WARMUP_SUBMISSIONS);
}

async function bench(options: BenchOptions, cluster: Cluster, state: { running?: Running; slurmrestd?: Slurmrestd; jwt?: JwtSetup }): Promise<BenchResults> {
  const runId = Date.now().toString(36);
  const queueName = `${PREFIX}q-${runId}`;
  const submitName = `${PREFIX}s-${runId}`;
  const logDir = join(RESULTS, 'logs');
  const profileDir = options.profile ? join(RESULTS, 'profiles/raw') : undefined;
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });

  const results: BenchResults = {
    date: new Date().toISOString(), command: options.command, machine: describeMachine(loadAverage()), slurmVersion: cluster.slurmVersion,
    jobs: options.jobs, queueCounts: {}, durationS: options.durationS, connections: options.connections, parallel: options.parallel, systems: [], runs: [],
  };
  const unavailable = new Map<string, string>();
  if (options.modes.some((m) => m.kind === 'slurmrestd')) {
    say('bench: starting slurmrestd (rest_auth/jwt, as user slurmrest, acting as root)');
    try {
      state.slurmrestd = await startSlurmrestd(cluster, logDir, 4 * 3600);
    } catch (error) {
      unavailable.set('slurmrestd', (error as Error).message);
    }
  }
  const measured = options.workloads.flatMap((w) => options.modesFor[w]);
  if (measured.some(isJwt)) {
    const jwtModes = [...new Set(measured.filter(isJwt).map(label))];
    try {
      state.jwt = await setUpJwt(cluster, 4 * 3600);
      say(`bench: ${jwtModes.join(', ')}: the gateway runs as ${SERVICE_USER} with --auth=jwt and its own copy of the cluster key; requests carry ${state.jwt.user}'s token (scontrol token)`);
    } catch (error) {
      for (const name of jwtModes) unavailable.set(name, (error as Error).message.replace(/\s+/g, ' ').slice(0, 400));
      say(`bench: ${jwtModes.join(', ')}: not available: ${(error as Error).message}`);
    }
  }
  say(`bench: queueing ${options.jobs} held jobs named ${queueName}`);
  const t0 = Date.now();
  const jobIds = await fillQueue(cluster, options.jobs, queueName);
  say(`bench: queued in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  for (const workload of options.workloads) {
    // A list should be of the queued jobs, not of the cancelled ones of an earlier submit run.
    const count = workload === 'list' ? await settle(cluster, queueName, options.jobs, 420_000, say) : await countQueue(cluster, queueName);
    results.queueCounts[workload] = count;
    say(`bench: ${workload}: ${count.bench} bench jobs pending, ${count.total} job records in slurmctld`);
    if (count.bench !== options.jobs) say(`bench: warning: expected ${options.jobs} pending bench jobs, found ${count.bench}`);
    const modes = options.modesFor[workload];
    const cap = workload === 'submit' ? submitCap(cluster, count.total, modes.filter((m) => !unavailable.has(label(m))).length * options.connections.length) : undefined;
    if (cap) {
      results.submitCap = cap;
      say(`bench: submit: at most ${cap} submissions per run (MaxJobCount ${cluster.maxJobCount}, cancelled jobs stay ${cluster.minJobAgeS} s)`);
    }
    for (const mode of modes) {
      const name = label(mode);
      if (unavailable.has(name)) continue;
      try {
        state.running = await startSystem(mode, workload, { root: ROOT, cluster, slurmrestd: state.slurmrestd, parallel: options.parallel, logDir, ...(profileDir && { profileDir }), ...(state.jwt && { jwt: state.jwt }) });
      } catch (error) {
        unavailable.set(name, (error as Error).message.replace(/\s+/g, ' ').slice(0, 400));
        say(`bench: ${name}: not available: ${unavailable.get(name)}`);
        continue;
      }
      try {
        for (const connections of options.connections) {
          let maxRequests: number | undefined;
          if (cap) {
            await ensureRoom(cluster, cap + WARMUP_SUBMISSIONS, 420_000, say);
            maxRequests = 2 * connections * Math.max(1, Math.ceil(cap / connections));
          }
          const record = await measure(state.running.target, { cluster, workload, connections, durationS: options.durationS, jobIds, queueName, submitName, ...(maxRequests && { maxRequests }) });
          results.runs.push(record);
          say(describe(record));
          await sleep(500);
        }
      } finally {
        await state.running.stop();
        state.running = undefined;
      }
    }
  }
  results.systems = [...new Set(measured.map((m) => label(m)))].map((mode) => ({ mode, available: !unavailable.has(mode), ...(unavailable.has(mode) && { message: unavailable.get(mode) }) }));
  return results;
}

/**
 * `--history`: N ended jobs in accounting, then each system's first page and full walks (see
 * history.ts). One system at a time, one request at a time.
 */
async function benchHistory(options: BenchOptions, cluster: Cluster, state: { running?: Running; slurmrestd?: Slurmrestd }): Promise<HistoryResults> {
  const runId = Date.now().toString(36);
  const logDir = join(RESULTS, 'logs');
  const machine = describeMachine(loadAverage());
  const unavailable = new Map<string, string>();
  if (options.historyModes.some((m) => m.kind === 'slurmrestd')) {
    say('bench: starting slurmrestd (openapi/v0.0.38 and openapi/dbv0.0.38, rest_auth/jwt, as user slurmrest, acting as root)');
    try {
      state.slurmrestd = await startSlurmrestd(cluster, logDir, 4 * 3600, ['openapi/v0.0.38', 'openapi/dbv0.0.38'], 'slurmrestd-history.log');
    } catch (error) {
      unavailable.set('slurmrestd', (error as Error).message);
    }
  }
  say(`bench: history: creating ${options.historyJobs} ended jobs`);
  const data = await createHistory(cluster, options.historyJobs, runId, say);
  const pids = { slurmdbd: pidOf(cluster, 'slurmdbd'), mariadbd: pidOf(cluster, 'mariadbd') };
  const rows: HistoryResults['rows'] = [];
  for (const mode of options.historyModes) {
    const name = label(mode);
    if (unavailable.has(name)) continue;
    try {
      if (mode.kind === 'slurmrestd') {
        const { url, headers, daemon } = state.slurmrestd!;
        rows.push(...await measureHistory(historyTarget(mode, url, headers, daemon.pid), 'slurmrestd', data, options.historyLimits, options.historyRepetitions, pids, say));
        continue;
      }
      if (mode.kind === 'floor') throw new Error('the floor is measured by the submit workload only');
      const gateway = await startGateway({
        root: ROOT, cluster, executor: mode.executor, application: mode.application, parallel: options.parallel,
        logFile: join(logDir, `gateway-${mode.executor}-${mode.application}-history.log`),
      });
      state.running = { target: { mode: name, api: gatewayApi(gateway.url), pid: gateway.daemon.pid, withChildren: false }, stop: async () => { await gateway.daemon.stop(); } };
      try {
        rows.push(...await measureHistory(historyTarget(mode, gateway.url, {}, gateway.daemon.pid), 'gateway', data, options.historyLimits, options.historyRepetitions, pids, say));
      } finally {
        await state.running.stop();
        state.running = undefined;
      }
    } catch (error) {
      unavailable.set(name, (error as Error).message.replace(/\s+/g, ' ').slice(0, 400));
      say(`bench: ${name}: not available: ${unavailable.get(name)}`);
    }
  }
  return {
    date: new Date().toISOString(), command: options.command, machine, slurmVersion: cluster.slurmVersion, data,
    repetitions: options.historyRepetitions, limits: options.historyLimits, parallel: options.parallel,
    systems: options.historyModes.map((m) => label(m)).map((mode) => ({ mode, available: !unavailable.has(mode), ...(unavailable.has(mode) && { message: unavailable.get(mode) }) })),
    rows,
  };
}

function pidOf(cluster: Cluster, daemon: string): number {
  try { return Number(readFileSync(join(cluster.dir, `run/${daemon}.pid`), 'utf8').trim()) || 0; } catch { return 0; }
}

function writeHistoryOutputs(results: HistoryResults): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'history.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeReport(join(ROOT, 'docs/BENCHMARKS.md'), renderHistoryReport(results), HISTORY_BEGIN, HISTORY_END);
  say('bench: wrote bench/results/history.json and the history section of docs/BENCHMARKS.md');
  for (const r of results.rows) {
    say(`history: ${r.system.padEnd(16)} limit ${String(r.limit ?? 'all').padStart(4)}: first page ${r.firstPageMs === null ? '    -' : r.firstPageMs.toFixed(0).padStart(5)} ms, walk ${r.walkS.toFixed(2).padStart(7)} s, ${String(r.pages).padStart(4)} requests, ${r.distinct} jobs, ${r.jobsPerS.toFixed(0)} jobs/s${r.ok ? '' : `: FAILED: ${r.problem}`}`);
  }
  for (const s of results.systems) if (!s.available) say(`history: ${s.mode}: not available: ${s.message}`);
}

async function writeScaleOutputs(results: ScaleResults): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'scale.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'scale.svg'), await renderScaleChart(results));
  writeReport(join(ROOT, 'docs/BENCHMARKS.md'), renderScaleReport(results), SCALE_BEGIN, SCALE_END);
  say('bench: wrote bench/results/scale.json, bench/results/scale.svg and the scale section of docs/BENCHMARKS.md');
}

function writeBudgetOutputs(results: BudgetResults): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'budget.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeReport(join(ROOT, 'docs/BENCHMARKS.md'), renderBudgetReport(results), BUDGET_BEGIN, BUDGET_END);
  say('bench: wrote bench/results/budget.json and the controller-budget section of docs/BENCHMARKS.md');
  for (const r of results.rows) say(`budget: ${r.mode.padEnd(18)} ${r.rps.toFixed(1).padStart(8)} req/s, job-info ${r.jobInfoRpcPerS.toFixed(1)}/s, squeue idle ${r.idle.medianMs.toFixed(0)} ms, loaded ${r.loaded.medianMs.toFixed(0)} ms = ${r.ratio.toFixed(2)}x`);
}

function writeMemoryOutputs(results: MemoryResults): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'memory.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeReport(join(ROOT, 'docs/BENCHMARKS.md'), renderMemoryReport(results), MEMORY_BEGIN, MEMORY_END);
  say('bench: wrote bench/results/memory.json and the memory section of docs/BENCHMARKS.md');
}

/** `--budget`: N held jobs on the normal cluster, then each system under --budget-clients connections (budget.ts). */
async function benchBudget(options: BenchOptions, cluster: Cluster, state: { stop?: () => Promise<void> }): Promise<BudgetResults> {
  const queueName = `${PREFIX}b-${Date.now().toString(36)}`;
  const machine = describeMachine(loadAverage());
  await settle(cluster, queueName, 0, 420_000, say);
  await addJobs(cluster, options.jobs, queueName);
  const q = await queued(cluster, queueName);
  say(`bench: budget: ${q.bench} held jobs named ${queueName}, ${q.total} job records`);
  const rows: BudgetResults['rows'] = [];
  const unavailable = new Map<string, string>();
  const spec = { modes: options.budgetModes, clients: options.budgetClients, durationS: options.durationS, parallel: options.parallel, ids: q.ids, queueName };
  for (const mode of options.budgetModes) {
    try {
      const r = await measureBudget(mode, spec, ROOT, cluster, join(RESULTS, 'logs'), state);
      rows.push(r);
      say(`budget: ${r.mode.padEnd(18)} ${r.rps.toFixed(1).padStart(8)} req/s  p99 ${r.p99Ms.toFixed(0)} ms  errors ${r.errors}  job-info ${r.jobInfoRpcPerS.toFixed(1)}/s (+${r.probeJobInfoRpcs} probe)  slurmctld CPU ${r.ctldCpuPct.toFixed(0)}%  squeue idle ${r.idle.medianMs.toFixed(0)} ms, loaded ${r.loaded.medianMs.toFixed(0)} ms (${r.ratio.toFixed(2)}x)`);
    } catch (error) {
      unavailable.set(label(mode), (error as Error).message.replace(/\s+/g, ' ').slice(0, 400));
      say(`bench: budget: ${label(mode)}: not available: ${unavailable.get(label(mode))}`);
    }
  }
  return {
    date: new Date().toISOString(), command: options.command, machine, slurmVersion: cluster.slurmVersion, jobs: q.bench, records: q.total,
    clients: options.budgetClients, durationS: options.durationS, parallel: options.parallel,
    filters: budgetFilters('<queue name>').map((fl) => Object.entries(fl).map(([k, v]) => `${k}=${v}`).join('&')),
    systems: options.budgetModes.map((m) => label(m)).map((mode) => ({ mode, available: !unavailable.has(mode), ...(unavailable.has(mode) && { message: unavailable.get(mode) }) })),
    rows,
  };
}

async function cleanUp(cluster: Cluster | undefined, state: { running?: Running; slurmrestd?: Slurmrestd; jwt?: JwtSetup }): Promise<void> {
  await state.running?.stop().catch(() => undefined);
  await state.slurmrestd?.daemon.stop().catch(() => undefined);
  state.jwt?.dispose();
  if (!cluster) return;
  const left = await sweep(cluster);
  say(`bench: cancelled ${left} remaining srbench-* jobs`);
  await sleep(1000);
  const again = await sweep(cluster);
  if (again) say(`bench: warning: ${again} srbench-* jobs were still pending after the first scancel; cancelled again`);
}

async function writeOutputs(results: BenchResults, options: BenchOptions): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  if (options.profile) {
    const raw = join(RESULTS, 'profiles/raw');
    // Only the gateway runs under --cpu-prof; slurmrestd has no profile to summarise.
    for (const dir of new Set(results.runs.filter((r) => r.mode !== 'slurmrestd').map((r) => runStem(r.mode, r.workload)))) {
      const summaries = summariseDir(join(raw, dir));
      const runs = results.runs.filter((r) => runStem(r.mode, r.workload) === dir);
      const head = runs.map((r) => `- ${r.connections} connections: ${r.rps.toFixed(1)} req/s, p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms, server CPU ${r.serverCpuMsPerReq.toFixed(2)} ms/req, slurmctld CPU ${r.ctldCpuMsPerReq.toFixed(2)} ms/req`).join('\n');
      const file = join(RESULTS, `profiles/${dir}.md`);
      writeFileSync(file, `${renderSummaries(`CPU profile: ${dir} (${results.jobs} jobs queued, \`${results.command}\`, ${results.date})`, summaries)}\nUnder \`--cpu-prof\`:\n${head}\n`);
      say(`bench: wrote ${file}`);
    }
    return; // a profiled run is slower by design: it does not replace the published figures
  }
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'rps.svg'), await renderChart(results));
  const checks = checkTargets(results);
  writeReport(join(ROOT, 'docs/BENCHMARKS.md'), renderReport(results, checks));
  say('bench: wrote bench/results/latest.json, bench/results/rps.svg, docs/BENCHMARKS.md');
  for (const c of checks) say(`target: ${c.target}: ${c.measured}: ${c.met === undefined ? c.verdict : c.met ? 'met' : c.verdict}`);
}

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    return 2;
  }
  if (options === 'help') return 0;
  if (options.reportOnly) {
    const scaleFile = join(RESULTS, 'scale.json');
    const budgetFile = join(RESULTS, 'budget.json');
    const memoryFile = join(RESULTS, 'memory.json');
    if (options.memory) { writeMemoryOutputs(JSON.parse(readFileSync(memoryFile, 'utf8')) as MemoryResults); return 0; }
    if (options.scale) { await writeScaleOutputs(JSON.parse(readFileSync(scaleFile, 'utf8')) as ScaleResults); return 0; }
    if (options.budget) { writeBudgetOutputs(JSON.parse(readFileSync(budgetFile, 'utf8')) as BudgetResults); return 0; }
    if (existsSync(memoryFile)) writeMemoryOutputs(JSON.parse(readFileSync(memoryFile, 'utf8')) as MemoryResults);
    if (existsSync(scaleFile)) await writeScaleOutputs(JSON.parse(readFileSync(scaleFile, 'utf8')) as ScaleResults);
    if (existsSync(budgetFile)) writeBudgetOutputs(JSON.parse(readFileSync(budgetFile, 'utf8')) as BudgetResults);
    if (options.history) {
      writeHistoryOutputs(JSON.parse(readFileSync(join(RESULTS, 'history.json'), 'utf8')) as HistoryResults);
      return 0;
    }
    const results = JSON.parse(readFileSync(join(RESULTS, 'latest.json'), 'utf8')) as BenchResults;
    await writeOutputs(results, { ...options, profile: false });
    if (existsSync(join(RESULTS, 'history.json'))) writeHistoryOutputs(JSON.parse(readFileSync(join(RESULTS, 'history.json'), 'utf8')) as HistoryResults);
    return 0;
  }
  const state: { running?: Running; slurmrestd?: Slurmrestd; jwt?: JwtSetup; stop?: () => Promise<void> } = {};
  const scaleState: ScaleState = {};
  let cluster: Cluster | undefined;
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    say('bench: interrupted: stopping the servers and cancelling the bench jobs');
    const scaleCleanUp = async () => {
      await scaleState.system?.stop().catch(() => undefined);
      if (options.scale) await restoreNormal(ROOT, scaleState.cluster, say).catch((e) => say(`bench: restoring the normal slurm.conf failed: ${(e as Error).message}`));
    };
    void Promise.all([state.stop?.().catch(() => undefined), scaleCleanUp()]).then(() => cleanUp(cluster, state)).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    say('bench: building the gateway (npm run build)');
    await run('npm', ['run', '--silent', 'build'], { cwd: ROOT, timeoutMs: 300_000 });
    if (options.scale) {
      let results: ScaleResults | undefined;
      try {
        results = await benchScale({ jobSteps: options.scaleJobs, nodeSteps: options.scaleNodes, connections: options.connections, durationS: options.durationS, modes: options.scaleModes, parallel: options.parallel, command: options.command }, ROOT, join(RESULTS, 'logs'), say, scaleState);
      } finally {
        await scaleState.system?.stop().catch(() => undefined);
        const seconds = await restoreNormal(ROOT, scaleState.cluster, say);
        scaleState.cluster = undefined;
        results?.setup.push({ step: 'jobs cancelled, normal slurm.conf back (cluster.sh up)', seconds });
      }
      if (!results) return 1;
      results.machine.loadAfter = loadAverage();
      await writeScaleOutputs(results);
      return 0;
    }
    say('bench: bringing up the private cluster (scripts/cluster.sh up)');
    cluster = await clusterUp(ROOT);
    const stale = await sweep(cluster);
    if (stale) say(`bench: cancelled ${stale} srbench-* jobs left by an earlier run`);
    if (options.history) {
      const history = await benchHistory(options, cluster, state);
      await cleanUp(cluster, state);
      history.machine.loadAfter = loadAverage();
      writeHistoryOutputs(history);
      return history.rows.every((r) => r.ok) ? 0 : 1;
    }
    if (options.memory) {
      if (options.connections.length !== 1) throw new Error(`Expected one --connections value with --memory, got ${options.connections.join(',')}`);
      const memory = await memoryScenario({
        root: ROOT, cluster, modes: options.memoryModes, jobs: options.jobs, connections: options.connections[0] as number,
        durationS: options.durationS, parallel: options.parallel, logDir: join(RESULTS, 'logs'), command: options.command, say,
      });
      writeMemoryOutputs(memory);
      return memory.rows.some((r) => r.message) ? 1 : 0;
    }
    if (options.budget) {
      const budget = await benchBudget(options, cluster, state);
      await cleanUp(cluster, state);
      budget.machine.loadAfter = loadAverage();
      writeBudgetOutputs(budget);
      return 0;
    }
    const results = await bench(options, cluster, state);
    await cleanUp(cluster, state);
    results.machine.loadAfter = loadAverage();
    await writeOutputs(results, options);
    return 0;
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    await cleanUp(cluster, state);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
