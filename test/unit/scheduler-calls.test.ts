/** Scheduler call records (#13): redaction, the records each executor makes, Server-Timing, and coalesced reads. */
import { Coalescer } from '../../src/dispatch/coalescer.js';
import { SharedJobReads } from '../../src/dispatch/shared-reads.js';
import type { Job } from '../../src/model.js';
import type { CommandDispatcher } from '../../src/dispatch/dispatcher.js';
import type { RequestContext } from '../../src/context.js';
import type { SchedulerCommand } from '../../src/commands.js';
import { REDACTED, redactArgs, redactArgv, redactStderr, summarise, type SchedulerCall } from '../../src/scheduler-calls.js';
import { failedToolCall, toolCall } from '../../src/executors/external/call-record.js';
import { libslurmCall } from '../../src/executors/internal/call-record.js';
import { serverTiming } from '../../src/http/call-trace.js';
import { GatewayError } from '../../src/errors.js';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdW4iOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redaction', () => {
  it('hides secret-looking flags, variables, the argument after a secret flag, and any JWT in argv', () => {
    expect(redactArgv(['--parsable', `SLURM_JWT=${JWT}`, '--password=hunter2', '--token', 'abc', `--comment=${JWT}`, '--export=NIL,API_KEY,HOME', '--job-name=x']))
      .toEqual(['--parsable', `SLURM_JWT=${REDACTED}`, `--password=${REDACTED}`, '--token', REDACTED, `--comment=${REDACTED}`, '--export=NIL,API_KEY,HOME', '--job-name=x']);
  });

  it('reports a job descriptor\'s script and environment by size, and redacts secret-named fields and JWTs', () => {
    const desc = { name: 'x', script: '#!/bin/sh\necho hi\n', environment: ['A=1', 'B=2'], comment: `see ${JWT}`, auth_token: 'abc', nested: { password: 'p' }, argv: Array.from({ length: 30 }, (_, i) => String(i)) };
    const out = redactArgs(desc);
    expect(out).toMatchObject({ name: 'x', script: '[18 bytes]', environment: '[2 variables]', comment: `see ${REDACTED}`, auth_token: REDACTED, nested: { password: REDACTED } });
    expect(out.argv).toHaveLength(21);
    expect(JSON.stringify(out)).not.toContain('echo hi');
  });

  it('shortens and redacts stderr, and drops it when empty', () => {
    expect(redactStderr(`error: token ${JWT} rejected\n`)).toBe(`error: token ${REDACTED} rejected`);
    expect(redactStderr('  \n')).toBeUndefined();
    expect(redactStderr('x'.repeat(5000))!.length).toBeLessThan(2100);
  });
});

describe('the records each executor makes', () => {
  it('a tool run: argv redacted, the script by its size, exit code, stderr, slurmdbd for sacct', () => {
    const invocation = { tool: 'sbatch' as const, args: ['--parsable', '--job-name=x'], input: '#!/bin/sh\necho secret\n' };
    const call = toolCall(invocation, performance.now(), { invocation, exitCode: 1, stdout: '', stderr: 'sbatch: error: Invalid partition name specified\n' });
    expect(call).toMatchObject({ via: 'tool', name: 'sbatch', daemon: 'slurmctld', args: ['--parsable', '--job-name=x'], input_bytes: Buffer.byteLength(invocation.input), exit_code: 1, stderr: 'sbatch: error: Invalid partition name specified' });
    expect(JSON.stringify(call)).not.toContain('echo secret');
    expect(toolCall({ tool: 'sacct', args: [] }, performance.now(), { invocation: { tool: 'sacct', args: [] }, exitCode: 0, stdout: '', stderr: '' }).daemon).toBe('slurmdbd');
    const killed = failedToolCall({ tool: 'squeue', args: [] }, performance.now(), new GatewayError('deadline_exceeded', 'squeue did not finish before the deadline and was killed'));
    expect(killed).toMatchObject({ name: 'squeue', error: 'deadline_exceeded: squeue did not finish before the deadline and was killed' });
  });

  it('a libslurm call: the function, its key arguments, errno and Slurm\'s text', () => {
    expect(libslurmCall('jobs', { show_flags: 1, job_id: 7 }, performance.now())).toMatchObject({ via: 'libslurm', name: 'slurm_load_job', daemon: 'slurmctld', args: { show_flags: 1, job_id: 7 } });
    expect(libslurmCall('jobs', { show_flags: 1 }, performance.now()).name).toBe('slurm_load_jobs');
    expect(libslurmCall('acct_jobs', {} as never, performance.now()).daemon).toBe('slurmdbd');
    const failure = Object.assign(new Error('Invalid job id specified'), { slurmErrno: 2017, slurmError: 'Invalid job id specified', api: 'slurm_load_job' });
    expect(libslurmCall('jobs', { job_id: 9 }, performance.now(), failure)).toMatchObject({ errno: 2017, error: 'Invalid job id specified' });
  });

  it('every record is plain data a worker can send back (structured clone)', () => {
    const call = libslurmCall('submit', { name: 'x', script: '#!/bin/sh\n', environment: ['A=1'] } as never, performance.now());
    expect(structuredClone(call)).toEqual(call);
  });
});

describe('Server-Timing and the request summary', () => {
  const call = (name: string, ms: number, extra: Partial<SchedulerCall> = {}): SchedulerCall => ({ via: 'tool', name, daemon: 'slurmctld', args: [], ms, ...extra });

  it('has one entry per call, shared ones said so, and the request total', () => {
    expect(serverTiming([call('squeue', 3.24), call('sacct', 10, { coalesced: true })], 15))
      .toBe('slurm;dur=3.2;desc="squeue", slurm;dur=10;desc="sacct (shared)", total;dur=15;desc="request"');
    expect(serverTiming([], 2)).toBe('total;dur=2;desc="request"');
  });

  it('sums the calls past twenty in one entry', () => {
    const header = serverTiming(Array.from({ length: 25 }, () => call('scontrol', 1)), 40);
    expect(header.split(', ')).toHaveLength(22);
    expect(header).toContain('slurm;dur=5;desc="5 more calls"');
  });

  it('counts calls, their time and the coalesced ones', () => {
    expect(summarise([call('a', 1.25), call('b', 2, { coalesced: true })])).toEqual({ calls: 2, ms: 3.3, coalesced: 1 });
  });
});

describe('coalesced reads: each request reports the calls its answer came from', () => {
  class Inner implements CommandDispatcher {
    pending: Array<{ ctx: RequestContext; finish: (value: unknown) => void }> = [];
    running = 0; waiting = 0; concurrency = 1;
    dispatch(_command: SchedulerCommand, ctx: RequestContext): Promise<never> {
      return new Promise((resolve) => this.pending.push({ ctx, finish: resolve as (value: unknown) => void }));
    }
    async close() {}
  }
  const request = (calls: SchedulerCall[]): RequestContext =>
    ({ requestId: 'r', deadline: Date.now() + 5000, signal: new AbortController().signal, record: (c) => calls.push(c) });

  it('the first as they are, a joiner marked coalesced, including calls made before it joined', async () => {
    const inner = new Inner();
    const coalescer = new Coalescer(inner);
    const first: SchedulerCall[] = [];
    const second: SchedulerCall[] = [];
    const command: SchedulerCommand = { kind: 'nodes.list' };
    const a = coalescer.dispatch(command, request(first));
    const made: SchedulerCall = { via: 'tool', name: 'sinfo', daemon: 'slurmctld', args: [], ms: 4 };
    inner.pending[0]!.ctx.record!(made);
    const b = coalescer.dispatch(command, request(second));
    inner.pending[0]!.ctx.record!({ ...made, name: 'scontrol' });
    inner.pending[0]!.finish([]);
    await Promise.all([a, b]);
    expect(inner.pending).toHaveLength(1);
    expect(first).toEqual([made, { ...made, name: 'scontrol' }]);
    expect(second).toEqual([{ ...made, coalesced: true }, { ...made, name: 'scontrol', coalesced: true }]);
  });
});

describe('shared reads of single jobs: every read of a batch reports the shared call', () => {
  class Inner implements CommandDispatcher {
    pending: Array<{ command: SchedulerCommand; ctx: RequestContext; finish: (value: unknown) => void }> = [];
    running = 0; waiting = 0; concurrency = 1;
    dispatch(command: SchedulerCommand, ctx: RequestContext): Promise<never> {
      return new Promise((resolve) => this.pending.push({ command, ctx, finish: resolve as (value: unknown) => void }));
    }
    async close() {}
  }
  const request = (calls: SchedulerCall[]): RequestContext =>
    ({ requestId: 'r', deadline: Date.now() + 5000, signal: new AbortController().signal, record: (c) => calls.push(c) });
  const job = (job_id: number) => ({ job_id, array_job_id: null, array_task_id: null, array_tasks: null }) as unknown as Job;

  it('the first read of the batch as made, the others marked coalesced', async () => {
    const inner = new Inner();
    const reads = new SharedJobReads(inner, 'table');
    const [one, two, three]: SchedulerCall[][] = [[], [], []];
    const first = reads.dispatch({ kind: 'jobs.get', jobId: '1' }, request(one!));
    const batch = [reads.dispatch({ kind: 'jobs.get', jobId: '2' }, request(two!)), reads.dispatch({ kind: 'jobs.get', jobId: '3' }, request(three!))];
    const made: SchedulerCall = { via: 'libslurm', name: 'slurm_load_jobs', daemon: 'slurmctld', args: {}, ms: 2 };
    inner.pending[0]!.ctx.record!(made);
    inner.pending[0]!.finish([job(1)]);
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(inner.pending).toHaveLength(2);
    inner.pending[1]!.ctx.record!(made);
    inner.pending[1]!.finish([job(2), job(3)]);
    await Promise.all(batch);
    expect([one, two, three]).toEqual([[made], [made], [{ ...made, coalesced: true }]]);
  });
});
