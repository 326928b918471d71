/**
 * What the executor contract asks of Slurm, shared by the recorder (record.ts, run by
 * scripts/record-fixtures.mjs against the real cluster) and the replaying fakes (fakes.ts): each
 * scenario is one command, built from the facts of the recording, so the tool runs and libslurm
 * calls it makes are the ones that were recorded.
 */
import type { SchedulerCommand } from '../../../src/commands.js';
import type { Constants } from '../../../src/executors/internal/binding.js';

/** The cluster state a recording was made at (test/fixtures/slurm-22.05/contract/README). */
export interface Facts {
  cluster: string;
  slurm_version: string;
  /** The name of every job the recorder created. */
  name: string;
  /** A held pending job: partition `partition`, time limit 5 min, comment "contract". */
  held: string;
  /** A job that exited 0. */
  done: string;
  node: string;
  partition: string;
  unknownJob: string;
  unknownNode: string;
  unknownPartition: string;
  /** #12: a reservation of the cluster (scripts/cluster.sh makes sr-lic), and a name none has. */
  reservation: string;
  unknownReservation: string;
  /** Per executor: the job id Slurm gave the recorded submission. */
  submitted: number;
  /** Per executor: a held job that the recorded hold, release, update and cancel acted on (in that order). */
  action: string;
}

/** Scenarios recorded once per executor, back to back, at the same cluster state. */
export const READS = {
  'ping': () => ({ kind: 'ping' }),
  'cluster.info': () => ({ kind: 'cluster.info' }),
  'jobs.list': (f) => ({ kind: 'jobs.list', filter: { name: [f.name] } }),
  'jobs.get.held': (f) => ({ kind: 'jobs.get', jobId: f.held }),
  'jobs.get.done': (f) => ({ kind: 'jobs.get', jobId: f.done }),
  'jobs.get.unknown': (f) => ({ kind: 'jobs.get', jobId: f.unknownJob }),
  'nodes.list': () => ({ kind: 'nodes.list' }),
  'nodes.get': (f) => ({ kind: 'nodes.get', name: f.node }),
  'nodes.get.unknown': (f) => ({ kind: 'nodes.get', name: f.unknownNode }),
  'partitions.list': () => ({ kind: 'partitions.list' }),
  'partitions.get': (f) => ({ kind: 'partitions.get', name: f.partition }),
  'partitions.get.unknown': (f) => ({ kind: 'partitions.get', name: f.unknownPartition }),
  'reservations.list': () => ({ kind: 'reservations.list' }),
  'reservations.get': (f) => ({ kind: 'reservations.get', name: f.reservation }),
  'reservations.get.unknown': (f) => ({ kind: 'reservations.get', name: f.unknownReservation }),
  'licenses.list': () => ({ kind: 'licenses.list' }),
  'cancel.unknown': (f) => ({ kind: 'jobs.cancel', jobId: f.unknownJob }),
  'hold.unknown': (f) => ({ kind: 'jobs.control', jobId: f.unknownJob, action: 'hold' }),
  'release.unknown': (f) => ({ kind: 'jobs.control', jobId: f.unknownJob, action: 'release' }),
  'requeue.unknown': (f) => ({ kind: 'jobs.control', jobId: f.unknownJob, action: 'requeue' }),
  'update.unknown': (f) => ({ kind: 'jobs.update', jobId: f.unknownJob, update: { comment: 'contract' } }),
  // Slurm's refusals of a request it understood: a pending job cannot be suspended, a partition
  // that does not exist takes no job.
  'suspend.pending': (f) => ({ kind: 'jobs.control', jobId: f.held, action: 'suspend' }),
  'submit.invalid-partition': (f) => ({ kind: 'jobs.submit', submission: { script: '#!/bin/sh\ntrue\n', name: f.name, partition: f.unknownPartition } }),
} satisfies Record<string, (f: Facts) => SchedulerCommand>;

/** Scenarios that change the cluster: each executor's on its own jobs, in this order. */
export const WRITES = {
  'submit': (f) => ({ kind: 'jobs.submit', submission: { script: '#!/bin/sh\nsleep 600\n', name: f.name, hold: true, time_limit: 5 } }),
  'hold': (f) => ({ kind: 'jobs.control', jobId: f.action, action: 'hold' }),
  'release': (f) => ({ kind: 'jobs.control', jobId: f.action, action: 'release' }),
  'update': (f) => ({ kind: 'jobs.update', jobId: f.action, update: { comment: 'contract-updated' } }),
  'cancel': (f) => ({ kind: 'jobs.cancel', jobId: f.action }),
} satisfies Record<string, (f: Facts) => SchedulerCommand>;

export const SCENARIOS = { ...READS, ...WRITES };
export type ScenarioName = keyof typeof SCENARIOS;

export function commandOf(name: ScenarioName, facts: Facts): SchedulerCommand {
  return (SCENARIOS[name] as (f: Facts) => SchedulerCommand)(facts);
}

/** A tool run as recorded: what ExternalExecutor's runner returned for it. */
export interface ToolAnswer {
  key: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A libslurm call as recorded: what the binding returned or threw. */
export interface CallAnswer {
  key: string;
  value?: unknown;
  error?: { slurmErrno: number; slurmError: string; api: string; message: string };
}

export interface ExternalFixture {
  recorded: string;
  facts: Facts;
  scenarios: Record<ScenarioName, ToolAnswer[]>;
}

export interface InternalFixture {
  recorded: string;
  facts: Facts;
  version: string;
  constants: Constants;
  /** binding.strerror() of the errnos the recordings and the fakes use. */
  strerror: Record<string, string>;
  scenarios: Record<ScenarioName, CallAnswer[]>;
}

/** A tool run's key: the tool and its argv (the script on stdin and the job environment aside). */
export function toolKey(tool: string, args: readonly string[]): string {
  return [tool, ...args].join(' ');
}

/**
 * A libslurm call's key: the operation and its arguments, without what depends on the machine
 * and the process that made it (a submission's environment, working directory, uid and gid).
 */
export function callKey(op: string, args: unknown): string {
  const stable = { ...(args as Record<string, unknown> | undefined) };
  if (op === 'submit') {
    for (const field of ['environment', 'work_dir', 'user_id', 'group_id']) delete stable[field];
  }
  return `${op} ${JSON.stringify(sorted(stable))}`;
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
}
