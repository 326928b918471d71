/**
 * Idempotency-Key on POST /v1/jobs and honest submit answers, against the real cluster, in every
 * mode SR_TEST_MODES names. The gateway runs as the service user with --auth=jwt; alice and bob
 * call with real tokens. Counting jobs uses squeue directly (as root), so "one job" is Slurm's word.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { modes, startGateway, type Gateway } from '../support/gateway.js';
import { startServiceGateway, token } from '../support/identity.js';
import { uniqueName } from '../support/slurm.js';

const HELD = '#!/bin/bash\nsleep 600\n';
const created = new Set<number>();

/** Every job with this name, all states, as Slurm sees them: "id user" lines. */
const jobsNamed = (name: string): Array<{ id: number; user: string }> =>
  execFileSync('squeue', ['--noheader', '--states=all', `--name=${name}`, '--format=%i %u'], { encoding: 'utf8' })
    .trim().split('\n').filter(Boolean).map((line) => { const [id, user] = line.split(' '); return { id: Number(id), user: user! }; });

afterAll(() => {
  if (created.size) execFileSync('scancel', [...created].map(String), { stdio: 'ignore' });
});

const jwtGateway = startServiceGateway;

describe.each(modes())('Idempotency-Key: --executor=$executor --application=$application', ({ executor, application }) => {
  let gateway: Gateway;
  let asAlice: string;
  let asBob: string;

  beforeAll(async () => {
    gateway = await jwtGateway(executor, application);
    asAlice = `Bearer ${await token('alice')}`;
    asBob = `Bearer ${await token('bob')}`;
  });
  afterAll(async () => { await gateway?.stop(); });

  const post = async (url: string, auth: string, key: string | undefined, body: object) => {
    const req = request(url).post('/v1/jobs').set('Authorization', auth);
    if (key !== undefined) req.set('Idempotency-Key', key);
    const res = await req.send(body);
    if (res.body?.job_id) created.add(res.body.job_id);
    return res;
  };

  it('same key and body twice: the first job, 201 then 200 with Idempotent-Replayed, one job in squeue', async () => {
    const name = uniqueName('idem');
    const body = { script: HELD, name, hold: true, comment: 'my note' };
    const key = `k-${name}`;
    const first = await post(gateway.url, asAlice, key, body);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(gateway.url, asAlice, key, { name, comment: 'my note', hold: true, script: HELD });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(`/v1/jobs/${first.body.job_id}`);
    expect(again.body).toEqual(first.body);
    expect(jobsNamed(name)).toEqual([{ id: first.body.job_id, user: 'alice' }]);
    // The job shows no key: the Job model has no comment, and Slurm holds hashes only.
    const job = await request(gateway.url).get(`/v1/jobs/${first.body.job_id}`).set('Authorization', asAlice).expect(200);
    expect(JSON.stringify(job.body)).not.toContain('sr-idem');
    const comment = execFileSync('squeue', ['--noheader', '-j', String(first.body.job_id), '--Format=Comment:1000'], { encoding: 'utf8' }).trim();
    expect(comment).toMatch(/^sr-idem:v1:[0-9a-f]{32}:[0-9a-f]{32} my note$/);
    expect(comment).not.toContain(key);
  });

  it('same key, different body: 409 idempotency_conflict, no second job', async () => {
    const name = uniqueName('idem');
    const key = `k-${name}`;
    const first = await post(gateway.url, asAlice, key, { script: HELD, name, hold: true });
    expect(first.status).toBe(201);
    const other = await post(gateway.url, asAlice, key, { script: HELD, name, hold: true, time_limit: 5 });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_conflict');
    expect(jobsNamed(name)).toHaveLength(1);
  });

  it("bob's same key makes bob's own job and never answers alice's", async () => {
    const name = uniqueName('idem');
    const key = `k-${name}`;
    const body = { script: HELD, name, hold: true };
    const alice = await post(gateway.url, asAlice, key, body);
    const bob = await post(gateway.url, asBob, key, body);
    expect([alice.status, bob.status]).toEqual([201, 201]);
    expect(bob.body.job_id).not.toBe(alice.body.job_id);
    expect(jobsNamed(name).sort((a, b) => a.id - b.id)).toEqual([{ id: alice.body.job_id, user: 'alice' }, { id: bob.body.job_id, user: 'bob' }]);
    // And bob's other body under the same key is judged against bob's job only.
    expect((await post(gateway.url, asBob, key, body)).body.job_id).toBe(bob.body.job_id);
  });

  it('8 concurrent requests with one key make one job', async () => {
    const name = uniqueName('idem');
    const key = `k-${name}`;
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(gateway.url, asAlice, key, { script: HELD, name, hold: true })));
    const ids = new Set(answers.map((r) => r.body.job_id));
    expect(ids.size).toBe(1);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(jobsNamed(name)).toHaveLength(1);
  });

  it('the key is honoured by a restarted gateway and by a second gateway', async () => {
    const name = uniqueName('idem');
    const key = `k-${name}`;
    const body = { script: HELD, name, hold: true };
    const first = await post(gateway.url, asAlice, key, body);
    expect(first.status).toBe(201);
    await gateway.stop();
    gateway = await jwtGateway(executor, application);
    const afterRestart = await post(gateway.url, asAlice, key, body);
    expect([afterRestart.status, afterRestart.body.job_id]).toEqual([200, first.body.job_id]);
    const second = await jwtGateway(executor, application);
    try {
      const other = await post(second.url, asAlice, key, body);
      expect([other.status, other.body.job_id]).toEqual([200, first.body.job_id]);
      const back = await post(gateway.url, asAlice, key, body);
      expect([back.status, back.body.job_id]).toEqual([200, first.body.job_id]);
    } finally {
      await second.stop();
    }
    expect(jobsNamed(name)).toHaveLength(1);
  });

  it('PATCH comment keeps the key: a retry still answers the job', async () => {
    const name = uniqueName('idem');
    const key = `k-${name}`;
    const body = { script: HELD, name, hold: true, comment: 'before' };
    const first = await post(gateway.url, asAlice, key, body);
    expect(first.status).toBe(201);
    await request(gateway.url).patch(`/v1/jobs/${first.body.job_id}`).set('Authorization', asAlice).send({ comment: 'after' }).expect(200);
    const comment = execFileSync('squeue', ['--noheader', '-j', String(first.body.job_id), '--Format=Comment:1000'], { encoding: 'utf8' }).trim();
    expect(comment).toMatch(/^sr-idem:v1:[0-9a-f]{32}:[0-9a-f]{32} after$/);
    const retry = await post(gateway.url, asAlice, key, body);
    expect([retry.status, retry.body.job_id]).toEqual([200, first.body.job_id]);
  });

  it('refuses a bad key (400) and a comment with the reserved prefix (400), on POST and PATCH', async () => {
    const body = { script: HELD, hold: true, name: uniqueName('idem') };
    for (const bad of ['', 'has space', 'x'.repeat(256)]) {
      const res = await post(gateway.url, asAlice, bad, body);
      expect([bad.length, res.status, res.body.error?.code]).toEqual([bad.length, 400, 'invalid_request']);
    }
    const prefixed = await post(gateway.url, asAlice, undefined, { ...body, comment: 'sr-idem:v1:forged' });
    expect(prefixed.status).toBe(400);
    const ok = await post(gateway.url, asAlice, undefined, body);
    expect(ok.status).toBe(201);
    const patch = await request(gateway.url).patch(`/v1/jobs/${ok.body.job_id}`).set('Authorization', asAlice).send({ comment: 'sr-idem:x' });
    expect(patch.status).toBe(400);
    // Too long once the token is added: refused before Slurm would refuse it.
    const long = await post(gateway.url, asAlice, 'long-comment', { ...body, comment: 'c'.repeat(1000) });
    expect(long.status).toBe(400);
  });
});

/** describe.each, or a skipped placeholder when SR_TEST_MODES leaves no row (jest refuses an empty table). */
const describeEach = (rows: Array<{ executor: string; application: string }>) =>
  (rows.length ? describe.each(rows) : describe.skip.each([{ executor: 'none', application: 'none' }]));

describeEach(modes().filter((m) => m.executor === 'external'))('sbatch retried, then succeeded: --executor=external --application=$application', ({ application }) => {
  // Fixture: a real Slurm prints this only when slurmctld refuses with EAGAIN (MaxJobCount reached,
  // or too busy), which cannot be made to happen on demand. The wrapper prints sbatch's own line
  // (src/sbatch/sbatch.c) to stderr, then execs the real sbatch, which creates the job.
  it('answers 201 with the job id sbatch printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scheduler-rest-bin-'));
    for (const tool of ['sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo', 'sacct', 'sdiag']) {
      const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      const pre = tool === 'sbatch' ? "echo 'sbatch: error: Slurm temporarily unable to accept job, sleeping and retrying' >&2\n" : '';
      writeFileSync(join(dir, tool), `#!/bin/sh\n${pre}exec ${real} "$@"\n`);
      chmodSync(join(dir, tool), 0o755);
    }
    const gateway = await startGateway([`--executor=external`, `--application=${application}`, '--parallel=2', `--slurm-bin-dir=${dir}`]);
    try {
      const name = uniqueName('retried');
      const res = await request(gateway.url).post('/v1/jobs').send({ script: HELD, name, hold: true });
      if (res.body?.job_id) created.add(res.body.job_id);
      expect([res.status, res.body.error?.code]).toEqual([201, undefined]);
      expect(jobsNamed(name).map((j) => j.id)).toEqual([res.body.job_id]);
    } finally {
      await gateway.stop();
    }
  });
});

describe.each(modes())('a controller that takes the submission and never answers: --executor=$executor --application=$application', ({ executor, application }) => {
  // Not a fixture executable: a TCP listener on the controller's port that reads and never replies,
  // which is what a slurmctld that dies (or hangs) after receiving the job looks like to a client.
  it('answers 502 submit_outcome_unknown at the deadline, with how to find out', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const server = createServer((s) => { sockets.push(s); s.on('data', () => {}); s.on('error', () => {}); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const conf = join(mkdtempSync(join(tmpdir(), 'scheduler-rest-silent-')), 'slurm.conf');
    writeFileSync(conf, readFileSync(process.env.SLURM_CONF!, 'utf8').replace(/^SlurmctldPort=.*$/m, `SlurmctldPort=${port}`));
    const gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=2', '--timeout=3'], { ...process.env, SLURM_CONF: conf });
    try {
      const started = Date.now();
      const res = await request(gateway.url).post('/v1/jobs').send({ script: HELD, hold: true });
      expect([res.status, res.body.error?.code]).toEqual([502, 'submit_outcome_unknown']);
      expect(res.headers['retry-after']).toBeUndefined();
      expect(res.body.error.message).toMatch(/Idempotency-Key/);
      // internal:inline blocks the event loop inside libslurm until its own MessageTimeout (10 s),
      // which then reads as a lost reply: the same answer, later.
      expect(Date.now() - started).toBeLessThan(executor === 'internal' && application === 'inline' ? 15_000 : 8000);
    } finally {
      await gateway.stop('SIGKILL');
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});

// Every mode whose submitting client can die alone: sbatch (external), a child process (internal).
const killable = modes().filter((m) => m.executor === 'external' || m.application === 'process');
describeEach(killable)('the submitting client dies after slurmctld took the job: --executor=$executor --application=$application', ({ executor, application }) => {
  it('answers 502 submit_outcome_unknown, and a retry with the same key answers the job that was created', async () => {
    const { killingProxy } = await import('../support/proxy.js');
    const realPort = Number(/^SlurmctldPort=(\d+)/m.exec(readFileSync(process.env.SLURM_CONF!, 'utf8'))![1]);
    const proxy = await killingProxy(realPort);
    const conf = join(mkdtempSync(join(tmpdir(), 'scheduler-rest-proxy-')), 'slurm.conf');
    writeFileSync(conf, readFileSync(process.env.SLURM_CONF!, 'utf8').replace(/^SlurmctldPort=.*$/m, `SlurmctldPort=${proxy.port}`));
    const gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=2'], { ...process.env, SLURM_CONF: conf });
    try {
      const name = uniqueName('lost');
      const key = `k-${name}`;
      const body = { script: HELD, name, hold: true };
      proxy.arm();
      const lost = await request(gateway.url).post('/v1/jobs').set('Idempotency-Key', key).send(body);
      expect([lost.status, lost.body.error?.code]).toEqual([502, 'submit_outcome_unknown']);
      expect(proxy.killed).toHaveLength(1);
      const jobs = jobsNamed(name);
      expect(jobs).toHaveLength(1); // slurmctld did create it
      jobs.forEach((j) => created.add(j.id));
      const retry = await request(gateway.url).post('/v1/jobs').set('Idempotency-Key', key).send(body);
      expect([retry.status, retry.body.job_id]).toEqual([200, jobs[0]!.id]);
      expect(jobsNamed(name)).toHaveLength(1);
    } finally {
      await gateway.stop('SIGKILL');
      await proxy.close();
    }
  });
});
