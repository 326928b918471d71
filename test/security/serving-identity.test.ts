/**
 * #13 under --auth=jwt, with the gateway as SECURITY.md deploys it: every answer `no-store`; a 304
 * only for an authenticated caller whose read ran; /metrics without a token, with no user name or
 * job id in it; a CORS preflight answered without a token for a listed origin only.
 */
import request from 'supertest';
import { availableExecutors } from '../support/executors.js';
import { modes, type Gateway } from '../support/gateway.js';
import { startServiceGateway, token } from '../support/identity.js';
import { uniqueName } from '../support/slurm.js';
import { parsePrometheus } from '../support/prometheus.js';

const ORIGIN = 'https://portal.example.org';

describe.each(availableExecutors().filter((e) => modes().some((m) => m.executor === e)))('#13 headers and metrics: --executor=%s --auth=jwt', (executor) => {
  let gateway: Gateway;
  let jobId: number | undefined;
  beforeAll(async () => { gateway = await startServiceGateway(executor, 'thread', [`--cors-origins=${ORIGIN}`]); });
  afterAll(async () => {
    if (jobId !== undefined) await request(gateway.url).delete(`/v1/jobs/${jobId}`).set('Authorization', `Bearer ${await token('alice')}`);
    await gateway.stop();
  });

  it('answers every request no-store, and 304 only to an authenticated caller', async () => {
    const alice = `Bearer ${await token('alice')}`;
    const name = uniqueName('jwt-etag');
    jobId = (await request(gateway.url).post('/v1/jobs').set('Authorization', alice).send({ script: '#!/bin/sh\ntrue\n', name, hold: true, time_limit: 1 }).expect(201)).body.job_id;
    const list = await request(gateway.url).get(`/v1/jobs?name=${name}`).set('Authorization', alice).expect(200);
    expect(list.headers['cache-control']).toBe('no-store');
    expect(list.body.jobs.map((j: { user: string }) => j.user)).toEqual(['alice']);
    const tag = list.headers.etag as string;
    expect(tag).toMatch(/^"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    const again = await request(gateway.url).get(`/v1/jobs?name=${name}`).set('Authorization', alice).set('If-None-Match', tag);
    expect(again.status).toBe(304);
    expect(again.headers['cache-control']).toBe('no-store');
    // No token: 401, whatever the tag says.
    const anonymous = await request(gateway.url).get(`/v1/jobs?name=${name}`).set('If-None-Match', tag);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['cache-control']).toBe('no-store');
    expect(anonymous.headers.etag).toBeUndefined();
    for (const path of ['/v1/nodes', '/v1/partitions']) {
      expect((await request(gateway.url).get(path).set('Authorization', alice).expect(200)).headers['cache-control']).toBe('no-store');
    }
  });

  it('serves /metrics without a token, with route templates and no user name or job id', async () => {
    const alice = `Bearer ${await token('alice')}`;
    await request(gateway.url).get('/v1/jobs').set('Authorization', alice).expect(200);
    if (jobId !== undefined) await request(gateway.url).get(`/v1/jobs/${jobId}`).set('Authorization', alice).expect(200);
    await request(gateway.url).get('/v1/users/alice').set('Authorization', alice);
    const metrics = await request(gateway.url).get('/metrics').expect(200);
    expect(metrics.headers['cache-control']).toBe('no-store');
    const families = parsePrometheus(metrics.text);
    const values = families.flatMap((f) => f.metrics.flatMap((m) => Object.values(m.labels ?? {})));
    expect(values).toContain('/v1/jobs/:id');
    expect(values).toContain('/v1/users/:name');
    for (const value of values) {
      expect(value).not.toMatch(/alice/);
      if (jobId !== undefined) expect(value).not.toContain(String(jobId));
    }
  });

  it('answers a preflight without a token for a listed origin, and gives another origin nothing', async () => {
    const preflight = await request(gateway.url).options('/v1/jobs').set('Origin', ORIGIN)
      .set('Access-Control-Request-Method', 'GET').set('Access-Control-Request-Headers', 'authorization');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
    const other = await request(gateway.url).options('/v1/jobs').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'GET');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // The request itself still needs its token.
    const noToken = await request(gateway.url).get('/v1/jobs').set('Origin', ORIGIN);
    expect(noToken.status).toBe(401);
  });
});
