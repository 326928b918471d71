/**
 * Transport: the native libslurm binding (native/, built into build/Release/slurm_binding.node).
 * This file loads it and types its surface; what its operations take and return is raw.ts
 * (Slurm's own structures as plain data, with Slurm's sentinels left as numbers). What they mean
 * is decided in plans.ts and normalise.ts.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { configurationProblem } from '../../slurm/configuration.js';
import { GatewayError } from '../../errors.js';
import type { Account, AuthMode } from '../../slurm/identity.js';
import type { OpArgs, OpName, OpResult } from './raw.js';

export const BINDING_PATH = fileURLToPath(new URL('../../../build/Release/slurm_binding.node', import.meta.url));
export const REBUILD_HINT = 'install the Debian package libslurm-dev, then run `npm run build:native`';

export type {
  OpArgs, OpName, OpResult, Operations, RawAcctJob, RawAcctStep, RawArrayResult, RawJobCond, RawJobStep, RawConfig, RawJob, RawJobDesc, RawLicense, RawNode, RawPartition, RawPing, RawReservation, RawStats,
} from './raw.js';

export interface Constants {
  SLURM_VERSION_NUMBER: number;
  NO_VAL: number;
  INFINITE: number;
  NO_VAL16: number;
  INFINITE16: number;
  NICE_OFFSET: number;
  SHOW_ALL: number;
  SHOW_DETAIL: number;
  KILL_FULL_JOB: number;
  KILL_JOB_ARRAY: number;
  JOB_NTASKS_SET: number;
  JOB_CPUS_SET: number;
  JOB_STATE_BASE: number;
  JOB_STATE_FLAGS: number;
  JOB_UPDATE_DB: number;
  JOB_PENDING: number;
  JOB_RUNNING: number;
  JOB_SUSPENDED: number;
  JOB_COMPLETING: number;
  JOB_STAGE_OUT: number;
  WAIT_NO_REASON: number;
  /** job_state_num()'s table: base states, then the flags squeue accepts by name. */
  job_states: Array<{ name: string; compact: string; value: number }>;
  /** Slurm errno names of this build -> their values. */
  errno: Record<string, number>;
}

/** A libslurm failure as the binding throws it. */
export interface SlurmCallError extends Error {
  slurmErrno: number;
  slurmError: string;
  api: string;
}

/**
 * With `withinMs`, call() and callAsync() run the op on a thread of its own and wait at most that
 * long; past it they throw an error with `gaveUp: true` at once, and that thread finishes the call
 * by itself (a slurmdbd that never answers holds libslurm for MessageTimeout + 35 s). At most 8
 * such unfinished calls per process: beyond, a call fails at once (a SlurmCallError).
 */
export function gaveUp(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { gaveUp?: unknown }).gaveUp === true;
}

/** By shape, not instanceof: the binding's errors come from the main realm (jest's VM contexts differ). */
export function isSlurmCallError(error: unknown): error is SlurmCallError {
  return typeof error === 'object' && error !== null && typeof (error as Partial<SlurmCallError>).slurmErrno === 'number';
}

/** How libslurm authenticates this process's calls (src/slurm/identity.ts); one mode per process (docs/internal-executor.md). */
export type { AuthMode };
/** A local account (getpwnam_r). */
export type LocalAccount = Account;

export interface Binding {
  loadError: string | null;
  /** The libslurm release compiled against, "22.05.8". */
  version: string;
  constants: Constants;
  /**
   * slurm_init() and the auth plugin, once per process, in `auth` mode. Again in the same mode:
   * nothing. @throws Error when it fails, or when the process was initialised in the other mode.
   */
  init(options: { auth: AuthMode }): { auth: AuthMode; authType: string | null; jwtPlugin: string | null };
  /** The mode libslurm was initialised in, null before init(). */
  authMode(): AuthMode | null;
  /**
   * One libslurm call on the calling thread. `token`: the caller's Slurm JWT, required under
   * auth 'jwt' and refused under 'none'; set on this thread for the call only.
   */
  call<N extends OpName>(name: N, args?: OpArgs<N>, token?: string, withinMs?: number): OpResult<N>;
  /** The same on the libuv pool; the token is set and cleared on the pool thread that makes the call. */
  callAsync<N extends OpName>(name: N, args?: OpArgs<N>, token?: string, withinMs?: number): Promise<OpResult<N>>;
  strerror(errno: number): string;
  /** Slurm's uid_from_string(): a user name or an existing numeric uid; null otherwise. */
  uidFromString(name: string): number | null;
  /** getpwnam_r(name); null when there is no such account. */
  account(name: string): LocalAccount | null;
  /** Whether the calling thread has a token set in the auth/jwt plugin (tests: it must not, between calls). */
  threadTokenSet(): boolean;
  setSerialized(on: boolean): void;
  /** _exit(code): ends the process without joining worker threads (which may be inside libslurm). */
  exitNow(code: number): never;
}

let loaded: Binding | undefined;

/**
 * Loads the binding once per thread (Node loads an addon per worker thread) and initialises
 * libslurm in `auth` mode (once per process: a later call in the same mode does nothing).
 * @throws GatewayError scheduler_unavailable, naming the fix, when it cannot be used here, or when
 *   this process's libslurm was already initialised in the other auth mode.
 */
export function loadBinding(path: string = BINDING_PATH, auth: AuthMode = 'none'): Binding {
  const unavailable = (why: string, cause?: unknown) =>
    new GatewayError('scheduler_unavailable', `--executor=internal is unavailable: ${why}`, { cause });
  const binding = loaded && path === BINDING_PATH ? loaded : requireBinding(path, unavailable);
  try {
    binding.init({ auth });
  } catch (error) {
    throw unavailable(`--auth=${auth}: ${(error as Error).message}`, error);
  }
  return binding;
}

/**
 * Ends the process with _exit(code), without joining worker threads (process.exit() would wait
 * for any that is inside a libslurm call). Falls back to process.exit() where no binding is loaded,
 * and under `node --cpu-prof` (`npm run bench -- --profile`), where node writes the main thread's
 * profile at exit and _exit would lose it.
 */
export function exitNow(code: number): never {
  if (loaded && !profiling()) loaded.exitNow(code);
  process.exit(code);
}

const profiling = () => process.execArgv.some((arg) => arg === '--cpu-prof' || arg.startsWith('--cpu-prof='));

function requireBinding(path: string, unavailable: (why: string, cause?: unknown) => GatewayError): Binding {
  if (!existsSync(path)) {
    throw unavailable(`the libslurm binding is not built (${path} is missing): ${REBUILD_HINT}`);
  }
  // Without one, slurm_init() would call fatal() and end the process: refuse before loading.
  const problem = configurationProblem(process.env.SLURM_CONF, existsSync);
  if (problem) throw unavailable(problem);
  let binding: Binding;
  try {
    binding = createRequire(import.meta.url)(path) as Binding;
  } catch (error) {
    // Typically libslurm.so.NN is missing or was upgraded since the build.
    throw unavailable(`the libslurm binding does not load (${(error as Error).message}): ${REBUILD_HINT}`, error);
  }
  if (binding.loadError) throw unavailable(`${binding.loadError}: ${REBUILD_HINT}`);
  if (path === BINDING_PATH) loaded = binding;
  return binding;
}
