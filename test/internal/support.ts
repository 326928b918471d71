/**
 * Helpers for the internal-executor suites: the real cluster (SLURM_CONF from
 * scripts/ensure-slurm.sh when the environment has none), both executors, contexts and polling.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { SchedulerCommand, ResultOf } from '../../src/commands.js';
import type { CommandContext } from '../../src/context.js';
import { ExternalExecutor } from '../../src/executors/external/executor.js';
import type { Executor } from '../../src/executors/executor.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Points libslurm (and the tools) at the cluster; must run before the binding loads. */
export function useCluster(): void {
  if (process.env.SLURM_CONF) return;
  const out = execFileSync('bash', [`${ROOT}scripts/ensure-slurm.sh`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const m = /export SLURM_CONF=(\S+)/.exec(out);
  if (!m) throw new Error(`scripts/ensure-slurm.sh printed no SLURM_CONF: ${out}`);
  process.env.SLURM_CONF = m[1]!.replace(/^'(.*)'$/, '$1');
}

useCluster();
const { loadInternalExecutor } = await import('../../src/executors/internal/executor.js');

export const internal: Executor = loadInternalExecutor({});
export const external: Executor = new ExternalExecutor();

export const ctx = (ms = 60_000): CommandContext => ({ requestId: `test-${randomBytes(3).toString('hex')}`, deadline: Date.now() + ms });
export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export type Mode = 'sync' | 'async';
export const MODES: Mode[] = ['sync', 'async'];

export function run<C extends SchedulerCommand>(executor: Executor, mode: Mode, command: C): Promise<ResultOf<C>> {
  return mode === 'sync' ? Promise.resolve().then(() => executor.executeSync(command, ctx())) : executor.execute(command, ctx());
}

/** The error code a command fails with, or 'ok'. */
export async function codeOf(executor: Executor, mode: Mode, command: SchedulerCommand): Promise<string> {
  try {
    await run(executor, mode, command);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/**
 * Runs both executors on the same command until their answers are equal JSON (the scheduler may
 * move between two calls: a job starts or ends); returns the last pair.
 */
export async function settle<C extends SchedulerCommand>(mode: Mode, command: C, project: (r: ResultOf<C>) => unknown = (r) => r, tries = 6) {
  let pair: [unknown, unknown] = [undefined, undefined];
  for (let i = 0; i < tries; i++) {
    const ext = project(await run(external, 'sync', command));
    const int = project(await run(internal, mode, command));
    pair = [ext, int];
    if (JSON.stringify(ext) === JSON.stringify(int)) break;
    await sleep(300);
  }
  return { external: pair[0], internal: pair[1] };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the external executor's jobs.get until `done(job)`. */
export async function waitForJob(id: string | number, done: (job: any) => boolean, seconds = 30): Promise<any> {
  const until = Date.now() + seconds * 1000;
  let job: any;
  while (Date.now() < until) {
    try {
      job = external.executeSync({ kind: 'jobs.get', jobId: String(id) }, ctx());
      if (done(job)) return job;
    } catch { /* not visible yet */ }
    await sleep(300);
  }
  throw new Error(`job ${id} did not reach the expected state in ${seconds} s; last seen: ${JSON.stringify(job)}`);
}

export const FINISHED = ['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED'];
