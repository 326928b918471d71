/**
 * Parsers on real output captured from Slurm 22.05.8 (test/fixtures/slurm-22.05, made with the
 * gateway's own format strings; see test/fixtures/slurm-22.05/README.md).
 */
import { readFileSync } from 'node:fs';
import { parseJobs } from '../../src/executors/external/parse/jobs.js';
import { parseNodeDetails, parseNodes } from '../../src/executors/external/parse/nodes.js';
import { parseLicenses, parseReservations } from '../../src/executors/external/parse/reservations.js';
import { parsePartitions } from '../../src/executors/external/parse/partitions.js';
import { parseSdiag } from '../../src/executors/external/parse/sdiag.js';
import { parseConfig, parsePing } from '../../src/executors/external/parse/config.js';
import { parseSubmit } from '../../src/executors/external/parse/submit.js';
import { classify, slurmReason } from '../../src/executors/external/stderr.js';
import { inArraySpec, pickJob } from '../../src/slurm/job-ids.js';
import { cpuLoadOf, gresUsed, licenseCounts, reservationState, sdiagOrder } from '../../src/slurm/resources.js';
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

/** The fields scontrol adds to sinfo's, unknown (a node scontrol did not list). */
const NO_DETAILS = {
  cpu_load: null, active_features: [], gres: null, gres_used: null, tres: null, tres_allocated: null,
  address: null, hostname: null, os: null, boot_time: null, slurmd_start_time: null,
};

describe('sinfo, scontrol, sdiag, sbatch', () => {
  it('reads nodes', () => {
    expect(parseNodes(fixture('sinfo-nodes.txt'))).toEqual([{
      name: 'vm', state: 'IDLE', state_flags: [], cpus: { total: 2, allocated: 0, idle: 2 },
      memory_mib: { total: 2000, allocated: 0, free: 23288 }, partitions: ['debug'], features: [], reason: null, ...NO_DETAILS,
    }]);
  });

  it('reads a node with a job on one of its GPUs and a license: sinfo, then scontrol --details for the rest', () => {
    const details = parseNodeDetails(fixture('scontrol-nodes-busy.txt'));
    expect(parseNodes(fixture('sinfo-nodes-busy.txt'), details)).toEqual([{
      name: 'vm', state: 'MIXED', state_flags: [], cpus: { total: 2, allocated: 1, idle: 1 },
      memory_mib: { total: 22899, allocated: 512, free: 22606 }, cpu_load: 0.47, partitions: ['debug', 'long'],
      features: ['fast', 'ssd'], active_features: ['fast', 'ssd'], gres: 'gpu:fake:2', gres_used: 'gpu:fake:1(IDX:0)',
      tres: { cpus: 2, memory_mib: 22899, nodes: null, gpus: 2, billing: 2 },
      tres_allocated: { cpus: 1, memory_mib: 512, nodes: null, gpus: 1, billing: null },
      address: '127.0.0.1', hostname: 'vm', os: 'Linux 6.18.44-fc-v669 #1 SMP PREEMPT_DYNAMIC @0',
      boot_time: '2026-11-30T20:51:55.000Z', slurmd_start_time: '2026-12-01T06:31:51.000Z', reason: null,
    }]);
  });

  it('keeps the first of a key printed again inside a drained node\'s free-text reason', () => {
    const [node] = parseNodes(fixture('sinfo-nodes-drain-reason.txt'), parseNodeDetails(fixture('scontrol-nodes-drain-reason.txt')));
    expect(node).toMatchObject({
      state: 'IDLE', state_flags: ['DRAIN'], reason: 'swap GPU OS=none Gres=gpu:0',
      os: 'Linux 6.18.44-fc-v669 #1 SMP PREEMPT_DYNAMIC @0', gres: 'gpu:fake:2', gres_used: 'gpu:fake:0', cpu_load: 0.81,
    });
  });

  it('reads the GRES in use and the load as both executors do', () => {
    expect(gresUsed('gpu:fake:0(IDX:N/A)')).toBe('gpu:fake:0');
    expect(gresUsed('gpu:fake:1(IDX:0)')).toBe('gpu:fake:1(IDX:0)');
    expect(gresUsed('gpu:a:0(IDX:N/A),gpu:b:2(IDX:0-1)')).toBe('gpu:a:0,gpu:b:2(IDX:0-1)');
    expect(gresUsed('(null)')).toBeNull();
    expect(cpuLoadOf(47, 0xfffffffe)).toBe(0.47);
    expect(cpuLoadOf(0xfffffffe, 0xfffffffe)).toBeNull();
  });

  it('reads reservations: licenses only, and one on a node in the future', () => {
    expect(parseReservations(fixture('scontrol-reservations.txt'))).toEqual([{
      name: 'sr-lic', state: 'ACTIVE', start_time: '2026-12-01T06:31:52.000Z', end_time: '2027-12-01T06:31:52.000Z',
      nodes: null, node_count: 0, core_count: 0, partition: null, users: ['root', 'alice'], accounts: [],
      licenses: { matlab: 1 }, flags: ['ANY_NODES'], tres: null,
    }, {
      name: 'fx-maint', state: 'INACTIVE', start_time: '2027-09-27T06:37:50.000Z', end_time: '2027-09-27T07:37:50.000Z',
      nodes: 'vm', node_count: 1, core_count: 2, partition: 'debug', users: ['-bob'], accounts: [],
      licenses: {}, flags: ['MAINT', 'IGNORE_JOBS', 'SPEC_NODES'], tres: { cpus: 2, memory_mib: null, nodes: null, gpus: null, billing: null },
    }]);
    expect(parseReservations(fixture('scontrol-reservation-sr-lic.txt')).map((r) => r.name)).toEqual(['sr-lic']);
    expect(fixture('scontrol-reservation-unknown.stderr')).toMatch(/^Reservation nosuch not found$/m);
    expect(reservationState(10, 20, 15)).toBe('ACTIVE');
    expect(reservationState(10, 20, 21)).toBe('INACTIVE');
    expect(reservationState(10, 20, 9)).toBe('INACTIVE');
    expect(licenseCounts('matlab:1,abaqus*2,comsol')).toEqual({ matlab: 1, abaqus: 2, comsol: 1 });
  });

  it('reads licenses', () => {
    expect(parseLicenses(fixture('scontrol-licenses.txt'))).toEqual([{ name: 'matlab', total: 4, used: 1, free: 3, reserved: 1, remote: false }]);
    expect(parseLicenses('')).toEqual([]);
    expect(() => parseLicenses('LicenseName=x Total=? Used=0 Free=0 Reserved=0 Remote=no')).toThrow(UnreadableOutput);
  });

  it('merges a node listed once per partition, and reads flags', () => {
    const F = '\u001f\u001d'; const R = '\u001e\u001d\n';
    const row = (part: string, state: string) => ['n1', state, '1/3/0/4', '8000', '1000', '6000', part, 'a,b', 'maintenance window'].join(F) + R;
    expect(parseNodes(row('debug*', 'mixed+drain') + row('long', 'mixed+drain'))).toEqual([{
      name: 'n1', state: 'MIXED', state_flags: ['DRAIN'], cpus: { total: 4, allocated: 1, idle: 3 },
      memory_mib: { total: 8000, allocated: 1000, free: 6000 }, partitions: ['debug', 'long'], features: ['a', 'b'], reason: 'maintenance window', ...NO_DETAILS,
    }]);
  });

  it('reads partitions', () => {
    expect(parsePartitions(fixture('scontrol-partitions.txt'))).toEqual([{
      name: 'debug', state: 'UP', default: true, nodes: 'vm', node_count: 1, cpus_total: 2,
      max_time: null, default_time: null, max_nodes: null, min_nodes: 0,
      tres: { cpus: 2, memory_mib: 2000, nodes: 1, gpus: null, billing: 2 },
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
    expect(stats.rpc_by_user).toEqual([{ user: 'root', user_id: 0, count: 1559, average_time_us: 207, total_time_us: 324237 }]);
    expect(stats.backfill).toEqual({
      active: false, backfilled_jobs: 3, backfilled_het_jobs: 0, cycle_count: 3, last_cycle_time: '2026-11-22T05:48:13.000Z',
      last_cycle_us: 934, max_cycle_us: 934, mean_cycle_us: 527, last_depth: 4, last_depth_try: 2, mean_depth: 3,
      last_queue_length: 2, mean_queue_length: 2,
    });
  });

  it('reads backfill statistics and RPCs by user (two users, a cycle with pending jobs)', () => {
    const stats = parseSdiag(fixture('sdiag-backfill.txt'));
    expect(stats.rpc_by_user).toEqual([
      { user: 'root', user_id: 0, count: 79, average_time_us: 233, total_time_us: 18424 },
      { user: 'alice', user_id: 1001, count: 4, average_time_us: 175, total_time_us: 700 },
    ]);
    expect(stats.backfill).toEqual({
      active: false, backfilled_jobs: 0, backfilled_het_jobs: 0, cycle_count: 1, last_cycle_time: '2026-12-01T06:37:51.000Z',
      last_cycle_us: 193, max_cycle_us: 193, mean_cycle_us: 193, last_depth: 2, last_depth_try: 2, mean_depth: 2,
      last_queue_length: 2, mean_queue_length: 2,
    });
    expect(stats.rpc_by_type.REQUEST_LICENSE_INFO).toEqual({ count: 7, total_time_us: 1411 });
  });

  it('reads backfill statistics after a reset: no means before a cycle ran', () => {
    expect(parseSdiag(fixture('sdiag-reset.txt')).backfill).toEqual({
      active: false, backfilled_jobs: 0, backfilled_het_jobs: 0, cycle_count: 0, last_cycle_time: '2026-12-01T06:37:51.000Z',
      last_cycle_us: 0, max_cycle_us: 0, mean_cycle_us: null, last_depth: 0, last_depth_try: 0, mean_depth: null,
      last_queue_length: 0, mean_queue_length: null,
    });
  });

  it('orders RPC statistics as sdiag does (by count, its exchange sort)', () => {
    const rows = [{ id: 1, count: 1 }, { id: 2, count: 5 }, { id: 3, count: 1 }, { id: 4, count: 5 }];
    expect(sdiagOrder(rows).map((r) => r.id)).toEqual([2, 4, 3, 1]);
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
