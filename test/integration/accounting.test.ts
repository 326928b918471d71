/**
 * Jobs after the queue (#11), external executor, on the real cluster: a job the controller has
 * purged is read from accounting (GET, steps), an action on it is 409, an array reads whole
 * (accounting's finished tasks with the controller's running and pending ones), history pages
 * list each ended job once, accounting answers ping. The executor is driven directly, through its
 * async transport (execute: the coroutine dispatch) and its sync one (executeSync: inline and the
 * pool workers), which is what the external:* modes of SR_TEST_MODES differ in.
 *
 * Purging needs a short MinJobAge: beforeAll sets MinJobAge=2 in the cluster's slurm.conf
 * ($SLURM_CONF, scripts/cluster.sh) and reconfigures; afterAll restores the file and reconfigures.
 * slurmctld purges once a minute, so the suite waits up to ~70 s once for everything it submitted.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ResultOf, SchedulerCommand } from '../../src/commands.js';
import type { CommandContext } from '../../src/context.js';
import { GatewayError } from '../../src/errors.js';
import { ExternalExecutor } from '../../src/executors/external/executor.js';
import type { HistoryPosition, Job } from '../../src/model.js';
import { modes } from '../support/gateway.js';
import { uniqueName } from '../support/slurm.js';

const CONF = process.env.SLURM_CONF!;
const original = readFileSync(CONF, 'utf8');
const name = uniqueName('acct');
const ids: { exit3: number; array: number; short: number[] } = { exit3: 0, array: 0, short: [] };
const since = Math.floor(Date.now() / 1000) - 5;

const sbatch = (...args: string[]) => Number(execFileSync('sbatch', ['--parsable', '--output=/dev/null', `--job-name=${name}`, '--chdir=/tmp', ...args], { encoding: 'utf8' }).trim().split(';')[0]);
const controllerKnows = (id: string) => {
  try {
    return execFileSync('squeue', ['--noheader', '--states=all', '-r', `--jobs=${id}`, '--format=%i'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').includes(id);
  } catch {
    return false; // "Invalid job id specified"
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  writeFileSync(CONF, original.replace(/^MinJobAge=.*$/m, 'MinJobAge=2'));
  execFileSync('scontrol', ['reconfigure']);
  ids.exit3 = sbatch('--wrap=srun true; exit 3');
  // Task 0 ends at once; task 1 then runs for minutes (cancelled in afterAll); 2-3 wait (%1).
  ids.array = sbatch('--array=0-3%1', '--wrap=[ "$SLURM_ARRAY_TASK_ID" = 0 ] || sleep 300');
  for (let i = 0; i < 3; i++) ids.short.push(sbatch('--wrap=true'));
  // Until the controller has purged the ended ones (MinJobAge, then its once-a-minute pass).
  const ended = [String(ids.exit3), `${ids.array}_0`, ...ids.short.map(String)];
  const until = Date.now() + 100_000;
  while (ended.some(controllerKnows)) {
    if (Date.now() > until) throw new Error(`the controller did not purge ${ended.filter(controllerKnows).join(' ')}`);
    await sleep(1000);
  }
  await sleep(1500); // accounting lags the controller by a second or two
}, 120_000);

afterAll(() => {
  if (ids.array) execFileSync('scancel', [String(ids.array)]);
  writeFileSync(CONF, original);
  execFileSync('scontrol', ['reconfigure']);
});

const transports = modes().filter((m) => m.executor === 'external')
  .map((m) => (m.application === 'coroutine' ? 'async' : 'sync'))
  .filter((t, i, all) => all.indexOf(t) === i);

describe.each(transports.length ? transports : ['async'])('external executor, %s transport', (transport) => {
  const executor = new ExternalExecutor();
  const ctx = (): CommandContext => ({ requestId: 'accounting-test', deadline: Date.now() + 30_000 });
  const run = async <C extends SchedulerCommand>(command: C): Promise<ResultOf<C>> =>
    (transport === 'async' ? executor.execute(command, ctx()) : executor.executeSync(command, ctx()));
  const failure = async (command: SchedulerCommand) => {
    try {
      await run(command);
    } catch (error) {
      if (error instanceof GatewayError) return { code: error.code, status: error.status };
      throw error;
    }
    throw new Error(`${command.kind} did not fail`);
  };

  it('a purged job answers from accounting: exit code 3, elapsed, its own fields', async () => {
    const job = await run({ kind: 'jobs.get', jobId: String(ids.exit3) });
    expect(job).toMatchObject({ job_id: ids.exit3, name, source: 'accounting', state: 'FAILED', exit_code: 3, signal: null, cluster: 'schedrest', user: 'root' });
    expect(job.elapsed).toEqual(expect.any(Number));
    expect(job.end_time).not.toBeNull();
    expect(job.tres_allocated).toMatchObject({ cpus: 1, nodes: 1 });
  });

  it("a purged job's steps come from accounting: the batch step exits 3, the srun step 0", async () => {
    const steps = await run({ kind: 'jobs.steps', jobId: String(ids.exit3) });
    expect(steps.map((s) => [s.step_id, s.exit_code, s.source])).toEqual([['batch', 3, 'accounting'], ['0', 0, 'accounting']]);
    expect(steps[0]).toMatchObject({ job_id: ids.exit3, name: 'batch', state: 'FAILED', tasks: 1, node_count: 1 });
  });

  it('a running job has the controller as source, and its steps are the controller\'s', async () => {
    const task = await run({ kind: 'jobs.get', jobId: `${ids.array}_1` });
    expect(task).toMatchObject({ state: 'RUNNING', source: 'controller', elapsed: null, max_rss: null });
    const steps = await run({ kind: 'jobs.steps', jobId: `${ids.array}_1` });
    expect(steps).toEqual([expect.objectContaining({ step_id: 'batch', state: 'RUNNING', source: 'controller', exit_code: null, tasks: 1 })]);
  });

  it('an array reads whole: the purged task from accounting, the running and pending ones from the controller', async () => {
    const array = await run({ kind: 'jobs.get', jobId: String(ids.array) });
    expect(array.state).toBe('RUNNING');
    expect(array.tasks!.map((t: Job) => [t.array_task_id ?? t.array_tasks, t.state, t.source])).toEqual([
      [0, 'COMPLETED', 'accounting'], [1, 'RUNNING', 'controller'], ['2-3%1', 'PENDING', 'controller'],
    ]);
    expect(array.tasks!.every((t: Job) => t.array_job_id === ids.array)).toBe(true);
    expect(array.array_task_string).toBe('0-3'); // the whole array, while its remainder reads 2-3%1
  });

  it('an action on a purged job is 409 (it has ended), on an unknown one still 404', async () => {
    expect(await failure({ kind: 'jobs.cancel', jobId: String(ids.exit3) })).toEqual({ code: 'invalid_job_state', status: 409 });
    expect(await failure({ kind: 'jobs.control', jobId: String(ids.exit3), action: 'hold' })).toEqual({ code: 'invalid_job_state', status: 409 });
    expect(await failure({ kind: 'jobs.update', jobId: String(ids.exit3), update: { comment: 'x' } })).toEqual({ code: 'invalid_job_state', status: 409 });
    expect(await failure({ kind: 'jobs.cancel', jobId: '99999999' })).toEqual({ code: 'job_not_found', status: 404 });
    expect(await failure({ kind: 'jobs.get', jobId: '99999999' })).toEqual({ code: 'job_not_found', status: 404 });
    expect(await failure({ kind: 'jobs.steps', jobId: '99999999' })).toEqual({ code: 'job_not_found', status: 404 });
  });

  it('history pages of 2: each ended job of the window exactly once, most recently ended first', async () => {
    const end = Math.floor(Date.now() / 1000);
    const seen: Job[] = [];
    let after: HistoryPosition | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await run({ kind: 'jobs.history', query: { filter: { name: [name] }, start: since, end, limit: 2, after } });
      expect(result.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...result.jobs);
      if (!result.next) break;
      after = result.next;
    }
    const expected = [ids.exit3, ...ids.short, /* task 0 */ seen.find((j) => j.array_task_id === 0)?.job_id];
    expect(seen.map((j) => j.job_id).sort()).toEqual(expected.sort());
    expect(new Set(seen.map((j) => j.job_id)).size).toBe(seen.length);
    const ends = seen.map((j) => Date.parse(j.end_time!));
    expect(ends).toEqual([...ends].sort((a, b) => b - a));
    expect(seen.every((j) => j.source === 'accounting' && j.name === name)).toBe(true);
  });

  it('accounting answers ping', async () => {
    expect(await run({ kind: 'accounting.ping' })).toEqual({ status: 'up', reason: null });
  });
});
