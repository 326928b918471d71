/**
 * The executor contract: what every Executor (src/executors/executor.ts) must answer, as a list of
 * named checks, run unchanged over each executor by describeExecutor() against the answers Slurm
 * 22.05 gave (test/fixtures/slurm-22.05/contract/), with no cluster. test/unit/executor-contract/
 * runs it over both executors, and runs it over deliberately broken executors to show that each
 * breakage fails some check.
 */
import { CONTROLLER_SOURCED } from '../../../src/slurm/accounting.js';
import type { CommandContext } from '../../../src/context.js';
import { ERROR_TABLE, GatewayError, type ErrorCode } from '../../../src/errors.js';
import type { Executor } from '../../../src/executors/executor.js';
import type { ClusterInfo, ControllerStats, Job, License, Node, Partition, Ping, Reservation } from '../../../src/model.js';
import { HOW_TO_FIND_OUT } from '../../../src/slurm/submit-outcome.js';
import type { Transport } from './fakes.js';
import { READS, SCENARIOS, commandOf, type Facts, type ScenarioName } from './scenarios.js';

export interface Subject {
  /** A new executor over a fake transport (no state is shared between two of them). */
  make(transport: Transport): Executor;
  /** The cluster state the executor's answers were recorded at. */
  facts: Facts;
}

export interface Check {
  name: string;
  run(subject: Subject): Promise<void>;
}

export type Mode = 'sync' | 'async';
export const MODES: readonly Mode[] = ['sync', 'async'];

export type Outcome<T = unknown> = { ok: true; value: T } | { ok: false; error: GatewayError };

const ctx = (ms = 30_000): CommandContext => ({ requestId: 'contract', deadline: Date.now() + ms });

async function outcome<T>(run: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (!(error instanceof GatewayError)) throw new Error(`not a GatewayError: ${String(error)}`, { cause: error });
    return { ok: false, error };
  }
}

/** One scenario through one entry point, on a fresh executor. */
export function runScenario(subject: Subject, scenario: ScenarioName, mode: Mode, transport: Transport = { kind: 'replay', scenario }, ms?: number): Promise<Outcome> {
  const executor = subject.make(transport);
  const command = commandOf(scenario, subject.facts);
  const c = ctx(ms);
  return outcome(() => (mode === 'sync' ? executor.executeSync(command, c) : executor.execute(command, c)));
}

/** The scenario's answer through both entry points; each must succeed. */
async function answers(subject: Subject, scenario: ScenarioName): Promise<unknown[]> {
  const values: unknown[] = [];
  for (const mode of MODES) {
    const got = await runScenario(subject, scenario, mode);
    if (!got.ok) throw new Error(`${scenario} (${mode}) failed: ${got.error.code}: ${got.error.message}`);
    values.push(got.value);
  }
  return values;
}

/** The scenario fails through both entry points with `code`, and its HTTP status. */
async function failsWith(subject: Subject, scenario: ScenarioName, code: ErrorCode, transport?: Transport): Promise<GatewayError[]> {
  const errors: GatewayError[] = [];
  for (const mode of MODES) {
    const got = await runScenario(subject, scenario, mode, transport);
    expect({ scenario, mode, code: got.ok ? 'answered' : got.error.code }).toEqual({ scenario, mode, code });
    const error = (got as { error: GatewayError }).error;
    expect(error.status).toBe(ERROR_TABLE[code].status);
    expect(error).toBeInstanceOf(GatewayError);
    errors.push(error);
  }
  return errors;
}

const JOB_KEYS = [
  'job_id', 'array_job_id', 'array_task_id', 'array_tasks', 'name', 'user', 'account', 'partition', 'qos', 'state',
  'reason', 'priority', 'submit_time', 'start_time', 'end_time', 'time_limit', 'nodes', 'node_count', 'cpus',
  'exit_code', 'working_directory', 'stdout_path', 'stderr_path',
  // #11: who answered, and what only accounting knows (null while the controller answers).
  'source', 'cluster', 'elapsed', 'derived_exit_code', 'signal', 'tres_requested', 'tres_allocated', 'max_rss', 'total_cpu',
  // #12: what the job asked for beyond the basics.
  'dependency', 'features', 'tres_per_node', 'tres_per_job', 'licenses', 'reservation', 'eligible_time', 'deadline',
  'requeue', 'exclusive', 'tasks_per_node',
] as const satisfies ReadonlyArray<keyof Job>;
const NODE_KEYS = [
  'name', 'state', 'state_flags', 'cpus', 'memory_mib', 'partitions', 'features', 'reason',
  // #12
  'cpu_load', 'active_features', 'gres', 'gres_used', 'tres', 'tres_allocated', 'address', 'hostname', 'os', 'boot_time', 'slurmd_start_time',
] as const satisfies ReadonlyArray<keyof Node>;
const PARTITION_KEYS = ['name', 'state', 'default', 'nodes', 'node_count', 'cpus_total', 'max_time', 'default_time', 'max_nodes', 'min_nodes', 'tres'] as const satisfies ReadonlyArray<keyof Partition>;
const STATS_KEYS = [
  'server_thread_count', 'agent_queue_size', 'jobs_submitted', 'jobs_started', 'jobs_completed', 'jobs_canceled', 'jobs_failed',
  'jobs_pending', 'jobs_running', 'schedule_cycle_last_us', 'schedule_cycle_mean_us', 'rpc_by_type', 'rpc_by_user', 'backfill',
] as const satisfies ReadonlyArray<keyof ControllerStats>;
const BACKFILL_KEYS = [
  'active', 'backfilled_jobs', 'backfilled_het_jobs', 'cycle_count', 'last_cycle_time', 'last_cycle_us', 'max_cycle_us', 'mean_cycle_us',
  'last_depth', 'last_depth_try', 'mean_depth', 'last_queue_length', 'mean_queue_length',
] as const satisfies ReadonlyArray<keyof ControllerStats['backfill']>;
const RESERVATION_KEYS = [
  'name', 'state', 'start_time', 'end_time', 'nodes', 'node_count', 'core_count', 'partition', 'users', 'accounts', 'licenses', 'flags', 'tres',
] as const satisfies ReadonlyArray<keyof Reservation>;
const TRES_KEYS = ['billing', 'cpus', 'gpus', 'memory_mib', 'nodes'];

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const isoOrNull = (v: unknown) => v === null || (typeof v === 'string' && ISO.test(v));
const numberOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
const stringOrNull = (v: unknown) => v === null || typeof v === 'string';

/** A Job of the model, as the controller answers it: exactly its fields, each of its type. */
function expectJob(job: Job): void {
  expect(Object.keys(job).sort()).toEqual([...JOB_KEYS].sort());
  expect(Object.fromEntries(Object.keys(CONTROLLER_SOURCED).map((k) => [k, job[k as keyof Job]]))).toEqual(CONTROLLER_SOURCED);
  expect(Number.isInteger(job.job_id) && job.job_id > 0).toBe(true);
  for (const key of ['array_job_id', 'array_task_id', 'priority', 'time_limit', 'node_count', 'cpus', 'exit_code'] as const) {
    expect({ [key]: numberOrNull(job[key]) }).toEqual({ [key]: true });
  }
  for (const key of ['array_tasks', 'account', 'partition', 'qos', 'reason', 'nodes', 'working_directory', 'stdout_path', 'stderr_path'] as const) {
    expect({ [key]: stringOrNull(job[key]) }).toEqual({ [key]: true });
  }
  for (const key of ['submit_time', 'start_time', 'end_time', 'eligible_time', 'deadline'] as const) expect({ [key]: isoOrNull(job[key]) }).toEqual({ [key]: true });
  for (const key of ['dependency', 'features', 'tres_per_node', 'tres_per_job', 'licenses', 'reservation'] as const) {
    expect({ [key]: stringOrNull(job[key]) }).toEqual({ [key]: true });
  }
  for (const key of ['requeue', 'exclusive'] as const) expect({ [key]: job[key] === null || typeof job[key] === 'boolean' }).toEqual({ [key]: true });
  expect({ tasks_per_node: numberOrNull(job.tasks_per_node) }).toEqual({ tasks_per_node: true });
  expect(typeof job.name).toBe('string');
  expect(typeof job.user).toBe('string');
  expect(typeof job.state).toBe('string');
}

function expectNode(node: Node): void {
  expect(Object.keys(node).sort()).toEqual([...NODE_KEYS].sort());
  expect(Object.keys(node.cpus).sort()).toEqual(['allocated', 'idle', 'total']);
  expect(Object.keys(node.memory_mib).sort()).toEqual(['allocated', 'free', 'total']);
  expect(node.cpus.total).toBeGreaterThan(0);
  expect(node.cpus.allocated + node.cpus.idle).toBeLessThanOrEqual(node.cpus.total);
  expect(Array.isArray(node.state_flags) && Array.isArray(node.partitions) && Array.isArray(node.features)).toBe(true);
  expect(Array.isArray(node.active_features)).toBe(true);
  for (const key of ['gres', 'gres_used', 'address', 'hostname', 'os'] as const) expect({ [key]: stringOrNull(node[key]) }).toEqual({ [key]: true });
  for (const key of ['boot_time', 'slurmd_start_time'] as const) expect({ [key]: isoOrNull(node[key]) }).toEqual({ [key]: true });
  expect(numberOrNull(node.cpu_load)).toBe(true);
  for (const tres of [node.tres, node.tres_allocated]) if (tres !== null) expect(Object.keys(tres).sort()).toEqual(TRES_KEYS);
  expect(node.tres?.cpus).toBe(node.cpus.total);
}

function expectReservation(r: Reservation): void {
  expect(Object.keys(r).sort()).toEqual([...RESERVATION_KEYS].sort());
  expect(['ACTIVE', 'INACTIVE']).toContain(r.state);
  for (const key of ['start_time', 'end_time'] as const) expect({ [key]: isoOrNull(r[key]) }).toEqual({ [key]: true });
  for (const key of ['nodes', 'partition'] as const) expect({ [key]: stringOrNull(r[key]) }).toEqual({ [key]: true });
  expect(Number.isInteger(r.node_count) && Number.isInteger(r.core_count)).toBe(true);
  expect(Array.isArray(r.users) && Array.isArray(r.accounts) && Array.isArray(r.flags)).toBe(true);
  for (const count of Object.values(r.licenses)) expect(Number.isInteger(count)).toBe(true);
  if (r.tres !== null) expect(Object.keys(r.tres).sort()).toEqual(TRES_KEYS);
}

function expectPartition(p: Partition): void {
  expect(Object.keys(p).sort()).toEqual([...PARTITION_KEYS].sort());
  expect(typeof p.default).toBe('boolean');
  for (const key of ['cpus_total', 'max_time', 'default_time', 'max_nodes'] as const) expect({ [key]: numberOrNull(p[key]) }).toEqual({ [key]: true });
}

const byId = (jobs: Job[], id: string | number) => jobs.find((j) => j.job_id === Number(id));

export const CHECKS: Check[] = [
  {
    name: 'ping: the controller is reachable, with the cluster name and the Slurm version',
    async run(s) {
      for (const ping of await answers(s, 'ping')) {
        expect(ping).toEqual({ cluster: s.facts.cluster, slurm_version: s.facts.slurm_version, controller_reachable: true } satisfies Ping);
      }
    },
  },
  {
    name: 'cluster.info: name, version, controllers and controller statistics',
    async run(s) {
      for (const info of await answers(s, 'cluster.info') as ClusterInfo[]) {
        expect(Object.keys(info).sort()).toEqual(['controllers', 'name', 'slurm_version', 'statistics']);
        expect(info.name).toBe(s.facts.cluster);
        expect(info.slurm_version).toBe(s.facts.slurm_version);
        expect(info.controllers.length).toBeGreaterThan(0);
        expect(Object.keys(info.statistics).sort()).toEqual([...STATS_KEYS].sort());
        expect(info.statistics.jobs_submitted).toBeGreaterThan(0);
        const rpcs = Object.entries(info.statistics.rpc_by_type);
        expect(rpcs.length).toBeGreaterThan(0);
        for (const [name, rpc] of rpcs) {
          expect(name).toMatch(/^[A-Z_0-9]+$/);
          expect(Object.keys(rpc).sort()).toEqual(['count', 'total_time_us']);
        }
        expect(Object.keys(info.statistics.backfill).sort()).toEqual([...BACKFILL_KEYS].sort());
        expect(info.statistics.rpc_by_user.length).toBeGreaterThan(0);
        for (const user of info.statistics.rpc_by_user) {
          expect(Object.keys(user).sort()).toEqual(['average_time_us', 'count', 'total_time_us', 'user', 'user_id']);
          expect(user.average_time_us).toBe(Math.floor(user.total_time_us / user.count));
        }
      }
    },
  },
  {
    name: 'jobs.list: the recorded jobs, each with every field of the model',
    async run(s) {
      for (const jobs of await answers(s, 'jobs.list') as Job[][]) {
        expect(jobs.length).toBeGreaterThanOrEqual(2);
        for (const job of jobs) {
          expectJob(job);
          expect(job.name).toBe(s.facts.name);
        }
        expect(byId(jobs, s.facts.held)).toBeDefined();
        expect(byId(jobs, s.facts.done)).toBeDefined();
      }
    },
  },
  {
    name: 'jobs.get: a held job, normalised (state, reason, limits, times) and as jobs.list has it',
    async run(s) {
      const [list] = await answers(s, 'jobs.list') as Job[][];
      for (const job of await answers(s, 'jobs.get.held') as Job[]) {
        expectJob(job);
        expect(job).toMatchObject({
          job_id: Number(s.facts.held), name: s.facts.name, partition: s.facts.partition, state: 'PENDING', reason: 'JobHeldUser',
          time_limit: 5, priority: 0, array_job_id: null, array_task_id: null, array_tasks: null, start_time: null,
        });
        expect(job.submit_time).toMatch(ISO);
        expect(job).toEqual(byId(list!, s.facts.held));
      }
    },
  },
  {
    name: 'jobs.get: a finished job, with its exit code and times',
    async run(s) {
      for (const job of await answers(s, 'jobs.get.done') as Job[]) {
        expectJob(job);
        expect(job).toMatchObject({ job_id: Number(s.facts.done), state: 'COMPLETED', exit_code: 0, partition: s.facts.partition, stdout_path: '/dev/null' });
        for (const t of [job.submit_time, job.start_time, job.end_time]) expect(t).toMatch(ISO);
        expect(Date.parse(job.end_time!)).toBeGreaterThanOrEqual(Date.parse(job.start_time!));
        expect(job.nodes).toBe(s.facts.node);
      }
    },
  },
  {
    name: 'jobs.get of an unknown job id: job_not_found (404)',
    async run(s) {
      await failsWith(s, 'jobs.get.unknown', 'job_not_found');
    },
  },
  {
    name: 'nodes.list and nodes.get: the node, every field, the same in both',
    async run(s) {
      const [list] = await answers(s, 'nodes.list') as Node[][];
      for (const node of list!) expectNode(node);
      const listed = list!.find((n) => n.name === s.facts.node);
      expect(listed).toBeDefined();
      expect(listed!.partitions).toContain(s.facts.partition);
      for (const node of await answers(s, 'nodes.get') as Node[]) expect(node).toEqual(listed);
    },
  },
  {
    name: 'nodes.get of an unknown node: node_not_found (404)',
    async run(s) {
      await failsWith(s, 'nodes.get.unknown', 'node_not_found');
    },
  },
  {
    name: 'partitions.list and partitions.get: the partition, every field, the same in both',
    async run(s) {
      const [list] = await answers(s, 'partitions.list') as Partition[][];
      for (const p of list!) expectPartition(p);
      const listed = list!.find((p) => p.name === s.facts.partition);
      expect(listed).toMatchObject({ state: 'UP', default: true, nodes: s.facts.node, node_count: 1 });
      for (const p of await answers(s, 'partitions.get') as Partition[]) expect(p).toEqual(listed);
    },
  },
  {
    name: 'reservations.list and reservations.get: the reservation, every field, the same in both',
    async run(s) {
      const [list] = await answers(s, 'reservations.list') as Reservation[][];
      for (const r of list!) expectReservation(r);
      const listed = list!.find((r) => r.name === s.facts.reservation);
      expect(listed).toBeDefined();
      for (const r of await answers(s, 'reservations.get') as Reservation[]) expect(r).toEqual(listed);
    },
  },
  {
    name: 'reservations.get of an unknown reservation: reservation_not_found (404)',
    async run(s) {
      await failsWith(s, 'reservations.get.unknown', 'reservation_not_found');
    },
  },
  {
    name: 'licenses.list: every license with its counts',
    async run(s) {
      for (const list of await answers(s, 'licenses.list') as License[][]) {
        for (const l of list) {
          expect(Object.keys(l).sort()).toEqual(['free', 'name', 'remote', 'reserved', 'total', 'used']);
          expect(l.used + l.free).toBe(l.total);
          expect(typeof l.remote).toBe('boolean');
        }
      }
    },
  },
  {
    name: 'partitions.get of an unknown partition: partition_not_found (404)',
    async run(s) {
      await failsWith(s, 'partitions.get.unknown', 'partition_not_found');
    },
  },
  {
    name: 'jobs.submit answers the job id Slurm gave, and nothing else',
    async run(s) {
      for (const result of await answers(s, 'submit')) expect(result).toEqual({ job_id: s.facts.submitted });
    },
  },
  {
    name: 'hold, release, update and cancel of a known job succeed (null)',
    async run(s) {
      for (const scenario of ['hold', 'release', 'update', 'cancel'] as const) {
        for (const result of await answers(s, scenario)) expect({ scenario, result }).toEqual({ scenario, result: null });
      }
    },
  },
  {
    name: 'cancel, hold, release, requeue and update of an unknown job: job_not_found (404)',
    async run(s) {
      for (const scenario of ['cancel.unknown', 'hold.unknown', 'release.unknown', 'requeue.unknown', 'update.unknown'] as const) {
        await failsWith(s, scenario, 'job_not_found');
      }
    },
  },
  {
    name: "Slurm's refusals keep their meaning: suspending a pending job is invalid_job_state (409), an unknown partition scheduler_rejected (502)",
    async run(s) {
      for (const error of await failsWith(s, 'suspend.pending', 'invalid_job_state')) {
        expect(error.details?.slurm_error).toMatch(/pending/i);
      }
      for (const error of await failsWith(s, 'submit.invalid-partition', 'scheduler_rejected')) {
        expect(error.details?.slurm_error).toMatch(/Invalid partition name specified/);
        expect(error.expose).toBe(true);
      }
    },
  },
  {
    name: 'execute and executeSync give the same answers to every recorded scenario',
    async run(s) {
      for (const scenario of Object.keys(SCENARIOS) as ScenarioName[]) {
        const [sync, async] = [await runScenario(s, scenario, 'sync'), await runScenario(s, scenario, 'async')];
        const plain = (o: Outcome) => (o.ok ? { value: o.value } : { error: { code: o.error.code, status: o.error.status, message: o.error.message, details: o.error.details } });
        expect({ scenario, async: plain(async) }).toEqual({ scenario, async: plain(sync) });
      }
    },
  },
  {
    name: 'execute ends with deadline_exceeded (504) by the deadline when Slurm never answers',
    async run(s) {
      // Side by side: each waits for its own deadline.
      await Promise.all((['jobs.get.held', 'nodes.list', 'hold'] as const).map(async (scenario) => {
        const started = Date.now();
        const got = await runScenario(s, scenario, 'async', { kind: 'hang' }, 300);
        const took = Date.now() - started;
        expect({ scenario, code: got.ok ? 'answered' : got.error.code }).toEqual({ scenario, code: 'deadline_exceeded' });
        expect((got as { error: GatewayError }).error.status).toBe(504);
        expect(took).toBeGreaterThanOrEqual(250);
        expect(took).toBeLessThan(300 + 1000);
      }));
    },
  },
  {
    name: 'executeSync, when the transport gives up on a silent Slurm: an outage answer (503/504), never a result',
    async run(s) {
      const started = Date.now();
      const got = await runScenario(s, 'jobs.get.held', 'sync', { kind: 'hang' }, 300);
      expect(got.ok).toBe(false);
      expect(['deadline_exceeded', 'scheduler_unavailable']).toContain((got as { error: GatewayError }).error.code);
      expect(Date.now() - started).toBeLessThan(300 + 1000);
    },
  },
  {
    name: 'a submission whose transport dies after it started is submit_outcome_unknown (502), never a failure',
    async run(s) {
      const unknown = (got: Outcome, how: string) => {
        expect({ how, code: got.ok ? 'answered' : got.error.code }).toEqual({ how, code: 'submit_outcome_unknown' });
        const error = (got as { error: GatewayError }).error;
        expect(error.status).toBe(502);
        expect(error.retryAfter).toBeUndefined();
        expect(error.details?.how_to_find_out).toBe(HOW_TO_FIND_OUT);
      };
      const late = runScenario(s, 'submit', 'async', { kind: 'hang' }, 300);
      unknown(await runScenario(s, 'submit', 'sync', { kind: 'hang' }, 300), 'sync, no answer by the deadline');
      unknown(await late, 'async, no answer by the deadline');
      for (const mode of MODES) unknown(await runScenario(s, 'submit', mode, { kind: 'lost-reply', scenario: 'submit' }), `${mode}, reply lost`);
    },
  },
];

/** The contract as a jest suite: one test per check. */
export function describeExecutor(name: string, make: Subject['make'], facts: Facts): void {
  describe(`executor contract: ${name}`, () => {
    for (const check of CHECKS) it(check.name, () => check.run({ make, facts }), 15_000);
  });
}

/**
 * Runs the checks outside jest's tests (for the meta-test): the names of those that failed, in
 * order; with `firstOnly`, it stops at the first failure.
 */
export async function failingChecks(subject: Subject, firstOnly = false): Promise<string[]> {
  const failed: string[] = [];
  for (const check of CHECKS) {
    try {
      await check.run(subject);
    } catch {
      failed.push(check.name);
      if (firstOnly) break;
    }
  }
  return failed;
}

/** Every read scenario (for the cross-executor comparison). */
export const READ_SCENARIOS = Object.keys(READS) as ScenarioName[];
