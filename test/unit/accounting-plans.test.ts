/**
 * The external executor's accounting plans, driven with captured answers (test/fixtures/slurm-22.05:
 * real squeue, scancel, sacct and sacctmgr output and stderr): what the gateway answers when the
 * controller does not know a job and accounting knows it, does not, is down or is not kept.
 */
import { readFileSync } from 'node:fs';
import type { ResultOf, SchedulerCommand } from '../../src/commands.js';
import { drivePlanSync } from '../../src/executors/drive.js';
import { planFor } from '../../src/executors/external/plans.js';
import type { Invocation, RunResult } from '../../src/executors/external/runner.js';
import { GatewayError } from '../../src/errors.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/slurm-22.05/${name}`, import.meta.url), 'utf8');
const recorded = JSON.parse(fixture('contract/external.json')) as { scenarios: Record<string, Array<{ key: string; exitCode: number; stdout: string; stderr: string }>> };
const answer = (scenario: string, tool: string) => recorded.scenarios[scenario]!.find((a) => a.key.startsWith(`${tool} `))!;

type Answer = Omit<RunResult, 'invocation'>;
/** squeue's answer for a job it does not know (recorded for 99999999). */
const SQUEUE_UNKNOWN: Answer = answer('jobs.get.unknown', 'squeue');
const SCANCEL_UNKNOWN: Answer = answer('cancel.unknown', 'scancel');
const SACCT_DOWN: Answer = { exitCode: 1, stdout: '', stderr: fixture('sacct-down.stderr') };
const SACCT_NONE: Answer = { exitCode: 1, stdout: '', stderr: fixture('sacct-none.stderr') };
const SACCT_NOTHING: Answer = { exitCode: 0, stdout: '', stderr: '' };
/** Job 5 (exit 3) and its steps. */
const SACCT_JOB5: Answer = { exitCode: 0, stdout: fixture('sacct-job-steps.txt').split('\n').filter((l) => /^5[|.]/.test(l)).join('\n') + '\n', stderr: '' };

/** Runs a command's plan with an answer per tool; every run is kept. */
function run<C extends SchedulerCommand>(command: C, answers: Partial<Record<string, Answer>>): { value?: ResultOf<C>; error?: GatewayError; runs: Invocation[] } {
  const runs: Invocation[] = [];
  try {
    const value = drivePlanSync(planFor(command), (invocation: Invocation) => {
      runs.push(invocation);
      const key = invocation.tool === 'squeue' && invocation.args.includes('--steps') ? 'squeue --steps' : invocation.tool;
      const a = answers[key];
      if (!a) throw new Error(`no answer for ${key}`);
      return { invocation, ...a };
    });
    return { value: value as ResultOf<C>, runs };
  } catch (error) {
    if (error instanceof GatewayError) return { error, runs };
    throw error;
  }
}

describe('jobs.get of a job the controller does not know', () => {
  it('accounting has it: the job from accounting, with the batch step MaxRSS', () => {
    const { value, runs } = run({ kind: 'jobs.get', jobId: '5' }, { squeue: SQUEUE_UNKNOWN, sacct: SACCT_JOB5 });
    expect(value).toMatchObject({ job_id: 5, source: 'accounting', exit_code: 3, max_rss: 67788800, elapsed: 35 });
    expect(runs.map((r) => r.tool)).toEqual(['squeue', 'sacct']);
    expect(runs[1]!.args).toEqual(expect.arrayContaining(['--noheader', '--parsable2', '--noconvert', '--jobs=5', '--starttime=1970-01-02T00:00:00', '--endtime=now']));
    expect(runs[1]!.args.at(-1)).toMatch(/^--format=.*,JobName$/);
  });

  it('accounting has nothing: 404', () => {
    expect(run({ kind: 'jobs.get', jobId: '99999999' }, { squeue: SQUEUE_UNKNOWN, sacct: SACCT_NOTHING }).error).toMatchObject({ code: 'job_not_found', status: 404 });
  });

  it('slurmdbd is down: 503 accounting_unavailable (whether the job existed cannot be told)', () => {
    expect(run({ kind: 'jobs.get', jobId: '99999999' }, { squeue: SQUEUE_UNKNOWN, sacct: SACCT_DOWN }).error).toMatchObject({ code: 'accounting_unavailable', status: 503 });
  });

  it('no accounting is kept: 404 as before', () => {
    expect(run({ kind: 'jobs.get', jobId: '99999999' }, { squeue: SQUEUE_UNKNOWN, sacct: SACCT_NONE }).error).toMatchObject({ code: 'job_not_found', status: 404 });
  });
});

describe('jobs.get of an array the controller holds', () => {
  const squeue: Answer = { exitCode: 0, stdout: fixture('squeue-jobs.txt'), stderr: '' };

  it('accounting down: the whole array from the controller records alone', () => {
    const { value, runs } = run({ kind: 'jobs.get', jobId: '42171' }, { squeue, sacct: SACCT_DOWN });
    expect(runs.map((r) => r.tool)).toEqual(['squeue', 'sacct']);
    expect(runs[1]!.args).toEqual(expect.arrayContaining(['--allocations', '--jobs=42171']));
    expect(value!.state).toBe('CANCELLED');
    expect(value!.tasks!.map((t) => t.array_task_id ?? t.array_tasks)).toEqual([1, 2, 3, '4-5%2']);
    expect(value!.tasks!.every((t) => t.source === 'controller')).toBe(true);
  });

  it('a job that is no array asks no accounting', () => {
    const { value, runs } = run({ kind: 'jobs.get', jobId: '42168' }, { squeue });
    expect(value).toMatchObject({ job_id: 42168, source: 'controller', elapsed: null, tres_allocated: null });
    expect(value!.tasks).toBeUndefined();
    expect(runs.map((r) => r.tool)).toEqual(['squeue']);
  });
});

describe('an action on a job the controller does not know', () => {
  it('accounting has it: 409, it has ended', () => {
    expect(run({ kind: 'jobs.cancel', jobId: '5' }, { scancel: SCANCEL_UNKNOWN, sacct: SACCT_JOB5 }).error)
      .toMatchObject({ code: 'invalid_job_state', status: 409, details: { job_id: '5', state: 'FAILED', source: 'accounting' } });
  });

  it('accounting has nothing, or cannot say: 404 as before', () => {
    for (const sacct of [SACCT_NOTHING, SACCT_DOWN, SACCT_NONE]) {
      expect(run({ kind: 'jobs.cancel', jobId: '99999999' }, { scancel: SCANCEL_UNKNOWN, sacct }).error).toMatchObject({ code: 'job_not_found', status: 404 });
    }
  });
});

describe('jobs.steps', () => {
  const noSteps: Answer = { exitCode: 0, stdout: '', stderr: '' };

  it('the controller has none: accounting step lines', () => {
    const { value } = run({ kind: 'jobs.steps', jobId: '5' }, { 'squeue --steps': noSteps, sacct: SACCT_JOB5 });
    expect(value!.map((s) => [s.step_id, s.exit_code, s.source])).toEqual([['batch', 3, 'accounting'], ['0', 0, 'accounting'], ['1', 2, 'accounting']]);
  });

  it('the controller has some: those, and accounting is not asked', () => {
    const { value, runs } = run({ kind: 'jobs.steps', jobId: '5' }, { 'squeue --steps': { exitCode: 0, stdout: fixture('squeue-steps.txt'), stderr: '' } });
    expect(value!.map((s) => [s.step_id, s.source])).toEqual([['batch', 'controller']]);
    expect(runs.map((r) => r.tool)).toEqual(['squeue']);
  });

  it('unknown everywhere: 404; accounting down and the controller does not know it: 503', () => {
    expect(run({ kind: 'jobs.steps', jobId: '99999999' }, { 'squeue --steps': noSteps, sacct: SACCT_NOTHING, squeue: SQUEUE_UNKNOWN }).error).toMatchObject({ code: 'job_not_found' });
    expect(run({ kind: 'jobs.steps', jobId: '99999999' }, { 'squeue --steps': noSteps, sacct: SACCT_DOWN, squeue: SQUEUE_UNKNOWN }).error).toMatchObject({ code: 'accounting_unavailable' });
  });
});

describe('accounting.ping', () => {
  it('up, down, not configured: a status, never a failure', () => {
    expect(run({ kind: 'accounting.ping' }, { sacctmgr: { exitCode: 0, stdout: 'schedrest\n', stderr: '' } }).value).toEqual({ status: 'up', reason: null });
    expect(run({ kind: 'accounting.ping' }, { sacctmgr: { exitCode: 1, stdout: '', stderr: fixture('sacctmgr-down.stderr') } }).value)
      .toEqual({ status: 'down', reason: 'Sending PersistInit msg: Connection refused' });
    expect(run({ kind: 'accounting.ping' }, { sacctmgr: { exitCode: 1, stdout: '', stderr: fixture('sacctmgr-none.stderr') } }).value)
      .toEqual({ status: 'not_configured', reason: 'You are not running a supported accounting_storage plugin' });
  });
});
