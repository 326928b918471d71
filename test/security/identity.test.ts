/**
 * Identity end to end, against the real cluster, in every executor x dispatch combination: the
 * gateway runs as the unprivileged service user with --auth=jwt, callers are alice and bob with
 * tokens made from the cluster's key, and Slurm is the judge of what each may do.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import request from 'supertest';
import { modes, type Gateway } from '../support/gateway.js';
import { account, otherKey, rs256Token, startServiceGateway, token, unsignedToken } from '../support/identity.js';
import { FINISHED, uniqueName } from '../support/slurm.js';

const alice = account('alice');
const bob = account('bob');
const HELD = '#!/bin/bash\nsleep 600\n';

async function waitFinished(url: string, auth: string, id: number): Promise<any> {
  const until = Date.now() + 60_000;
  let job: any;
  while (Date.now() < until) {
    const res = await request(url).get(`/v1/jobs/${id}`).set('Authorization', auth);
    if (res.status === 200) {
      job = res.body;
      if (FINISHED.includes(job.state)) return job;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`job ${id} did not finish in 60 s: ${JSON.stringify(job)}`);
}

describe.each(modes())('identity: --executor=$executor --application=$application --auth=jwt', ({ executor, application }) => {
  let gateway: Gateway;
  let asAlice: string;
  let asBob: string;
  const created: number[] = [];
  const files: string[] = [];

  beforeAll(async () => {
    gateway = await startServiceGateway(executor, application);
    asAlice = `Bearer ${await token('alice')}`;
    asBob = `Bearer ${await token('bob')}`;
  });

  afterAll(async () => {
    if (created.length) execFileSync('scancel', created.map(String), { stdio: 'ignore' });
    for (const f of files) rmSync(f, { force: true });
    await gateway?.stop();
  });

  const submit = async (auth: string, body: object) => {
    const res = await request(gateway.url).post('/v1/jobs').set('Authorization', auth).send(body);
    if (res.status === 201) created.push(res.body.job_id);
    return res;
  };

  test('no token, a malformed one, another key, expired, alg none: 401 and nothing runs', async () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['missing', {}, /token is required/],
      ['not a JWT', { Authorization: 'Bearer not-a-token' }, /not a JWT/],
      ['not Bearer', { Authorization: 'Basic YWxpY2U6eA==' }, /Bearer/],
      ['another key', { Authorization: `Bearer ${await token('alice', { key: otherKey() })}` }, /signature does not verify/],
      ['expired', { Authorization: `Bearer ${await token('alice', { lifespan: -60 })}` }, /expired/],
      ['alg none', { Authorization: `Bearer ${unsignedToken('alice')}` }, /alg "none"/],
    ];
    for (const [name, headers, message] of cases) {
      for (const [method, path] of [['get', '/v1/jobs'], ['post', '/v1/jobs'], ['delete', '/v1/jobs/1'], ['get', '/v1/health']] as const) {
        const res = await request(gateway.url)[method](path).set(headers).send(method === 'post' ? { script: HELD, name: uniqueName('unauth'), hold: true } : undefined);
        expect({ name, path, status: res.status }).toEqual({ name, path, status: 401 });
        expect(res.body.error.code).toBe('unauthorized');
        expect(res.body.error.message).toMatch(message);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }
    // Nothing was submitted by any of them.
    const res = await request(gateway.url).get('/v1/jobs?name=unauth').set('Authorization', asAlice);
    expect(res.status).toBe(200);
  });

  test("slurmrestd's headers work; a name that is not the token's user is refused; root never", async () => {
    const ok = await request(gateway.url).get('/v1/jobs').set({ 'X-SLURM-USER-NAME': 'alice', 'X-SLURM-USER-TOKEN': await token('alice') });
    expect(ok.status).toBe(200);
    const other = await request(gateway.url).get('/v1/jobs').set({ 'X-SLURM-USER-NAME': 'bob', 'X-SLURM-USER-TOKEN': await token('alice') });
    expect(other.status).toBe(401);
    expect(other.body.error.message).toMatch(/token is for user alice/);
    const root = await request(gateway.url).get('/v1/jobs').set('Authorization', `Bearer ${await token('root')}`);
    expect(root.status).toBe(403);
    expect(root.body.error.message).toMatch(/never acts as root/);
    const nobody = await request(gateway.url).get('/v1/jobs').set('Authorization', `Bearer ${await token('no-such-user-xyz')}`);
    expect(nobody.status).toBe(403);
  });

  test('an RS256 token from the JWKS (as an OIDC provider issues them) acts as its user; an unknown kid is 401', async () => {
    const auth = `Bearer ${await rs256Token('alice')}`;
    const res = await submit(auth, { script: HELD, name: uniqueName('oidc'), hold: true });
    expect(res.status).toBe(201);
    const job = await request(gateway.url).get(`/v1/jobs/${res.body.job_id}`).set('Authorization', auth);
    expect(job.body.user).toBe('alice');
    expect((await request(gateway.url).delete(`/v1/jobs/${res.body.job_id}`).set('Authorization', auth)).status).toBe(202);
    const unknown = await request(gateway.url).get('/v1/jobs').set('Authorization', `Bearer ${await rs256Token('alice', { kid: 'other' })}`);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toMatch(/No key in the gateway's JWKS/);
  });

  test("alice's job runs as alice (Slurm's record and `id` inside the job) with exactly its environment; only alice reads its output", async () => {
    const environment = { FOO: 'a,b c=d', BAR: "it's $(not) run" };
    const res = await submit(asAlice, { script: '#!/bin/bash\nid -un\nid -u\necho "HOME=$HOME"\necho "FOO=$FOO"\necho "BAR=$BAR"\n', name: uniqueName('whoami'), environment });
    expect(res.status).toBe(201);
    const job = await waitFinished(gateway.url, asAlice, res.body.job_id);
    expect(job.user).toBe('alice');
    expect(job.state).toBe('COMPLETED');
    expect(job.working_directory).toBe(alice.home);
    files.push(job.stdout_path);

    const out = await request(gateway.url).get(`/v1/jobs/${job.job_id}/stdout`).set('Authorization', asAlice);
    expect(out.status).toBe(200);
    expect(out.body.content).toBe(`alice\n${alice.uid}\nHOME=${alice.home}\nFOO=${environment.FOO}\nBAR=${environment.BAR}\n`);
    expect(out.body).toMatchObject({ job_id: job.job_id, stream: 'stdout', path: job.stdout_path, offset: 0, eof: true });

    const denied = await request(gateway.url).get(`/v1/jobs/${job.job_id}/stdout`).set('Authorization', asBob);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/belongs to alice/);
  });

  test("bob cannot cancel, hold, release, update or signal alice's job (Slurm's verdict); alice can", async () => {
    const res = await submit(asAlice, { script: HELD, name: uniqueName('mine'), hold: true });
    expect(res.status).toBe(201);
    const id = res.body.job_id;
    const attempts = [
      request(gateway.url).delete(`/v1/jobs/${id}`).set('Authorization', asBob),
      request(gateway.url).delete(`/v1/jobs/${id}?signal=USR1`).set('Authorization', asBob),
      request(gateway.url).post(`/v1/jobs/${id}/release`).set('Authorization', asBob),
      request(gateway.url).post(`/v1/jobs/${id}/hold`).set('Authorization', asBob),
      request(gateway.url).patch(`/v1/jobs/${id}`).set('Authorization', asBob).send({ name: 'stolen' }),
    ];
    for (const denied of await Promise.all(attempts)) {
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe('forbidden');
      expect(denied.body.error.message).toMatch(/denied|not authorized|permission|Invalid user id/i);
    }
    const still = await request(gateway.url).get(`/v1/jobs/${id}`).set('Authorization', asAlice);
    expect(still.body).toMatchObject({ user: 'alice', state: 'PENDING' });
    expect(still.body.name).not.toBe('stolen');

    const renamed = await request(gateway.url).patch(`/v1/jobs/${id}`).set('Authorization', asAlice).send({ comment: 'mine' });
    expect(renamed.status).toBe(200);
    expect((await request(gateway.url).delete(`/v1/jobs/${id}`).set('Authorization', asAlice)).status).toBe(202);
  });

  test('suspending or resuming her own job, alice (no operator) gets 403 and the job is unchanged; a pending one is 409', async () => {
    // Slurm 22.05's reply to a token caller's suspend is unreadable (signed with munge), so the
    // gateway decides from the job's state afterwards (src/slurm/suspend-reply.ts; issue #9).
    const running = await submit(asAlice, { script: '#!/bin/bash\nsleep 120\n', name: uniqueName('nosuspend') });
    expect(running.status).toBe(201);
    const id = running.body.job_id;
    for (const until = Date.now() + 30_000; ;) {
      const job = await request(gateway.url).get(`/v1/jobs/${id}`).set('Authorization', asAlice);
      if (job.body.state === 'RUNNING') break;
      if (Date.now() > until) throw new Error(`job ${id} did not start: ${JSON.stringify(job.body)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const denied = await request(gateway.url).post(`/v1/jobs/${id}/suspend`).set('Authorization', asAlice);
    expect([denied.status, denied.body.error?.code]).toEqual([403, 'forbidden']);
    expect(denied.body.error.message).toMatch(/only operators and administrators may suspend/);
    expect(denied.headers['retry-after']).toBeUndefined();
    expect((await request(gateway.url).get(`/v1/jobs/${id}`).set('Authorization', asAlice)).body.state).toBe('RUNNING');
    const resume = await request(gateway.url).post(`/v1/jobs/${id}/resume`).set('Authorization', asAlice);
    expect([resume.status, resume.body.error?.code]).toEqual([409, 'invalid_job_state']);
    const held = await submit(asAlice, { script: HELD, name: uniqueName('nosuspend-held'), hold: true });
    const pending = await request(gateway.url).post(`/v1/jobs/${held.body.job_id}/suspend`).set('Authorization', asAlice);
    expect([pending.status, pending.body.error?.code]).toEqual([409, 'invalid_job_state']);
  });

  test('under concurrent mixed load, every request acts as its own caller', async () => {
    const callers: Array<[string, string]> = Array.from({ length: 24 }, (_, i) => (i % 2 ? ['bob', asBob] : ['alice', asAlice]));
    const results = await Promise.all(callers.map(async ([user, auth], i) => {
      const [sub, list] = await Promise.all([
        submit(auth, { script: HELD, name: uniqueName(`mixed-${user}`), hold: true }),
        request(gateway.url).get(`/v1/jobs?user=${user}`).set('Authorization', auth),
      ]);
      return { user, auth, i, sub, list };
    }));
    for (const { user, sub, list } of results) {
      expect(sub.status).toBe(201);
      expect(list.status).toBe(200);
      expect(list.body.jobs.every((j: any) => j.user === user)).toBe(true);
    }
    // Read back concurrently, each caller its own job, then each cancels its own.
    const owners = await Promise.all(results.map(({ auth, sub }) => request(gateway.url).get(`/v1/jobs/${sub.body.job_id}`).set('Authorization', auth)));
    owners.forEach((res, i) => expect(res.body.user).toBe(results[i]!.user));
    const cancels = await Promise.all(results.map(({ auth, sub }) => request(gateway.url).delete(`/v1/jobs/${sub.body.job_id}`).set('Authorization', auth)));
    expect(cancels.map((c) => c.status)).toEqual(results.map(() => 202));
    // And Slurm's own record agrees: squeue, as root, shows each job's owner.
    const owner = new Map(execFileSync('squeue', ['-h', '-t', 'all', '-o', '%i %u', '-j', results.map((r) => r.sub.body.job_id).join(',')], { encoding: 'utf8' })
      .trim().split('\n').map((line) => line.trim().split(/\s+/) as [string, string]));
    for (const { user, sub } of results) expect(owner.get(String(sub.body.job_id))).toBe(user);
    void bob;
  });
});
