/**
 * Submit, hold, release, update, signal and cancel through the internal executor, checked with
 * the external one; the same submission through both executors gives the same job; and the same
 * failures give the same error codes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobSubmission, SchedulerCommand } from '../../src/commands.js';
import { codeOf, ctx, external, FINISHED, internal, MODES, run, sleep, uniqueName, waitForJob } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'sr-internal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanup: string[] = [];
afterAll(() => {
  for (const id of cleanup) {
    try { external.executeSync({ kind: 'jobs.cancel', jobId: id }, ctx()); } catch { /* gone */ }
  }
});

/** Fields that carry the job's own id or submit instant. */
const sameJob = (job: any) => ({ ...job, job_id: 0, submit_time: null, stdout_path: job.stdout_path?.replace(/\d+/g, 'N'), stderr_path: job.stderr_path?.replace(/\d+/g, 'N') });

describe.each(MODES)('%s', (mode) => {
  test('the same submission through both executors gives the same job', async () => {
    const submission: JobSubmission = {
      script: '#!/bin/sh\n#SBATCH --comment=from-script\necho hi\n', name: uniqueName('twin'), hold: true, time_limit: 7,
      memory_per_node: 100, ntasks: 1, cpus_per_task: 1, nodes: 1, working_directory: dir, stdout: 'out-%j.txt', environment: { A: '1' },
    };
    const e = await run(external, 'sync', { kind: 'jobs.submit', submission });
    const i = await run(internal, mode, { kind: 'jobs.submit', submission });
    cleanup.push(String(e.job_id), String(i.job_id));
    expect(i.job_id).toBeGreaterThan(e.job_id);
    const je = await waitForJob(e.job_id, () => true);
    const ji = await waitForJob(i.job_id, () => true);
    expect(sameJob(ji)).toEqual(sameJob(je));
    expect(ji).toMatchObject({ state: 'PENDING', time_limit: 7, working_directory: dir, stdout_path: `${dir}/out-${i.job_id}.txt`, priority: 0 });
  });

  test('defaults like sbatch: name, working directory, output files', async () => {
    const submission: JobSubmission = { script: '#!/bin/sh\ntrue\n', hold: true };
    const e = await run(external, 'sync', { kind: 'jobs.submit', submission });
    const i = await run(internal, mode, { kind: 'jobs.submit', submission });
    cleanup.push(String(e.job_id), String(i.job_id));
    const ji = await waitForJob(i.job_id, () => true);
    expect(sameJob(ji)).toEqual(sameJob(await waitForJob(e.job_id, () => true)));
    expect(ji).toMatchObject({ name: 'sbatch', working_directory: process.cwd(), stdout_path: `${process.cwd()}/slurm-${i.job_id}.out` });
  });

  test('an array submission: records and tasks as the external executor sees them', async () => {
    const submission: JobSubmission = { script: '#!/bin/sh\ntrue\n', hold: true, array: '0-5:2', name: uniqueName('arr') };
    const e = await run(external, 'sync', { kind: 'jobs.submit', submission });
    const i = await run(internal, mode, { kind: 'jobs.submit', submission });
    cleanup.push(String(e.job_id), String(i.job_id));
    const ji = await waitForJob(`${i.job_id}_2`, () => true);
    expect(ji).toMatchObject({ array_job_id: i.job_id, array_task_id: 2, state: 'PENDING' });
    expect((await waitForJob(i.job_id, () => true)).array_tasks).toBe('0,2,4');
    expect(sameJob({ ...ji, array_job_id: 0 })).toEqual(sameJob({ ...(await waitForJob(`${e.job_id}_2`, () => true)), array_job_id: 0 }));
  });

  test('hold, release, update, signal, cancel', async () => {
    const out = join(dir, `life-${mode}.out`);
    const { job_id } = await run(internal, mode, {
      kind: 'jobs.submit',
      submission: { script: '#!/bin/sh\ntrap "echo got-usr1" USR1\necho ready\nfor i in $(seq 600); do sleep 0.1; done\n', hold: true, stdout: out, name: uniqueName('life') },
    });
    const id = String(job_id);
    cleanup.push(id);
    expect((await waitForJob(id, () => true)).state).toBe('PENDING');

    await run(internal, mode, { kind: 'jobs.update', jobId: id, update: { name: 'renamed', time_limit: 3, comment: 'c', nice: 5 } });
    await waitForJob(id, (j) => j.name === 'renamed' && j.time_limit === 3);

    await run(internal, mode, { kind: 'jobs.control', jobId: id, action: 'release' });
    await waitForJob(id, (j) => j.priority > 0);
    await waitForJob(id, (j) => j.state === 'RUNNING');
    // RUNNING comes before the script has set its trap (slurmd first loads the login environment).
    for (let t = 0; t < 100 && !(existsSync(out) && readFileSync(out, 'utf8').includes('ready')); t++) await sleep(200);

    await run(internal, mode, { kind: 'jobs.cancel', jobId: id, signal: 'USR1' });
    for (let t = 0; t < 50 && !(existsSync(out) && readFileSync(out, 'utf8').includes('got-usr1')); t++) await sleep(200);
    expect(readFileSync(out, 'utf8')).toContain('got-usr1');
    expect((await waitForJob(id, () => true)).state).toBe('RUNNING');

    await run(internal, mode, { kind: 'jobs.control', jobId: id, action: 'suspend' });
    await waitForJob(id, (j) => j.state === 'SUSPENDED');
    await run(internal, mode, { kind: 'jobs.control', jobId: id, action: 'resume' });
    await waitForJob(id, (j) => j.state === 'RUNNING');

    await run(internal, mode, { kind: 'jobs.cancel', jobId: id });
    await waitForJob(id, (j) => j.state === 'CANCELLED');
  }, 90_000);

  test('hold of a pending job; requeue of a running one', async () => {
    const { job_id } = await run(internal, mode, { kind: 'jobs.submit', submission: { script: '#!/bin/sh\nsleep 300\n', name: uniqueName('rq'), working_directory: dir } });
    const id = String(job_id);
    cleanup.push(id);
    await waitForJob(id, (j) => j.state === 'RUNNING');
    await run(internal, mode, { kind: 'jobs.control', jobId: id, action: 'requeue' });
    await waitForJob(id, (j) => j.state === 'PENDING' || j.state === 'REQUEUED');
    await run(internal, mode, { kind: 'jobs.control', jobId: id, action: 'hold' });
    await waitForJob(id, (j) => j.state === 'PENDING' && j.priority === 0);
  }, 90_000);

  test('the job gets exactly the given environment over PATH, none of the gateway\'s', async () => {
    process.env.SR_TEST_CANARY = 'gateway-only';
    const out = join(dir, `env-${mode}.out`);
    const { job_id } = await run(internal, mode, {
      kind: 'jobs.submit',
      submission: { script: '#!/bin/sh\nenv\n', stdout: out, environment: { GREETING: 'hello world', 'ODD': 'a=b;c' } },
    });
    await waitForJob(job_id, (j) => FINISHED.includes(j.state));
    const env = readFileSync(out, 'utf8');
    expect(env).toContain('GREETING=hello world\n');
    expect(env).toContain('ODD=a=b;c\n');
    expect(env).toContain('PATH=/usr/local/bin:/usr/bin:/bin\n');
    expect(env).not.toContain('SR_TEST_CANARY');
  });
});

describe('error parity: the same failure, the same code', () => {
  let finished = '';
  beforeAll(async () => {
    finished = String(external.executeSync({ kind: 'jobs.submit', submission: { script: '#!/bin/sh\ntrue\n', working_directory: dir } }, ctx()).job_id);
    await waitForJob(finished, (j) => FINISHED.includes(j.state));
    // And until accounting has its end too (a second or two later), so that every case below
    // sees the same answer whenever it runs.
    const until = Date.now() + 30_000;
    while (!/\|\d+$/m.test(execFileSync('sacct', ['-X', '-n', '-P', '--format=JobIDRaw,End', `--jobs=${finished}`], { encoding: 'utf8', env: { ...process.env, SLURM_TIME_FORMAT: '%s' } }))) {
      if (Date.now() > until) throw new Error(`accounting did not record the end of job ${finished} in 30 s`);
      await new Promise((r) => setTimeout(r, 300));
    }
  });

  const cases: Array<[string, () => SchedulerCommand, string]> = [
    ['jobs.get of an unknown job', () => ({ kind: 'jobs.get', jobId: '999999' }), 'job_not_found'],
    ['jobs.get of an unknown array task', () => ({ kind: 'jobs.get', jobId: '999999_3' }), 'job_not_found'],
    ['jobs.cancel of an unknown job', () => ({ kind: 'jobs.cancel', jobId: '999999' }), 'job_not_found'],
    ['jobs.cancel of a finished job', () => ({ kind: 'jobs.cancel', jobId: finished }), 'invalid_job_state'],
    // slurmctld answers "Invalid job id specified" to a signal for a finished job; accounting knows
    // the job, so it has ended: 409 (#11), as for an action on a job only accounting still has.
    ['jobs.cancel --signal of a finished job', () => ({ kind: 'jobs.cancel', jobId: finished, signal: 'USR1' }), 'invalid_job_state'],
    ['jobs.cancel with an unknown signal', () => ({ kind: 'jobs.cancel', jobId: finished, signal: 'NOPE' }), 'scheduler_rejected'],
    ['jobs.control hold of an unknown job', () => ({ kind: 'jobs.control', jobId: '999999', action: 'hold' }), 'job_not_found'],
    ['jobs.control release of a finished job', () => ({ kind: 'jobs.control', jobId: finished, action: 'release' }), 'invalid_job_state'],
    ['jobs.control suspend of an unknown job', () => ({ kind: 'jobs.control', jobId: '999999', action: 'suspend' }), 'job_not_found'],
    ['jobs.control resume of a finished job', () => ({ kind: 'jobs.control', jobId: finished, action: 'resume' }), 'invalid_job_state'],
    ['jobs.control requeue of an unknown job', () => ({ kind: 'jobs.control', jobId: '999999', action: 'requeue' }), 'job_not_found'],
    ['jobs.update of an unknown job', () => ({ kind: 'jobs.update', jobId: '999999', update: { name: 'x' } }), 'job_not_found'],
    ['jobs.update of a finished job', () => ({ kind: 'jobs.update', jobId: finished, update: { name: 'x' } }), 'invalid_job_state'],
    ['jobs.update with nothing to change', () => ({ kind: 'jobs.update', jobId: finished, update: {} }), 'scheduler_rejected'],
    ['jobs.submit to an invalid partition', () => ({ kind: 'jobs.submit', submission: { script: '#!/bin/sh\ntrue\n', partition: 'no-such-partition' } }), 'scheduler_rejected'],
    ['jobs.submit of a script without #!', () => ({ kind: 'jobs.submit', submission: { script: 'echo hi\n' } }), 'scheduler_rejected'],
    ['jobs.submit with an invalid dependency', () => ({ kind: 'jobs.submit', submission: { script: '#!/bin/sh\ntrue\n', dependency: 'whenever:1' } }), 'scheduler_rejected'],
    ['jobs.submit with an invalid array', () => ({ kind: 'jobs.submit', submission: { script: '#!/bin/sh\ntrue\n', array: '5-1' } }), 'scheduler_rejected'],
    ['jobs.submit with an invalid time limit', () => ({ kind: 'jobs.submit', submission: { script: '#!/bin/sh\n#SBATCH --time=soon\ntrue\n' } }), 'scheduler_rejected'],
    // #12: a user that does not exist selects nothing (src/slurm/filters.ts): an empty list, not a failure.
    ['jobs.list of an unknown user', () => ({ kind: 'jobs.list', filter: { user: ['no-such-user-x'] } }), 'ok'],
    ['nodes.get of an unknown node', () => ({ kind: 'nodes.get', name: 'no-such-node' }), 'node_not_found'],
    ['partitions.get of an unknown partition', () => ({ kind: 'partitions.get', name: 'no-such-partition' }), 'partition_not_found'],
  ];

  test.each(cases)('%s', async (_, command, code) => {
    const e = await codeOf(external, 'sync', command());
    expect(e).toBe(code);
    for (const mode of MODES) expect(await codeOf(internal, mode, command())).toBe(e);
  });

  test('the submission error carries Slurm\'s sentence', async () => {
    const command: SchedulerCommand = { kind: 'jobs.submit', submission: { script: '#!/bin/sh\ntrue\n', partition: 'no-such-partition' } };
    const error = await run(internal, 'async', command).catch((e) => e);
    expect(error.message).toBe('Job submission failed: Invalid partition name specified');
    expect(error.details).toEqual({ slurm_error: 'Invalid partition name specified' });
  });
});
