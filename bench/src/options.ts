/** Command-line options of `npm run bench`. */
import { parseArgs } from 'node:util';
import { HISTORY_MODES } from './history.js';
import { SCALE_MODES } from './scale.js';
import { MEMORY_MODES } from './memory.js';
import { ALL_MODES, DEFAULT_JWT_MODES, WORKLOADS, isJwt, label, parseMode, type Mode, type Workload } from './modes.js';

export interface BenchOptions {
  /** Held jobs put in the queue before measuring. @default 1000 (quick: 20) */
  jobs: number;
  /** Seconds per run (one workload, one system, one concurrency). @default 10 (quick: 2) */
  durationS: number;
  /** Concurrent connections, one run each. @default [1, 16, 64] (quick: [16]) */
  connections: number[];
  /** Systems to measure: every system any workload measures. @default every mode, slurmrestd first, then the DEFAULT_JWT_MODES */
  modes: Mode[];
  /**
   * The systems each workload measures. With --modes, the same for every workload; without, all
   * nine for every workload, and DEFAULT_JWT_MODES (internal:thread+jwt, external:coroutine+jwt, floor+jwt)
   * for submit as well.
   */
  modesFor: Record<Workload, Mode[]>;
  workloads: Workload[];
  /** The gateway's --parallel. @default 4 */
  parallel: number;
  quick: boolean;
  /** Run the gateway under `node --cpu-prof` and summarise the profile (results are not saved as latest). */
  profile: boolean;
  /** Measure nothing: render docs/BENCHMARKS.md and the chart again from bench/results/latest.json. */
  reportOnly: boolean;
  /**
   * Run the history scenario (bench/src/history.ts) instead of the queue workloads: N ended jobs,
   * GET /v1/history's first page and full walks beside slurmrestd's /slurmdb/v0.0.38/jobs.
   * Implied by any --history-* option.
   */
  history: boolean;
  /** Ended jobs to create and walk. @default 10000 */
  historyJobs: number;
  /** Page sizes walked. @default [100, 1000] */
  historyLimits: number[];
  /** Walks per system and page size (the report gives the median). @default 3 */
  historyRepetitions: number;
  /** Systems the history scenario measures: --modes, else slurmrestd, internal:thread, external:thread. */
  historyModes: Mode[];
  /**
   * Run the scale scenario (bench/src/scale.ts): the cluster's scale profile (simulated CLOUD nodes,
   * MaxJobCount 50,000), list/get/filter at each --scale-jobs count and list nodes at each
   * --scale-nodes count; the normal slurm.conf is back afterwards. Implied by --scale-* options.
   */
  scale: boolean;
  /** Queued jobs at each step of the jobs series. @default [1000, 5000, 20000] */
  scaleJobs: number[];
  /** Simulated nodes at each step of the nodes series (the jobs series runs at the largest). @default [500, 2000, 5000] */
  scaleNodes: number[];
  /** Systems the scale scenario measures: --modes, else slurmrestd, internal:thread, external:coroutine. */
  scaleModes: Mode[];
  /**
   * Run the controller-budget scenario (bench/src/budget.ts): --budget-clients connections polling
   * different filters and ids for --duration seconds per system, sdiag's RPC/s, and an `squeue` run
   * as another user timed during the load against idle. Implied by --budget-clients.
   */
  budget: boolean;
  /** Concurrent clients in the budget scenario. @default 200 */
  budgetClients: number;
  /** Systems the budget scenario measures: --modes, else all nine. */
  budgetModes: Mode[];
  /**
   * Run the memory scenario (bench/src/memory.ts): per mode, RSS of the gateway and of each pool
   * child at rest and under a list and a by-id load at --connections (one value; default 64), and
   * heap snapshots after the load.
   */
  memory: boolean;
  /** Systems the memory scenario measures: --modes, else one of each application per executor. */
  memoryModes: Mode[];
  /** The command line as typed, for the report. */
  command: string;
}

const USAGE = `npm run bench -- [--jobs N] [--duration S] [--connections 1,16,64] [--modes slurmrestd,internal:thread,internal:thread+jwt,...]
                     [--workloads list,get,submit] [--parallel N] [--quick] [--profile] [--report-only]
       npm run bench -- --history [--history-jobs N] [--history-limits 100,1000] [--history-repetitions N] [--modes ...]
       npm run bench -- --scale [--scale-jobs 1000,5000,20000] [--scale-nodes 500,2000,5000] [--duration 5] [--connections 1,16,64] [--modes ...]
       npm run bench -- --budget [--budget-clients 200] [--duration 10] [--jobs 1000] [--modes ...]
       npm run bench -- --memory [--connections 64] [--duration 10] [--jobs 1000] [--modes ...]
       (--report-only with --history, --scale, --budget or --memory renders that section only; alone, every section with results)`;

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`Expected --${name} to be a positive integer, got "${text}"`);
  return n;
}

function pageSize(text: string): number {
  const n = positiveInt('history-limits', text);
  if (n > 1000) throw new Error(`Expected --history-limits of at most 1000 (GET /v1/history's largest limit), got "${text}"`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      jobs: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      modes: { type: 'string' },
      workloads: { type: 'string' },
      parallel: { type: 'string' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'report-only': { type: 'boolean', default: false },
      history: { type: 'boolean', default: false },
      'history-jobs': { type: 'string' },
      'history-limits': { type: 'string' },
      'history-repetitions': { type: 'string' },
      scale: { type: 'boolean', default: false },
      'scale-jobs': { type: 'string' },
      'scale-nodes': { type: 'string' },
      budget: { type: 'boolean', default: false },
      'budget-clients': { type: 'string' },
      memory: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 'help';
  }
  const quick = values.quick ?? false;
  const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);
  const workloads = values.workloads ? list(values.workloads) : [...WORKLOADS];
  for (const w of workloads) {
    if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`Expected --workloads among ${WORKLOADS.join(', ')}, got "${w}"`);
  }
  const scale = Boolean(values.scale || values['scale-jobs'] || values['scale-nodes']);
  const budget = Boolean(values.budget || values['budget-clients']);
  const history = Boolean(values.history || values['history-jobs'] || values['history-limits'] || values['history-repetitions']);
  const memory = values.memory ?? false;
  if ([scale, budget, history, memory].filter(Boolean).length > 1) throw new Error('Expected at most one of --history, --scale, --budget, --memory');
  const modes = values.modes ? list(values.modes).map(parseMode) : undefined;
  const jwt = modes?.filter(isJwt) ?? [];
  if (jwt.length && (scale || budget || history || memory)) {
    throw new Error(`Expected no ${jwt.map(label).join(', ')} with --${scale ? 'scale' : budget ? 'budget' : memory ? 'memory' : 'history'}: gateway modes under --auth=jwt are measured by the queue workloads (list, get, submit) only`);
  }
  if (modes?.some((m) => m.kind === 'floor') && (scale || budget || history || memory || workloads.some((w) => w !== 'submit'))) {
    throw new Error('Expected floor and floor+jwt with --workloads submit only: the floor server answers submissions and cancels, nothing else');
  }
  const modesFor = Object.fromEntries(WORKLOADS.map((w) => [w, modes ?? (w === 'submit' ? [...ALL_MODES, ...DEFAULT_JWT_MODES] : ALL_MODES)])) as Record<Workload, Mode[]>;
  return {
    jobs: values.jobs ? positiveInt('jobs', values.jobs) : quick ? 20 : 1000,
    durationS: values.duration ? positiveInt('duration', values.duration) : quick ? 2 : scale ? 5 : 10,
    connections: values.connections ? list(values.connections).map((c) => positiveInt('connections', c)) : memory ? [64] : quick ? [16] : [1, 16, 64],
    modes: modes ?? [...ALL_MODES, ...(workloads.includes('submit') ? DEFAULT_JWT_MODES : [])],
    modesFor,
    workloads: workloads as Workload[],
    parallel: values.parallel ? positiveInt('parallel', values.parallel) : 4,
    quick,
    profile: values.profile ?? false,
    reportOnly: values['report-only'] ?? false,
    history,
    scale,
    scaleJobs: values['scale-jobs'] ? list(values['scale-jobs']).map((n) => positiveInt('scale-jobs', n)) : [1000, 5000, 20000],
    scaleNodes: values['scale-nodes'] ? list(values['scale-nodes']).map((n) => positiveInt('scale-nodes', n)) : [500, 2000, 5000],
    scaleModes: modes ?? SCALE_MODES,
    budget,
    budgetClients: values['budget-clients'] ? positiveInt('budget-clients', values['budget-clients']) : 200,
    budgetModes: modes ?? ALL_MODES,
    historyJobs: values['history-jobs'] ? positiveInt('history-jobs', values['history-jobs']) : 10000,
    historyLimits: values['history-limits'] ? list(values['history-limits']).map((l) => pageSize(l)) : [100, 1000],
    historyRepetitions: values['history-repetitions'] ? positiveInt('history-repetitions', values['history-repetitions']) : 3,
    historyModes: modes ?? HISTORY_MODES,
    memory,
    memoryModes: modes ?? MEMORY_MODES,
    command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
  };
}
