/**
 * Dispatch semantics, per mode, on the real cluster. Fixture tools stand in only for what a
 * real Slurm cannot do on demand: hang, print garbage, or take long enough to watch overlap.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startGateway, type Gateway } from '../support/gateway.js';
import { hungTools, makeBinDir, peakOverlap } from '../support/fixtures.js';

const APPLICATIONS = ['inline', 'coroutine', 'thread', 'process'] as const;
let gateway: Gateway | undefined;
afterEach(async () => { await gateway?.stop('SIGKILL'); gateway = undefined; });

const tmp = () => mkdtempSync(join(tmpdir(), 'scheduler-rest-dispatch-'));

describe.each(APPLICATIONS)('--application=%s', (application) => {
  const bound = application === 'inline' ? 1 : 2;

  it(`runs at most ${bound} scheduler command(s) at once`, async () => {
    const log = join(tmp(), 'overlap.log');
    writeFileSync(log, '');
    gateway = await startGateway(['--no-coalesce', `--application=${application}`, '--parallel=2', `--slurm-bin-dir=${makeBinDir({ squeue: 'slow' }, log, 0.4)}`]);
    const answers = await Promise.all(Array.from({ length: 6 }, () => request(gateway!.url).get('/v1/jobs')));
    expect(answers.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(peakOverlap(readFileSync(log, 'utf8'))).toBe(bound);
  });

  it('answers 504 at the deadline and kills the hung tool', async () => {
    const bin = makeBinDir({ squeue: 'hang' });
    gateway = await startGateway(['--no-coalesce', `--application=${application}`, '--parallel=2', '--timeout=1', `--slurm-bin-dir=${bin}`]);
    const started = Date.now();
    const res = await request(gateway.url).get('/v1/jobs');
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('deadline_exceeded');
    expect(Date.now() - started).toBeLessThan(3000);
    // The gateway keeps serving, and no hung tool outlives its request.
    await request(gateway.url).get('/v1/partitions').expect(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(hungTools(bin)).toEqual([]);
  });

  it('answers 502 when a tool prints something that is not what was asked for', async () => {
    gateway = await startGateway(['--no-coalesce', `--application=${application}`, '--parallel=2', `--slurm-bin-dir=${makeBinDir({ squeue: 'garbage', sinfo: 'garbage' })}`]);
    for (const path of ['/v1/jobs', '/v1/nodes']) {
      const res = await request(gateway.url).get(path).expect(502);
      expect(res.body.error.code).toBe('scheduler_error');
    }
    await request(gateway.url).get('/v1/partitions').expect(200);
  });

  it('answers 503 with Retry-After when the controller is unreachable', async () => {
    const conf = join(tmp(), 'slurm.conf');
    writeFileSync(conf, readFileSync(process.env.SLURM_CONF!, 'utf8').replace(/^SlurmctldPort=.*$/m, 'SlurmctldPort=9'));
    gateway = await startGateway(['--no-coalesce', `--application=${application}`, '--parallel=2', '--timeout=25'], { ...process.env, SLURM_CONF: conf });
    const health = await request(gateway.url).get('/v1/health').expect(503);
    expect(health.body).toMatchObject({ status: 'unavailable', controller_reachable: false });
    const res = await request(gateway.url).get('/v1/partitions').expect(503);
    expect(res.body.error.code).toBe('scheduler_unavailable');
    expect(res.headers['retry-after']).toBeDefined();
  }, 60_000);

  it('never starts a command whose client went away while it waited', async () => {
    const log = join(tmp(), 'abandoned.log');
    writeFileSync(log, '');
    gateway = await startGateway(['--no-coalesce', `--application=${application}`, '--parallel=1', `--slurm-bin-dir=${makeBinDir({ squeue: 'slow' }, log, 1)}`]);
    const first = request(gateway.url).get('/v1/jobs');
    const firstDone = first.then((r) => r.status);
    await new Promise((r) => setTimeout(r, 200));
    const abandoned = request(gateway.url).get('/v1/jobs').timeout(300);
    await expect(abandoned).rejects.toThrow();
    expect(await firstDone).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(readFileSync(log, 'utf8').match(/^start/gm)).toHaveLength(1);
  });

  it('finishes in-flight requests on SIGTERM, then exits 0', async () => {
    gateway = await startGateway(['--no-coalesce', `--application=${application}`, '--parallel=2', `--slurm-bin-dir=${makeBinDir({ squeue: 'slow' }, undefined, 1)}`]);
    const inflight = request(gateway.url).get('/v1/jobs');
    const done = inflight.then((r) => r.status);
    await new Promise((r) => setTimeout(r, 300));
    const exit = gateway.stop('SIGTERM');
    expect(await done).toBe(200);
    expect(await exit).toBe(0);
  });
});

describe.each(['coroutine', 'thread', 'process'] as const)('--application=%s with a full queue', (application) => {
  it('answers 503 queue_full with Retry-After beyond --queue-limit and serves the rest', async () => {
    gateway = await startGateway(['--no-coalesce', `--application=${application}`, '--parallel=1', '--queue-limit=1', `--slurm-bin-dir=${makeBinDir({ squeue: 'slow' }, undefined, 0.8)}`]);
    // One read first, so the pool's worker is up: on a busy machine a worker process still
    // starting holds the first request in the queue, and the burst would then find it full at once.
    await request(gateway.url).get('/v1/jobs').expect(200);
    const answers = await Promise.all(Array.from({ length: 5 }, () => request(gateway!.url).get('/v1/jobs')));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 503, 503, 503]);
    for (const res of answers.filter((r) => r.status === 503)) {
      expect(res.body.error.code).toBe('queue_full');
      expect(res.headers['retry-after']).toBe('1');
    }
  });
});

describe('coalescing (the default)', () => {
  it.each(APPLICATIONS)('--application=%s: identical reads in flight together cost one scheduler call', async (application) => {
    const log = join(tmp(), 'coalesce.log');
    writeFileSync(log, '');
    gateway = await startGateway([`--application=${application}`, '--parallel=2', `--slurm-bin-dir=${makeBinDir({ squeue: 'slow' }, log, 0.5)}`]);
    // This test's own held job: other suites sharing the cluster change the rest of the queue
    // between two shared calls, and the answers are compared.
    const name = `coalesce-${application}-${process.pid}`;
    const held = execFileSync('sbatch', ['--parsable', '--hold', '-J', name, '-t', '5', '-o', '/dev/null', '--wrap', 'sleep 60'], { encoding: 'utf8' }).trim();
    const answers = await Promise.all(Array.from({ length: 8 }, () => request(gateway!.url).get(`/v1/jobs?state=PENDING,RUNNING&name=${name}`)));
    execFileSync('scancel', [held]);
    expect(answers[0]!.body.jobs.map((j: { job_id: number }) => j.job_id)).toEqual([Number(held)]);
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((r) => JSON.stringify(r.body))).size).toBe(1);
    // Inline blocks the event loop during a call, so requests that arrive meanwhile are read
    // after it: one more shared call per burst that arrived while the loop was blocked.
    expect(readFileSync(log, 'utf8').match(/^start/gm)!.length).toBeLessThanOrEqual(application === 'inline' ? 3 : 2);
  });
});

describe('--application=process', () => {
  it('replaces a worker process that dies, answers its request 503, and keeps serving', async () => {
    const bin = makeBinDir({ squeue: 'hang' });
    gateway = await startGateway(['--no-coalesce', '--application=process', '--parallel=2', '--timeout=20', `--slurm-bin-dir=${bin}`]);
    const pending = request(gateway.url).get('/v1/jobs');
    const answer = pending.then((r) => r);
    await new Promise((r) => setTimeout(r, 800));
    // The worker running the request is the parent of the hung tool.
    const tool = hungTools(bin)[0]!;
    const worker = execFileSync('ps', ['-o', 'ppid=', '-p', String(tool)], { encoding: 'utf8' }).trim();
    process.kill(Number(worker), 'SIGKILL');
    const res = await answer;
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('worker_crashed');
    for (let i = 0; i < 4; i++) {
      const next = await request(gateway.url).get('/v1/partitions');
      expect({ status: next.status, body: next.status === 200 ? 'ok' : next.body }).toEqual({ status: 200, body: 'ok' });
    }
    process.kill(Number(tool), 'SIGKILL');
  });
});
