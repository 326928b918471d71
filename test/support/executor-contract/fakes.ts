/**
 * Transports that need no Slurm: they replay the answers recorded from the real cluster
 * (test/fixtures/slurm-22.05/contract/, scripts/record-fixtures.mjs), or fail the way the real
 * transport fails. Nothing here loads libslurm or runs a Slurm tool.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandContext } from '../../../src/context.js';
import type { Executor } from '../../../src/executors/executor.js';
import { ExternalExecutor } from '../../../src/executors/external/executor.js';
import { SLURM_TOOLS, SlurmRunner, type Invocation, type RunResult, type ToolRunner } from '../../../src/executors/external/runner.js';
import type { AuthMode, Binding, OpArgs, OpName, OpResult, SlurmCallError } from '../../../src/executors/internal/binding.js';
import { InternalExecutor } from '../../../src/executors/internal/executor.js';
import { callKey, toolKey, type CallAnswer, type ExternalFixture, type InternalFixture, type ScenarioName, type ToolAnswer } from './scenarios.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/slurm-22.05/', import.meta.url));

export const externalFixture = (): ExternalFixture => JSON.parse(readFileSync(join(FIXTURES, 'contract/external.json'), 'utf8'));
export const internalFixture = (): InternalFixture => JSON.parse(readFileSync(join(FIXTURES, 'contract/internal.json'), 'utf8'));

/**
 * How the fake transport behaves:
 * - replay: the recorded answers of one scenario;
 * - hang: nothing ever answers (a controller that accepted the connection and went silent);
 * - lost-reply: the scenario's answers, except that the submission's reply never comes back
 *   after the request went out (sbatch's "Socket timed out on send/recv operation").
 */
export type Transport = { kind: 'replay'; scenario: ScenarioName } | { kind: 'hang' } | { kind: 'lost-reply'; scenario: ScenarioName };

/** Answers by key, in recorded order; the last answer of a key is repeated once the others are used. */
class Replay<A extends { key: string }> {
  readonly #byKey = new Map<string, A[]>();
  constructor(answers: A[], readonly what: string) {
    for (const a of answers) this.#byKey.set(a.key, [...(this.#byKey.get(a.key) ?? []), a]);
  }
  take(key: string): A {
    const queue = this.#byKey.get(key);
    if (!queue?.length) throw new Error(`${this.what}: nothing was recorded for ${JSON.stringify(key)} (re-record with scripts/record-fixtures.mjs?)`);
    return queue.length > 1 ? queue.shift()! : queue[0]!;
  }
}

/** Replays recorded tool output (ExternalExecutor's transport). */
export class ReplayRunner implements ToolRunner {
  readonly #replay: Replay<ToolAnswer>;
  constructor(answers: ToolAnswer[], readonly lostReply = false) {
    this.#replay = new Replay(answers, 'ReplayRunner');
  }
  async run(invocation: Invocation, ctx: CommandContext): Promise<RunResult> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.runSync(invocation, ctx);
  }
  runSync(invocation: Invocation, _ctx?: CommandContext): RunResult {
    if (this.lostReply && invocation.tool === 'sbatch') {
      // Real sbatch output, captured against a listener that read the request and never answered.
      return { invocation, exitCode: 1, stdout: '', stderr: readFileSync(join(FIXTURES, 'sbatch-reply-timeout.stderr'), 'utf8') };
    }
    const answer = this.#replay.take(toolKey(invocation.tool, invocation.args));
    return { invocation, exitCode: answer.exitCode, stdout: answer.stdout, stderr: answer.stderr };
  }
}

let hangingBin: string | undefined;
/**
 * The real runner in front of tools that never answer (`exec sleep 600`): the external executor's
 * deadline is the runner's (execa's timeout kills the tool), so the real one is what is checked.
 * Runs /bin/sh and sleep only.
 */
export function hangingRunner(): ToolRunner {
  if (!hangingBin) {
    hangingBin = mkdtempSync(join(tmpdir(), 'sr-contract-hang-'));
    for (const tool of SLURM_TOOLS) {
      writeFileSync(join(hangingBin, tool), '#!/bin/sh\nexec sleep 600\n');
      chmodSync(join(hangingBin, tool), 0o755);
    }
  }
  return new SlurmRunner({ slurmBinDir: hangingBin });
}

export function makeExternal(transport: Transport, fixture = externalFixture()): Executor {
  if (transport.kind === 'hang') return new ExternalExecutor({}, hangingRunner());
  return new ExternalExecutor({}, new ReplayRunner(fixture.scenarios[transport.scenario], transport.kind === 'lost-reply'));
}

/**
 * A Binding (src/executors/internal/binding.ts) with libslurm's constants and answers as
 * recorded from the real binding. Failures are thrown as the binding throws them.
 */
export class ReplayBinding implements Binding {
  readonly loadError = null;
  readonly version: string;
  readonly constants: InternalFixture['constants'];
  readonly #fixture: InternalFixture;
  readonly #replay: Replay<CallAnswer>;
  readonly #transport: Transport;

  constructor(fixture: InternalFixture, transport: Transport) {
    this.#fixture = fixture;
    this.version = fixture.version;
    this.constants = fixture.constants;
    this.#transport = transport;
    this.#replay = new Replay(transport.kind === 'hang' ? [] : fixture.scenarios[transport.scenario], 'ReplayBinding');
  }

  init(): { auth: AuthMode; authType: string | null; jwtPlugin: string | null } {
    return { auth: 'none', authType: 'auth/munge', jwtPlugin: null };
  }
  authMode(): AuthMode | null { return 'none'; }

  call<N extends OpName>(name: N, args?: OpArgs<N>): OpResult<N> {
    if (this.#transport.kind === 'hang' || (this.#transport.kind === 'lost-reply' && name === 'submit')) {
      // libslurm's own end of a silent controller: after MessageTimeout the call fails with this
      // errno (the blocking call cannot be given the request's deadline).
      throw this.#failure('SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT', name);
    }
    const answer = this.#replay.take(callKey(name, args));
    if (answer.error) throw Object.assign(new Error(answer.error.message), answer.error) as SlurmCallError;
    return structuredClone(answer.value) as OpResult<N>;
  }

  callAsync<N extends OpName>(name: N, args?: OpArgs<N>): Promise<OpResult<N>> {
    if (this.#transport.kind === 'hang') return new Promise<never>(() => {});
    return new Promise((resolve, reject) => setImmediate(() => {
      try { resolve(this.call(name, args)); } catch (error) { reject(error); }
    }));
  }

  strerror(errno: number): string {
    return this.#fixture.strerror[String(errno)] ?? `Unknown error ${errno}`;
  }
  uidFromString(name: string): number | null { return name === 'root' ? 0 : null; }
  account(): null { return null; }
  threadTokenSet(): boolean { return false; }
  setSerialized(): void {}
  exitNow(code: number): never { throw new Error(`exitNow(${code}) called on the replaying binding`); }

  #failure(name: string, op: string): SlurmCallError {
    const slurmErrno = this.constants.errno[name]!;
    const slurmError = this.strerror(slurmErrno);
    return Object.assign(new Error(`${op}: ${slurmError}`), { slurmErrno, slurmError, api: op });
  }
}

export function makeInternal(transport: Transport, fixture = internalFixture()): Executor {
  return new InternalExecutor(new ReplayBinding(fixture, transport), {});
}
