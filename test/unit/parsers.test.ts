/**
 * Parsers on real output captured from Slurm 22.05.8 (test/fixtures/slurm-22.05, made with the
 * gateway's own format strings; see test/fixtures/slurm-22.05/README.md).
 */
import { readFileSync } from 'node:fs';
import { parseJobs } from '../../src/executors/external/parse/jobs.js';
import { parseNodes } from '../../src/executors/external/parse/nodes.js';
import { parsePartitions } from '../../src/executors/external/parse/partitions.js';
import { parseSdiag } from '../../src/executors/external/parse/sdiag.js';
import { parseConfig, parsePing } from '../../src/executors/external/parse/config.js';
import { parseSubmit } from '../../src/executors/external/parse/submit.js';
import { classify, slurmReason } from '../../src/executors/external/stderr.js';
import { inArraySpec, pickJob } from '../../src/slurm/job-ids.js';
import { UnreadableOutput } from '../../src/executors/external/parse/values.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/slurm-22.05/${name}`, import.meta.url), 'utf8');

describe('squeue --Format', () => {
  const jobs = parseJobs(fixture('squeue-jobs.txt'));
  const byId = (id: number) => jobs.find((j) => j.job_id === id)!;

  it('reads every record', () => {
    expect(jobs.map((j) => j.job_id)).toEqual([42170, 42174, 42171, 42172, 42173, 42169, 42168, 42178, 42179, 42177, 42176, 42175]);
  });

  it('reads every state it was given', () => {
    expect(Object.fromEntries(jobs.map((j) => [j.job_id, j.state]))).toEqual({
      42175: 'TIMEOUT', 42168: 'FAILED', 42177: 'PENDING', 42169: 'COMPLETED', 42170: 'CANCELLED', 42171: 'CANCELLED',
      42176: 'SUSPENDED', 42172: 'CANCELLED', 42173: 'CANCELLED', 42174: 'CANCELLED', 42178: 'PENDING', 42179: 'PENDING',
    });
  });

  it('keeps names with separators, commas, pipes, spaces and control characters whole', () => {
    expect(byId(42176).name).toBe('a very long job name with spaces, commas | pipes and more text than twenty characters');
    expect(byId(42168).name).toBe('name|with\u001f?no');
    expect(byId(42177).name).toBe('evil\u001e\nname');
  });

  it('reads array tasks and the pending array record', () => {
    expect(byId(42173)).toMatchObject({ array_job_id: 42171, array_task_id: 2, array_tasks: null });
    expect(byId(42171)).toMatchObject({ array_job_id: 42171, array_task_id: null, array_tasks: '4-5%2' });
    expect(byId(42169)).toMatchObject({ array_job_id: null, array_task_id: null, array_tasks: null });
  });

  it('reads exit codes from the wait status, times as ISO 8601 UTC, placeholders as null', () => {
    expect(byId(42168)).toMatchObject({ exit_code: 2, reason: 'NonZeroExitCode', nodes: 'vm', account: 'root', qos: 'normal' });
    expect(byId(42175)).toMatchObject({ exit_code: 143, time_limit: 1, reason: 'TimeLimit', end_time: '2026-12-01T06:47:28.000Z' });
    expect(byId(42177)).toMatchObject({ start_time: null, end_time: null, nodes: null, priority: 0, reason: 'JobHeldUser', time_limit: null });
    expect(byId(42169)).toMatchObject({ exit_code: 0, reason: null, submit_time: '2026-12-01T06:45:57.000Z', cpus: 1, node_count: 1, user: 'root' });
    expect(byId(42169).stdout_path).toMatch(/^\/.*\/slurm-42169\.out$/);
    // squeue names an array task's default file after its job id; Slurm writes slurm-%A_%a.out.
    expect(byId(42173).stdout_path).toBe(`${byId(42173).working_directory}/slurm-42171_2.out`);
  });

  it('reads what a job asked for beyond the basics (#12), and null where it asked nothing', () => {
    expect(byId(42178)).toMatchObject({
      features: 'fast&ssd', tres_per_node: 'gres:gpu:fake:1', tres_per_job: null, licenses: 'matlab:1', reservation: 'sr-lic',
      eligible_time: '2030-01-01T00:00:00.000Z', deadline: '2031-01-01T00:00:00.000Z', requeue: false, exclusive: true, tasks_per_node: 1,
      // afterok on a job that had completed: satisfied, so Slurm no longer reports it.
      dependency: null,
    });
    expect(byId(42179)).toMatchObject({ tres_per_job: 'gres:gpu:1', tres_per_node: null, dependency: 'afterany:42177(unfulfilled)', requeue: true, exclusive: false, eligible_time: null });
    expect(byId(42169)).toMatchObject({ features: null, licenses: null, reservation: null, deadline: null, tasks_per_node: null, eligible_time: '2026-12-01T06:45:57.000Z' });
  });

  it('refuses output of the wrong shape instead of guessing', () => {
    expect(() => parseJobs('garbage\u001e\u001d\n')).toThrow(UnreadableOutput);
    expect(parseJobs('')).toEqual([]);
  });

  it('finds a job by id or by array task', () => {
    expect(pickJob(jobs, '42173')?.job_id).toBe(42173);
    expect(pickJob(jobs, '42171_2')?.job_id).toBe(42173);
    expect(pickJob(jobs, '42171_5')?.job_id).toBe(42171);
    expect(pickJob(jobs, '42171_9')).toBeUndefined();
    expect(inArraySpec('1-9:4,12%2', 5)).toBe(true);
    expect(inArraySpec('1-9:4,12%2', 6)).toBe(false);
    expect(inArraySpec('1-9:4,12%2', 12)).toBe(true);
  });
});

describe('sinfo, scontrol, sdiag, sbatch', () => {
  it('reads nodes', () => {
    expect(parseNodes(fixture('sinfo-nodes.txt'))).toEqual([{
      name: 'vm', state: 'IDLE', state_flags: [], cpus: { total: 2, allocated: 0, idle: 2 },
      memory_mib: { total: 2000, allocated: 0, free: 23288 }, partitions: ['debug'], features: [], reason: null,
    }]);
  });

  it('merges a node listed once per partition, and reads flags', () => {
    const F = '\u001f\u001d'; const R = '\u001e\u001d\n';
    const row = (part: string, state: string) => ['n1', state, '1/3/0/4', '8000', '1000', '6000', part, 'a,b', 'maintenance window'].join(F) + R;
    expect(parseNodes(row('debug*', 'mixed+drain') + row('long', 'mixed+drain'))).toEqual([{
      name: 'n1', state: 'MIXED', state_flags: ['DRAIN'], cpus: { total: 4, allocated: 1, idle: 3 },
      memory_mib: { total: 8000, allocated: 1000, free: 6000 }, partitions: ['debug', 'long'], features: ['a', 'b'], reason: 'maintenance window',
    }]);
  });

  it('reads partitions', () => {
    expect(parsePartitions(fixture('scontrol-partitions.txt'))).toEqual([{
      name: 'debug', state: 'UP', default: true, nodes: 'vm', node_count: 1, cpus_total: 2,
      max_time: null, default_time: null, max_nodes: null, min_nodes: 0,
    }]);
  });

  it('reads controller statistics', () => {
    const stats = parseSdiag(fixture('sdiag.txt'));
    expect(stats).toMatchObject({
      server_thread_count: 3, jobs_submitted: 76, jobs_started: 21, jobs_completed: 9, jobs_canceled: 50,
      jobs_failed: 0, jobs_pending: 5, jobs_running: 2, schedule_cycle_last_us: 414, schedule_cycle_mean_us: 161,
    });
    expect(stats.rpc_by_type.REQUEST_JOB_INFO).toEqual({ count: 311, total_time_us: 73715 });
    expect(Object.keys(stats.rpc_by_type)).toHaveLength(17);
  });

  it('reads the configuration and ping', () => {
    const config = parseConfig(fixture('scontrol-config.txt'));
    expect(config).toMatchObject({ ClusterName: 'scratch', SLURM_VERSION: '22.05.8', 'SlurmctldHost[0]': 'vm' });
    expect(parsePing(fixture('scontrol-ping-up.txt'))).toBe(true);
    expect(parsePing(fixture('scontrol-ping-down.txt'))).toBe(false);
  });

  it('reads sbatch --parsable', () => {
    expect(parseSubmit('42\n')).toBe(42);
    expect(parseSubmit('42;cluster\n')).toBe(42);
    expect(() => parseSubmit('Submitted batch job 42\n')).toThrow(UnreadableOutput);
  });
});

describe('Slurm error messages (captured from 22.05.8)', () => {
  const run = (tool: string, stderr: string, exitCode = 1) => ({ invocation: { tool: tool as 'sbatch', args: [] }, exitCode, stdout: '', stderr });

  it.each([
    ['scancel', 'scancel: Terminating job 999\nscancel: error: Kill job error on job id 999: Invalid job id specified\n', 'job_not_found', 'Invalid job id specified'],
    ['scancel', 'scancel: Terminating job 4\nscancel: error: Kill job error on job id 4: Job/step already completing or completed\n', 'invalid_job_state', 'Job/step already completing or completed'],
    ['scontrol', 'Job is not suspended for job 1\n', 'invalid_job_state', 'Job is not suspended for job 1'],
    ['scontrol', 'Job is pending execution for job 2\n', 'invalid_job_state', 'Job is pending execution for job 2'],
    ['scontrol', 'Invalid job id specified for job 999\nslurm_suspend error: Invalid job id specified\n', 'job_not_found', 'Invalid job id specified'],
    ['sbatch', 'sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job submission failed: Invalid partition name specified\n', 'scheduler_rejected', 'Invalid partition name specified'],
    ['sbatch', 'sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)\n', 'scheduler_unavailable', 'Unable to contact slurm controller (connect failure)'],
    ['squeue', 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n', 'scheduler_unavailable', 'Unable to contact slurm controller (connect failure)'],
    ['sbatch', 'sbatch: error: Memory specification can not be satisfied\nsbatch: error: Batch job submission failed: Requested node configuration is not available\n', 'scheduler_rejected', 'Requested node configuration is not available'],
  ])('%s: %j is %s', (tool, stderr, code, reason) => {
    const error = classify(run(tool, stderr), 'Doing it failed');
    expect(error.code).toBe(code);
    expect(slurmReason(stderr)).toBe(reason);
    expect(error.details).toEqual({ slurm_error: reason });
  });
});
