/**
 * Records the answers the executor contract replays, from the real cluster (SLURM_CONF): every
 * tool run of the external executor and every libslurm call of the internal one, made by the real
 * executors while they run the scenarios of scenarios.ts. Run through scripts/record-fixtures.mjs;
 * writes test/fixtures/slurm-22.05/contract/{external,internal}.json.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CommandContext } from '../../../src/context.js';
import type { Executor } from '../../../src/executors/executor.js';
import { ExternalExecutor } from '../../../src/executors/external/executor.js';
import { SlurmRunner, type Invocation, type RunResult, type ToolRunner } from '../../../src/executors/external/runner.js';
import { loadBinding, isSlurmCallError, type Binding } from '../../../src/executors/internal/binding.js';
import { InternalExecutor } from '../../../src/executors/internal/executor.js';
import type { Job, Node } from '../../../src/model.js';
import {
  READS, WRITES, callKey, commandOf, toolKey,
  type CallAnswer, type ExternalFixture, type Facts, type InternalFixture, type ScenarioName, type ToolAnswer,
} from './scenarios.js';

const root = process.argv[2];
if (!root || !process.env.SLURM_CONF) throw new Error('usage: SLURM_CONF=… node record.js <repository root> (use scripts/record-fixtures.mjs)');
const out = join(root, 'test/fixtures/slurm-22.05/contract');

const ctx = (): CommandContext => ({ requestId: 'record', deadline: Date.now() + 60_000 });

/** Records each tool run, under the scenario being recorded. */
class RecordingRunner implements ToolRunner {
  readonly #real = new SlurmRunner({});
  answers: ToolAnswer[] = [];
  async run(invocation: Invocation, c: CommandContext, signal?: AbortSignal): Promise<RunResult> {
    return this.#keep(await this.#real.run(invocation, c, signal));
  }
  runSync(invocation: Invocation, c: CommandContext): RunResult {
    return this.#keep(this.#real.runSync(invocation, c));
  }
  #keep(result: RunResult): RunResult {
    this.answers.push({ key: toolKey(result.invocation.tool, result.invocation.args), exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr });
    return result;
  }
}

/** The real binding, with each call and its answer kept. */
function recordingBinding(real: Binding): Binding & { answers: CallAnswer[] } {
  const answers: CallAnswer[] = [];
  const keep = (op: string, args: unknown, f: () => unknown) => {
    const key = callKey(op, args);
    try {
      const value = f();
      answers.push({ key, value: structuredClone(value) });
      return value;
    } catch (error) {
      if (isSlurmCallError(error)) answers.push({ key, error: { slurmErrno: error.slurmErrno, slurmError: error.slurmError, api: error.api, message: error.message } });
      throw error;
    }
  };
  const binding = Object.create(real) as Binding & { answers: CallAnswer[] };
  Object.defineProperty(binding, 'answers', { get: () => answers });
  binding.call = ((op: never, args: never, token?: string) => keep(op, args, () => real.call(op, args, token))) as Binding['call'];
  // The recording drives executeSync only: the answers are the transport's, not the driver's.
  binding.callAsync = (() => { throw new Error('the recorder uses executeSync'); }) as Binding['callAsync'];
  for (const method of ['authMode', 'setSerialized', 'strerror', 'uidFromString', 'account', 'threadTokenSet'] as const) {
    (binding as unknown as Record<string, unknown>)[method] = (real[method] as (...a: unknown[]) => unknown).bind(real);
  }
  return binding;
}

const binding = loadBinding(join(root, 'build/Release/slurm_binding.node'), 'none');
const runner = new RecordingRunner();
const recording = recordingBinding(binding);
const external = new ExternalExecutor({}, runner);
const internal = new InternalExecutor(recording, {});
const plain = new ExternalExecutor({});

function outcome(executor: Executor, command: ReturnType<typeof commandOf>): string {
  try {
    executor.executeSync(command, ctx());
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const name = `contract-${randomBytes(3).toString('hex')}`;
const submit = (script: string, extra: object = {}) =>
  String(plain.executeSync({ kind: 'jobs.submit', submission: { script, name, time_limit: 5, ...extra } }, ctx()).job_id);

// The cluster state: a held job, a finished one, one held job for each executor's actions.
const held = submit('#!/bin/sh\nsleep 600\n', { hold: true, comment: 'contract' });
const done = submit('#!/bin/sh\nexit 0\n', { stdout: '/dev/null' });
const actions = { external: submit('#!/bin/sh\nsleep 600\n', { hold: true, stdout: '/dev/null' }), internal: submit('#!/bin/sh\nsleep 600\n', { hold: true, stdout: '/dev/null' }) };
for (let i = 0; ; i++) {
  const state = plain.executeSync({ kind: 'jobs.get', jobId: done }, ctx()).state;
  if (state === 'COMPLETED') break;
  if (i > 120) throw new Error(`job ${done} did not complete: ${state}`);
  await new Promise((r) => setTimeout(r, 500));
}
const node = (plain.executeSync({ kind: 'nodes.list' }, ctx()) as Node[])[0]!.name;
const info = plain.executeSync({ kind: 'cluster.info' }, ctx());
const reservation = plain.executeSync({ kind: 'reservations.list' }, ctx())[0]?.name;
if (!reservation) throw new Error('the cluster has no reservation: scripts/cluster.sh up makes sr-lic');
const common = {
  cluster: info.name, slurm_version: info.slurm_version, name, held, done, node, partition: 'debug',
  unknownJob: '99999999', unknownNode: 'nosuchnode', unknownPartition: 'nosuchpartition',
  reservation, unknownReservation: 'nosuchreservation',
};
const facts = {
  external: { ...common, submitted: 0, action: actions.external } as Facts,
  internal: { ...common, submitted: 0, action: actions.internal } as Facts,
};

const tools = {} as ExternalFixture['scenarios'];
const calls = {} as InternalFixture['scenarios'];
const results: string[] = [];

function recordBoth(scenario: ScenarioName): void {
  runner.answers = [];
  results.push(`${scenario}: external ${outcome(external, commandOf(scenario, facts.external))}`);
  tools[scenario] = runner.answers;
  recording.answers.length = 0;
  results.push(`${scenario}: internal ${outcome(internal, commandOf(scenario, facts.internal))}`);
  calls[scenario] = [...recording.answers];
}

for (const scenario of Object.keys(READS) as ScenarioName[]) recordBoth(scenario);
for (const scenario of Object.keys(WRITES) as ScenarioName[]) recordBoth(scenario);

// The job ids the recorded submissions were given, from the recorded answers themselves.
facts.external.submitted = Number(/^(\d+)/.exec(tools.submit.at(-1)!.stdout)![1]);
facts.internal.submitted = (calls.submit.at(-1)!.value as { job_id: number }).job_id;

// The state the recorded reads saw must not have moved while both executors read it.
const jobs = plain.executeSync({ kind: 'jobs.list', filter: { name: [name] } }, ctx()) as Job[];
for (const id of [held, facts.external.submitted, facts.internal.submitted, ...Object.values(actions)]) {
  try { plain.executeSync({ kind: 'jobs.cancel', jobId: String(id) }, ctx()); } catch { /* already gone */ }
}

const errnos = ['SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT', 'SLURM_COMMUNICATIONS_RECEIVE_ERROR'];
const strerror = Object.fromEntries(errnos.map((e) => [String(binding.constants.errno[e]), binding.strerror(binding.constants.errno[e]!)]));
for (const answers of Object.values(calls)) for (const a of answers) if (a.error) strerror[String(a.error.slurmErrno)] = a.error.slurmError;

const recorded = new Date().toISOString();
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'external.json'), `${JSON.stringify({ recorded, facts: facts.external, scenarios: tools } satisfies ExternalFixture, null, 1)}\n`);
writeFileSync(join(out, 'internal.json'), `${JSON.stringify({
  recorded, facts: facts.internal, version: binding.version, constants: binding.constants, strerror, scenarios: calls,
} satisfies InternalFixture, null, 1)}\n`);
process.stdout.write(`${results.join('\n')}\njobs named ${name} at the end: ${jobs.map((j) => `${j.job_id} ${j.state}`).join(', ')}\nwritten to ${out}\n`);
