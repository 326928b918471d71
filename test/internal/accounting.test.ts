/**
 * Jobs after the queue (issue #11) on the real cluster, through the gateway's own dispatchers
 * (compose(), as the entry point builds them) in the dispatch modes SR_TEST_MODES names (default:
 * every internal one): a job the controller purged answers from accounting, its steps too; an
 * array reads whole across controller and accounting; history pages hold each job exactly once;
 * an action on a purged job is a 409; accounting answers its ping. Then the key fields of those
 * accounting answers against what `sacct -n -P --noconvert` prints for the same jobs.
 *
 * MinJobAge is made short for the suite (slurmctld then purges ended jobs on its next purge pass,
 * within about a minute) and restored to 300 afterwards.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { SchedulerCommand, ResultOf } from '../../src/commands.js';
import type { HistoryPage, HistoryPosition, Job, JobStep } from '../../src/model.js';
import { cpuSeconds, exitCodeParts, parseTres } from '../../src/slurm/accounting.js';
import { modes } from '../support/gateway.js';
import { ctx, internal, sleep, uniqueName } from './support.js';

const { compose } = await import('../../src/compose.js');
const { parseOptions } = await import('../../src/options.js');
type Gateway = ReturnType<typeof compose>;

const CONF = process.env.SLURM_CONF!;
const MIN_JOB_AGE = /^MinJobAge=\d+$/m;
const name = uniqueName('acct');
const ids = { failed: '', steps: '', killed: '', array: '', arrayFirst: '' };
const history: string[] = [];
const now = () => Math.floor(Date.now() / 1000);
let started = 0;

function setMinJobAge(seconds: number): void {
  const conf = readFileSync(CONF, 'utf8');
  if (!MIN_JOB_AGE.test(conf)) throw new Error(`${CONF} has no MinJobAge line`);
  writeFileSync(CONF, conf.replace(MIN_JOB_AGE, `MinJobAge=${seconds}`));
  execFileSync('scontrol', ['reconfigure']);
}

const submit = (script: string, extra: Record<string, unknown> = {}) =>
  String(internal.executeSync({ kind: 'jobs.submit', submission: { script: `#!/bin/sh\n${script}\n`, name, stdout: '/dev/null', ...extra } }, ctx()).job_id);

/** Whether slurmctld still holds job `id` (scontrol show job: "Invalid job id specified" once purged). */
function held(id: string): boolean {
  try {
    execFileSync('scontrol', ['-o', 'show', 'job', id], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  setMinJobAge(2);
  started = now() - 1;
  ids.failed = submit('exit 3');
  // Two srun steps (one exits 2: the job's derived exit code), then long enough for one
  // JobAcctGather sample (30 s) of the batch step: MaxRSS and TotalCPU are set.
  ids.steps = submit('srun -n1 true; srun -n1 sh -c "exit 2"; head -c 20000000 /dev/zero | tail -c 1 >/dev/null; sleep 33');
  ids.killed = submit('kill -9 $$');
  for (let i = 0; i < 3; i++) history.push(submit('true'));
  // Task 1 ends at once (and is purged), task 2 runs, tasks 3-4 wait behind %1.
  ids.array = submit('[ "$SLURM_ARRAY_TASK_ID" = 1 ] && exit 0; sleep 300', { array: '1-4%1' });
  const until = Date.now() + 180_000;
  for (;;) {
    const task1 = (internal.executeSync({ kind: 'jobs.get', jobId: ids.array }, ctx()).tasks ?? []).find((t) => t.array_task_id === 1);
    if (task1 && !ids.arrayFirst) ids.arrayFirst = String(task1.job_id);
    const waiting = [ids.failed, ids.steps, ids.killed, ...history, ids.arrayFirst || ids.array].filter(held);
    if (ids.arrayFirst && waiting.length === 0) break;
    if (Date.now() > until) throw new Error(`slurmctld did not purge ${waiting.join(', ')} within 180 s`);
    await sleep(2000);
  }
}, 240_000);

afterAll(() => {
  try { internal.executeSync({ kind: 'jobs.cancel', jobId: ids.array }, ctx()); } catch { /* gone */ }
  setMinJobAge(300);
});

const wanted = modes().filter((m) => m.executor === 'internal').map((m) => m.application);

describe.each(wanted)('--application=%s', (application) => {
  let gateway: Gateway;
  beforeAll(() => {
    gateway = compose(parseOptions(['--executor=internal', `--application=${application}`, '--parallel=2', '--log-level=silent']) as never);
  });
  afterAll(() => gateway.dispatcher.close(0));

  const run = <C extends SchedulerCommand>(command: C): Promise<ResultOf<C>> =>
    gateway.dispatcher.dispatch(command, { ...ctx(), signal: new AbortController().signal });
  const codeOf = (command: SchedulerCommand) => run(command).then(() => 'ok', (e: { code?: string }) => e.code ?? String(e));

  test('a purged job answers from accounting: exit code, elapsed, TRES', async () => {
    const job = await run({ kind: 'jobs.get', jobId: ids.failed });
    expect(job).toMatchObject({ job_id: Number(ids.failed), source: 'accounting', state: 'FAILED', exit_code: 3, signal: null, name, cluster: 'schedrest', user: 'root' });
    expect(job.elapsed).toEqual(expect.any(Number));
    expect(job.end_time).toEqual(expect.stringMatching(/^\d{4}-/));
    expect(job.tres_allocated).toMatchObject({ cpus: 1, nodes: 1 });
    const killed = await run({ kind: 'jobs.get', jobId: ids.killed });
    expect(killed).toMatchObject({ source: 'accounting', state: 'FAILED', exit_code: 128 + 9, signal: 9 });
  });

  test('its steps come from accounting; a running job\'s from the controller', async () => {
    const steps = await run({ kind: 'jobs.steps', jobId: ids.failed });
    expect(steps.map((s) => [s.step_id, s.source, s.exit_code])).toEqual([['batch', 'accounting', 3]]);
    const srun = await run({ kind: 'jobs.steps', jobId: ids.steps });
    expect(srun.map((s) => s.step_id)).toEqual(['batch', '0', '1']);
    expect(srun.find((s) => s.step_id === '1')).toMatchObject({ exit_code: 2, state: 'FAILED' });
    const whole = await run({ kind: 'jobs.get', jobId: ids.array });
    const running = whole.tasks!.find((t) => t.state === 'RUNNING')!;
    const live = await run({ kind: 'jobs.steps', jobId: String(running.job_id) });
    expect(live).toEqual([expect.objectContaining({ step_id: 'batch', source: 'controller', state: 'RUNNING', exit_code: null, max_rss: null })]);
    expect(await codeOf({ kind: 'jobs.steps', jobId: '4000000000' })).toBe('job_not_found');
  });

  test('an array reads whole: the purged task from accounting, the running one and the remainder from the controller', async () => {
    const whole = await run({ kind: 'jobs.get', jobId: ids.array });
    expect(whole.state).toBe('RUNNING');
    const tasks = whole.tasks!.map((t) => [t.array_task_id, t.array_tasks, t.state, t.source]);
    expect(tasks).toEqual([[1, null, 'COMPLETED', 'accounting'], [2, null, 'RUNNING', 'controller'], [null, '3-4%1', 'PENDING', 'controller']]);
    expect(whole.array_task_string).toBe('1-4'); // the whole array while it runs; the remainder is 3-4%1
    // A task by its own id: the purged one from accounting, a pending one from the controller.
    expect(await run({ kind: 'jobs.get', jobId: `${ids.array}_1` })).toMatchObject({ source: 'accounting', array_task_id: 1, state: 'COMPLETED' });
    expect(await run({ kind: 'jobs.get', jobId: `${ids.array}_3` })).toMatchObject({ source: 'controller', array_task_id: 3, state: 'PENDING' });
  });

  test('history pages of two hold each job exactly once, newest end first', async () => {
    const query = { filter: { name: [name] }, start: started, end: now() + 1, limit: 2 };
    const seen: Job[] = [];
    let after: HistoryPosition | undefined;
    for (let page = 0; page < 10; page++) {
      const answer: HistoryPage = await run({ kind: 'jobs.history', query: { ...query, ...(after && { after }) } });
      expect(answer.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...answer.jobs);
      if (!answer.next) break;
      after = answer.next;
    }
    const got = seen.map((j) => j.job_id);
    expect(new Set(got).size).toBe(got.length);
    const ended = [ids.failed, ids.steps, ids.killed, ...history, ids.arrayFirst].map(Number);
    expect([...got].sort()).toEqual([...ended].sort());
    expect(seen.every((j) => j.source === 'accounting' && j.max_rss === null)).toBe(true);
    const ends = seen.map((j) => Date.parse(j.end_time!));
    expect(ends).toEqual([...ends].sort((a, b) => b - a));
  });

  test('actions on a purged job: 409 (it has ended); on an unknown one: 404', async () => {
    expect(await codeOf({ kind: 'jobs.cancel', jobId: ids.failed })).toBe('invalid_job_state');
    expect(await codeOf({ kind: 'jobs.control', jobId: ids.failed, action: 'hold' })).toBe('invalid_job_state');
    expect(await codeOf({ kind: 'jobs.update', jobId: ids.failed, update: { comment: 'x' } })).toBe('invalid_job_state');
    expect(await codeOf({ kind: 'jobs.cancel', jobId: '4000000000' })).toBe('job_not_found');
    expect(await codeOf({ kind: 'jobs.get', jobId: '4000000000' })).toBe('job_not_found');
  });

  test('accounting answers its ping; live jobs say the controller answered', async () => {
    expect(await run({ kind: 'accounting.ping' })).toEqual({ status: 'up', reason: null });
    const live = await run({ kind: 'jobs.list', filter: { name: [name] } });
    expect(live.length).toBeGreaterThan(0);
    expect(live.every((j) => j.source === 'controller' && j.elapsed === null && j.tres_allocated === null)).toBe(true);
  });
});

describe('the accounting answers against sacct -n -P --noconvert', () => {
  const FORMAT = 'JobIDRaw,State,ExitCode,DerivedExitCode,ElapsedRaw,ReqTRES,AllocTRES,TotalCPU,MaxRSS,NNodes,NTasks,Cluster,JobName';
  function sacct(jobId: string): Array<Record<string, string>> {
    const out = execFileSync('sacct', ['-n', '-P', '--noconvert', '-j', jobId, `--format=${FORMAT}`], { encoding: 'utf8' });
    const keys = FORMAT.split(',');
    return out.trim().split('\n').map((line) => {
      const values = line.split('|');
      // JobName is last: it may hold '|'.
      return Object.fromEntries(keys.map((k, i) => [k, i === keys.length - 1 ? values.slice(i).join('|') : values[i]!]));
    });
  }
  const rss = (text: string) => (text === '' ? null : Number(text));
  const within = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 0.011);

  test.each(['failed', 'steps', 'killed'] as const)('the %s job and its steps', async (which) => {
    const jobId = ids[which];
    const [line, ...stepLines] = sacct(jobId);
    const job = internal.executeSync({ kind: 'jobs.get', jobId }, ctx());
    const steps = await internal.execute({ kind: 'jobs.steps', jobId }, ctx());
    expect(job.source).toBe('accounting');
    expect({
      state: job.state, exit: [job.exit_code, job.signal], derived: job.derived_exit_code, elapsed: job.elapsed,
      requested: job.tres_requested, allocated: job.tres_allocated, cluster: job.cluster, name: job.name,
      max_rss: job.max_rss, cpu: within(job.total_cpu, cpuSeconds(line!.TotalCPU)),
    }).toEqual({
      state: line!.State.split(' ')[0], exit: Object.values(exitCodeParts(line!.ExitCode)), derived: exitCodeParts(line!.DerivedExitCode).exit_code,
      elapsed: Number(line!.ElapsedRaw), requested: parseTres(line!.ReqTRES), allocated: parseTres(line!.AllocTRES), cluster: line!.Cluster,
      name: line!.JobName, max_rss: rss(stepLines.find((s) => s.JobIDRaw === `${jobId}.batch`)?.MaxRSS ?? ''), cpu: true,
    });
    expect(steps.map((s: JobStep) => `${jobId}.${s.step_id}`)).toEqual(stepLines.map((s) => s.JobIDRaw));
    for (const [i, step] of steps.entries()) {
      const s = stepLines[i]!;
      expect({
        state: step.state, exit: [step.exit_code, step.signal], elapsed: step.elapsed, max_rss: step.max_rss,
        nodes: step.node_count, tasks: step.tasks, cpu: within(step.total_cpu, cpuSeconds(s.TotalCPU)),
      }).toEqual({
        state: s.State.split(' ')[0], exit: Object.values(exitCodeParts(s.ExitCode)), elapsed: Number(s.ElapsedRaw), max_rss: rss(s.MaxRSS),
        nodes: Number(s.NNodes), tasks: Number(s.NTasks), cpu: true,
      });
    }
    if (which === 'steps') {
      // The sampled job: these facts are not all empty, so the comparison above compared something.
      expect(job.max_rss).toBeGreaterThan(0);
      expect(job.derived_exit_code).toBe(2);
    }
  });
});
