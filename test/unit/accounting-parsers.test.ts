/**
 * The external executor's accounting: sacct and squeue --steps parsers, and what a failed sacct or
 * sacctmgr run means, on real output captured from Slurm 22.05.8 (test/fixtures/slurm-22.05/README.md).
 */
import { readFileSync } from 'node:fs';
import { parseSacct, sacctRows } from '../../src/executors/external/parse/sacct.js';
import { hostCount, parseSteps } from '../../src/executors/external/parse/steps.js';
import { accountingError, historyArgs, sacctTime } from '../../src/executors/external/accounting-plans.js';
import { UnreadableOutput } from '../../src/executors/external/parse/values.js';
import type { Invocation, RunResult } from '../../src/executors/external/runner.js';
import { arrayTaskString, wholeArray } from '../../src/slurm/arrays.js';
import { ENDED_STATES, historyPage, type HistorySlice } from '../../src/slurm/history.js';
import type { HistoryPage, HistoryPosition, Job } from '../../src/model.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/slurm-22.05/${name}`, import.meta.url), 'utf8');

describe('sacct: a job with its steps', () => {
  const { jobs, steps } = parseSacct(fixture('sacct-job-steps.txt'));
  const job5 = jobs.find((j) => j.job_id === 5)!;
  const job7 = jobs.find((j) => j.job_id === 7)!;

  it('reads job lines as jobs and step lines as steps', () => {
    expect(jobs.map((j) => j.job_id)).toEqual([5, 7]);
    expect(steps.map((s) => `${s.job_id}.${s.step_id}`)).toEqual(['5.batch', '5.0', '5.1', '7.batch']);
  });

  it('reads a job that exited 3, its name with a pipe, and the accounting fields', () => {
    expect(job5).toMatchObject({
      source: 'accounting', name: 'steps|pipe name', state: 'FAILED', exit_code: 3, signal: null,
      derived_exit_code: 2, elapsed: 35, cluster: 'schedrest', user: 'root', account: 'root',
      partition: 'debug', qos: 'normal', nodes: 'vm', node_count: 1, cpus: 1, time_limit: 525600,
      submit_time: new Date(1796093373 * 1000).toISOString(), end_time: new Date(1796093408 * 1000).toISOString(),
      array_job_id: null, array_task_id: null, array_tasks: null, working_directory: null,
      tres_requested: { cpus: 1, memory_mib: 300, nodes: 1, gpus: null, billing: 1 },
      tres_allocated: { cpus: 1, memory_mib: 300, nodes: 1, gpus: null, billing: 1 },
      total_cpu: 0.14,
    });
  });

  it("takes max_rss from the batch step's MaxRSS (bytes with --noconvert)", () => {
    expect(job5.max_rss).toBe(67788800);
    expect(steps.find((s) => s.job_id === 5 && s.step_id === 'batch')!.max_rss).toBe(67788800);
    expect(job7.max_rss).toBeNull(); // never sampled
  });

  it('reads a job killed by a signal: 128 + the signal, and the signal', () => {
    expect(job7).toMatchObject({ state: 'FAILED', exit_code: 137, signal: 9 });
    expect(steps.find((s) => s.job_id === 7)).toMatchObject({ step_id: 'batch', state: 'CANCELLED', exit_code: 137, signal: 9 });
  });

  it('reads steps: exit codes, names, tasks, CPU time', () => {
    expect(steps.filter((s) => s.job_id === 5)).toEqual([
      expect.objectContaining({ step_id: 'batch', name: 'batch', state: 'FAILED', exit_code: 3, elapsed: 35, tasks: 1, nodes: 'vm', node_count: 1, total_cpu: 0.137, source: 'accounting' }),
      expect.objectContaining({ step_id: '0', name: 'named', state: 'COMPLETED', exit_code: 0, max_rss: null, total_cpu: 0.001 }),
      expect.objectContaining({ step_id: '1', name: 'sh', state: 'FAILED', exit_code: 2 }),
    ]);
  });

  it('refuses a line with fewer fields than asked for', () => {
    expect(() => sacctRows('5|5|FAILED\n')).toThrow(UnreadableOutput);
    expect(parseSacct('')).toEqual({ jobs: [], steps: [] });
  });
});

describe('sacct -X -j <array>', () => {
  it('reads tasks and the pending remainder, and wholeArray takes started tasks out of it', () => {
    const { jobs } = parseSacct(fixture('sacct-array.txt'));
    expect(jobs.map((j) => [j.job_id, j.array_job_id, j.array_task_id, j.array_tasks, j.state])).toEqual([
      [8, 6, 0, null, 'COMPLETED'], [9, 6, 1, null, 'COMPLETED'], [6, 6, null, '2-3%1', 'PENDING'],
    ]);
    expect(jobs[2]!.nodes).toBeNull(); // "None assigned"
    const whole = wholeArray(6, [], jobs)!;
    expect(whole.state).toBe('PENDING');
    expect(whole.tasks!.map((t) => t.array_task_id ?? t.array_tasks)).toEqual([0, 1, '2-3%1']);
    expect(whole.array_task_string).toBe('0-3');
  });

  it('a remainder that lags behind a started task (captured 1 s after task 1 started)', () => {
    const { jobs } = parseSacct(fixture('sacct-array-live.txt'));
    expect(jobs.find((j) => j.array_tasks !== null)!.array_tasks).toBe('1-3%1');
    const whole = wholeArray(11, [], jobs)!;
    expect(whole.state).toBe('RUNNING');
    expect(whole.tasks!.map((t) => [t.array_task_id ?? t.array_tasks, t.state])).toEqual([[0, 'COMPLETED'], [1, 'RUNNING'], ['2-3%1', 'PENDING']]);
    // The whole array while it runs, the lagging remainder's task 1 counted once.
    expect(whole.array_task_string).toBe('0-3');
  });

  it('arrayTaskString: gaps, steps, and a remainder it cannot read', () => {
    const job = (array_task_id: number | null, array_tasks: string | null) => ({ array_task_id, array_tasks }) as Job;
    expect(arrayTaskString([job(0, null), job(1, null), job(5, null), job(null, '7-11:2%3')])).toBe('0-1,5,7,9,11');
    expect(arrayTaskString([job(4, null), job(2, null)])).toBe('2,4');
    expect(arrayTaskString([job(null, '0-3%1')])).toBe('0-3');
    expect(arrayTaskString([job(0, null), job(null, 'weird')])).toBe('0,weird');
  });
});

describe('sacct history (-X, ended states, a window)', () => {
  const jobs = parseSacct(fixture('sacct-history.txt')).jobs;

  it('reads one line per job or task, every one ended', () => {
    expect(jobs.map((j) => j.job_id)).toEqual([1, 3, 4, 2, 5, 7, 8, 9, 10, 6, 12, 13, 14, 11]);
    expect(jobs.every((j) => j.end_time !== null && j.source === 'accounting' && j.max_rss === null)).toBe(true);
  });

  it('walks pages of 4 over the captured jobs: each exactly once, newest end first', () => {
    const end = Math.max(...jobs.map((j) => Date.parse(j.end_time!) / 1000));
    const seen: number[] = [];
    let after: HistoryPosition | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const walk = historyPage<HistorySlice>({ filter: {}, start: end - 7 * 86400, end, limit: 4, after }, function* (slice) {
        yield slice;
        return jobs;
      });
      let step: IteratorResult<HistorySlice, HistoryPage> = walk.next();
      while (!step.done) step = walk.next();
      seen.push(...step.value.jobs.map((j: Job) => j.job_id));
      if (!step.value.next) break;
      after = step.value.next;
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([...jobs.map((j) => j.job_id)].sort((a, b) => a - b));
    const ends = seen.map((id) => Date.parse(jobs.find((j) => j.job_id === id)!.end_time!));
    expect(ends).toEqual([...ends].sort((a, b) => b - a));
  });
});

describe('sacct arguments', () => {
  it('history: explicit window in UTC, ended states, --allusers when no user is named, --opt=value forms', () => {
    expect(historyArgs({}, { from: 1796093000, to: 1796093500, states: ENDED_STATES })).toEqual([
      '--allocations', '--starttime=2026-12-01T02:43:20', '--endtime=2026-12-01T02:51:40',
      `--state=${ENDED_STATES.join(',')}`, '--allusers',
    ]);
    expect(historyArgs({ user: ['alice', 'bob'], account: ['-x'], partition: ['debug'], name: ['a b'], job_id: ['5', '6_1'] }, { from: 0, to: 1, states: ['FAILED'] }))
      .toEqual(['--allocations', '--starttime=1970-01-01T00:00:00', '--endtime=1970-01-01T00:00:01', '--state=FAILED', '--user=alice,bob', '--accounts=-x', '--partition=debug', '--name=a b', '--jobs=5,6_1']);
  });

  it('refuses what would change a list or is not a job id', () => {
    expect(() => historyArgs({ user: ['a,b'] }, { from: 0, to: 1, states: ['FAILED'] })).toThrow(/Cannot ask accounting/);
    expect(() => historyArgs({ name: ['x\ny'] }, { from: 0, to: 1, states: ['FAILED'] })).toThrow(/Cannot ask accounting/);
    expect(() => historyArgs({ job_id: ['--allusers'] }, { from: 0, to: 1, states: ['FAILED'] })).toThrow(/Not a job id/);
  });

  it('sacctTime is the UTC wall time of an epoch second', () => {
    expect(sacctTime(1796093150)).toBe('2026-12-01T02:45:50');
  });
});

describe('failed sacct and sacctmgr runs (captured stderr)', () => {
  const run = (tool: 'sacct' | 'sacctmgr', exitCode: number, stderr: string): RunResult => ({ invocation: { tool, args: [] } as Invocation, exitCode, stdout: '', stderr });

  it('slurmdbd down: 503 accounting_unavailable with Slurm reason', () => {
    const e = accountingError(run('sacct', 1, fixture('sacct-down.stderr')))!;
    expect(e).toMatchObject({ code: 'accounting_unavailable', status: 503, details: { slurm_error: 'Problem talking to the database: Connection refused' } });
    expect(accountingError(run('sacctmgr', 1, fixture('sacctmgr-down.stderr')))).toMatchObject({ code: 'accounting_unavailable' });
  });

  it('accounting disabled: 501 accounting_not_configured, from sacct and from sacctmgr', () => {
    expect(accountingError(run('sacct', 1, fixture('sacct-none.stderr')))).toMatchObject({ code: 'accounting_not_configured', status: 501 });
    expect(accountingError(run('sacctmgr', 1, fixture('sacctmgr-none.stderr')))).toMatchObject({ code: 'accounting_not_configured', details: { slurm_error: 'You are not running a supported accounting_storage plugin' } });
  });

  it('a token slurmdbd refuses (exit 239): 503, never a scheduler error', () => {
    expect(accountingError(run('sacct', 239, fixture('sacct-bad-token.stderr')))).toMatchObject({ code: 'accounting_unavailable' });
  });

  it('success is no error', () => {
    expect(accountingError(run('sacct', 0, ''))).toBeUndefined();
  });
});

describe('squeue --steps', () => {
  it('reads the steps the controller holds; accounting-only fields are null', () => {
    expect(parseSteps(fixture('squeue-steps.txt'))).toEqual([{
      job_id: 5, step_id: 'batch', name: 'batch', state: 'RUNNING', exit_code: null, signal: null,
      start_time: new Date(1796093373 * 1000).toISOString(), end_time: null, elapsed: null, nodes: 'vm',
      node_count: 1, tasks: 1, max_rss: null, total_cpu: null, source: 'controller',
    }]);
    expect(parseSteps('')).toEqual([]);
  });

  it('counts hosts in a hostlist', () => {
    expect(hostCount('vm')).toBe(1);
    expect(hostCount('n[1-3,7],m2')).toBe(5);
    expect(hostCount('n[x]')).toBeNull();
  });
});
