/**
 * #13's HTTP behaviour through the real gateway and the private cluster: strong ETags from the
 * body and 304s that change exactly when the data does, Cache-Control, Prometheus metrics that
 * parse and count what was sent (on the main port and on their own), CORS for a listed origin
 * only, compression above the threshold only, and list pages that refuse foreign cursors.
 * One mode per executor: external with coroutine, internal with thread.
 */
import { createHash } from 'node:crypto';
import { get, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { startGateway, type Gateway } from '../support/gateway.js';
import { uniqueName } from '../support/slurm.js';
import { availableExecutors } from '../support/executors.js';
import { parsePrometheus, sample } from '../support/prometheus.js';

const HELD = { script: '#!/bin/sh\ntrue\n', hold: true, time_limit: 1 };
const ALLOWED = 'https://portal.example.org';

/** A GET as bytes: no client decompresses or drops headers behind the test's back. */
function raw(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

/** The strong ETag the `etag` package makes of these bytes: length and SHA-1. */
const etagOf = (body: Buffer) => `"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64').slice(0, 27)}"`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const combos = availableExecutors().map((executor) => ({ executor, application: executor === 'internal' ? 'thread' : 'coroutine' }));

describe.each(combos)('--executor=$executor --application=$application: HTTP as proxies and browsers expect', ({ executor, application }) => {
  let gateway: Gateway;
  const mode = [`--executor=${executor}`, `--application=${application}`, '--parallel=2'];
  const submitted: number[] = [];
  beforeAll(async () => { gateway = await startGateway([...mode, `--cors-origins=${ALLOWED},http://localhost:3000`]); });
  afterAll(async () => {
    for (const id of submitted) await request(gateway.url).delete(`/v1/jobs/${id}`);
    expect(await gateway.stop()).toBe(0);
  });
  const submit = async (name: string) => {
    const id = (await request(gateway.url).post('/v1/jobs').send({ ...HELD, name }).expect(201)).body.job_id as number;
    submitted.push(id);
    return id;
  };

  describe('ETag and 304', () => {
    it('tags the body bytes, answers 304 while they stay, and a new tag once a job is submitted or changed', async () => {
      const name = uniqueName('etag');
      const first = await submit(name);
      const url = `${gateway.url}/v1/jobs?name=${name}`;
      const a = await raw(url);
      expect(a.status).toBe(200);
      expect(a.headers.etag).toBe(etagOf(a.body));
      expect(a.headers['cache-control']).toBe('no-cache');

      const unchanged = await raw(url, { 'If-None-Match': a.headers.etag! });
      expect(unchanged.status).toBe(304);
      expect(unchanged.body.length).toBe(0);
      expect(unchanged.headers.etag).toBe(a.headers.etag);

      await submit(name);
      const b = await raw(url, { 'If-None-Match': a.headers.etag! });
      expect(b.status).toBe(200);
      expect(b.headers.etag).toBe(etagOf(b.body));
      expect(b.headers.etag).not.toBe(a.headers.etag);
      expect(JSON.parse(b.body.toString()).jobs).toHaveLength(2);
      expect((await raw(url, { 'If-None-Match': b.headers.etag! })).status).toBe(304);

      // Same jobs, one field changed: another tag.
      await request(gateway.url).patch(`/v1/jobs/${first}`).send({ time_limit: 2 }).expect(200);
      const c = await raw(url, { 'If-None-Match': b.headers.etag! });
      expect(c.status).toBe(200);
      expect(c.headers.etag).not.toBe(b.headers.etag);
      expect(JSON.parse(c.body.toString()).jobs.find((j: { job_id: number }) => j.job_id === first).time_limit).toBe(2);

      // The whole queue too: a submission changes its tag.
      const all = await raw(`${gateway.url}/v1/jobs`);
      await submit(name);
      const after = await raw(`${gateway.url}/v1/jobs`, { 'If-None-Match': all.headers.etag! });
      expect(after.status).toBe(200);
      expect(after.headers.etag).not.toBe(all.headers.etag);
    });

    it('answers 304 on nodes, partitions and one job, never on an error, and a list tag is refused by another list', async () => {
      const id = await submit(uniqueName('etag-one'));
      for (const path of ['/v1/nodes', '/v1/partitions', `/v1/jobs/${id}`]) {
        const a = await raw(`${gateway.url}${path}`);
        expect(a.headers.etag).toBe(etagOf(a.body));
        expect((await raw(`${gateway.url}${path}`, { 'If-None-Match': a.headers.etag! })).status).toBe(304);
        expect((await raw(`${gateway.url}${path}`, { 'If-None-Match': '"0-other"' })).status).toBe(200);
      }
      const nodes = await raw(`${gateway.url}/v1/nodes`);
      expect((await raw(`${gateway.url}/v1/partitions`, { 'If-None-Match': nodes.headers.etag! })).status).toBe(200);
      const missing = await raw(`${gateway.url}/v1/nodes/no-such-node`, { 'If-None-Match': '*' });
      expect(missing.status).toBe(404);
      expect(missing.headers.etag).toBeUndefined();
    });
  });

  describe('metrics', () => {
    it('parses as Prometheus text, and its counters match the requests sent', async () => {
      const scrape = async () => parsePrometheus((await request(gateway.url).get('/metrics').expect(200).expect('Content-Type', /text\/plain/)).text);
      const before = await scrape();
      for (let i = 0; i < 5; i++) await request(gateway.url).get('/v1/partitions').expect(200);
      for (let i = 0; i < 3; i++) await request(gateway.url).get(`/v1/nodes/no-such-node-${i}`).expect(404);
      for (let i = 0; i < 2; i++) await request(gateway.url).get('/v1/jobs?state=SLEEPING').expect(400);
      await request(gateway.url).get('/no/such/route').expect(404);
      const after = await scrape();
      const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);

      expect(delta('scheduler_rest_http_requests_total', { route: '/v1/partitions', method: 'GET', status: '200' })).toBe(5);
      expect(delta('scheduler_rest_http_requests_total', { route: '/v1/nodes/:name', method: 'GET', status: '404' })).toBe(3);
      expect(delta('scheduler_rest_http_requests_total', { route: '/v1/jobs', method: 'GET', status: '400' })).toBe(2);
      expect(delta('scheduler_rest_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
      expect(delta('scheduler_rest_commands_total', { kind: 'partitions.list', outcome: 'ok' })).toBe(5);
      // Latency histograms (the parser keeps a labelled histogram's buckets, not its label sets).
      for (const name of ['scheduler_rest_http_request_duration_seconds', 'scheduler_rest_command_duration_seconds']) {
        expect(after.find((f) => f.name === name)).toMatchObject({ type: 'HISTOGRAM', metrics: [{ buckets: expect.objectContaining({ '0.001': expect.any(String), '+Inf': expect.any(String) }) }] });
      }
      // Through the internal executor one node is read from the validated node list: the command
      // is nodes.list.since, and the 404 is the gateway's, from that list.
      if (executor === 'internal') expect(delta('scheduler_rest_commands_total', { kind: 'nodes.list.since', outcome: 'ok' })).toBe(3);
      else expect(delta('scheduler_rest_commands_total', { kind: 'nodes.get', outcome: 'node_not_found' })).toBe(3);
      // A request refused at the edge never reaches the scheduler.
      expect(delta('scheduler_rest_commands_total', { kind: 'jobs.list' }) + delta('scheduler_rest_commands_total', { kind: 'jobs.list.since' })).toBe(0);
      // Node's own metrics, and the gauges.
      expect(sample(after, 'scheduler_rest_process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(sample(after, 'scheduler_rest_commands_concurrency')).toBe(2);
      expect(after.find((f) => f.name === 'scheduler_rest_http_requests_in_flight')?.type).toBe('GAUGE');
      expect(after.find((f) => f.name === 'scheduler_rest_commands_waiting')?.metrics[0]?.value).toBe('0');
      if (application === 'thread') expect(sample(after, 'scheduler_rest_pool_workers')).toBe(2);
      // Labels are templates, kinds and codes: no raw path, job id or user name.
      const routes = new Set(after.flatMap((f) => f.metrics.map((m) => m.labels?.route)).filter((r): r is string => r !== undefined));
      for (const route of routes) expect(route).toMatch(/^(unmatched|\/v1(\/[a-z]+|\/:[a-z]+)*)$/);
    });

    it('counts each identical read in flight once: a call or a join', async () => {
      const scrape = async () => parsePrometheus((await request(gateway.url).get('/metrics')).text);
      const before = await scrape();
      const answers = await Promise.all(Array.from({ length: 20 }, () => request(gateway.url).get('/v1/nodes')));
      for (const a of answers) expect(a.status).toBe(200);
      const after = await scrape();
      const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
      // Through the internal executor a call is a validated list (nodes.list.since).
      const calls = delta('scheduler_rest_commands_total', { kind: 'nodes.list' }) + delta('scheduler_rest_commands_total', { kind: 'nodes.list.since' });
      expect(calls + delta('scheduler_rest_coalesced_reads_total', { kind: 'nodes.list' })).toBe(20);
    });

    if (executor === 'internal') {
      it('counts validated job lists: one outcome per list, changed after a submission, unchanged once slurmctld says so', async () => {
        const scrape = async () => parsePrometheus((await request(gateway.url).get('/metrics')).text);
        const count = (families: ReturnType<typeof parsePrometheus>, outcome: string) => sample(families, 'scheduler_rest_revalidated_lists_total', { outcome, list: 'jobs' });
        const name = uniqueName('revalidate');
        await submit(name);
        const before = await scrape();
        const first = await request(gateway.url).get(`/v1/jobs?name=${name}`).expect(200);
        const middle = await scrape();
        expect(count(middle, 'changed') - count(before, 'changed')).toBe(1); // a new filter: nothing kept yet
        // slurmctld's last_update has a one-second grain: "unchanged" comes once that second has passed.
        let unchanged = 0;
        for (let i = 0; i < 20 && unchanged === 0; i++) {
          const again = await request(gateway.url).get(`/v1/jobs?name=${name}`).expect(200);
          expect(again.body).toEqual(first.body);
          unchanged = count(await scrape(), 'unchanged') - count(middle, 'unchanged');
          if (unchanged === 0) await new Promise((resolve) => setTimeout(resolve, 250));
        }
        expect(unchanged).toBe(1);
        const settled = await scrape();
        await submit(name);
        await request(gateway.url).get(`/v1/jobs?name=${name}`).expect(200);
        const after = await scrape();
        expect(count(after, 'changed') - count(settled, 'changed')).toBe(1);
        expect(count(after, 'unchanged') - count(settled, 'unchanged')).toBe(0);
      });
    }

    it('serves metrics on their own port with --metrics=<port>, and not at all with --metrics=off', async () => {
      const port = await freePort();
      const apart = await startGateway([...mode, `--metrics=${port}`]);
      try {
        await request(apart.url).get('/metrics').expect(404);
        await request(apart.url).get('/v1/partitions').expect(200);
        const families = parsePrometheus((await request(`http://127.0.0.1:${port}`).get('/metrics').expect(200)).text);
        expect(sample(families, 'scheduler_rest_http_requests_total', { route: '/v1/partitions', status: '200' })).toBe(1);
        await request(`http://127.0.0.1:${port}`).get('/v1/partitions').expect(404);
      } finally {
        expect(await apart.stop()).toBe(0);
      }
      const off = await startGateway([...mode, '--metrics=off']);
      try {
        await request(off.url).get('/metrics').expect(404);
      } finally {
        expect(await off.stop()).toBe(0);
      }
    });
  });

  describe('CORS', () => {
    it('answers a preflight from a listed origin, with credentials, and not one from another origin', async () => {
      const allowed = await request(gateway.url).options('/v1/jobs').set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');
      expect(allowed.status).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');
      expect(allowed.headers['access-control-allow-methods']).toContain('POST');
      expect(allowed.headers['access-control-allow-headers']).toMatch(/Authorization/);
      expect(allowed.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/);

      const refused = await request(gateway.url).options('/v1/jobs').set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      expect(refused.headers['access-control-allow-credentials']).toBeUndefined();
      // A look-alike of a listed origin is another origin.
      const alike = await request(gateway.url).options('/v1/jobs').set('Origin', `${ALLOWED}.evil.example`).set('Access-Control-Request-Method', 'GET');
      expect(alike.headers['access-control-allow-origin']).toBeUndefined();

      const get = await request(gateway.url).get('/v1/partitions').set('Origin', ALLOWED).expect(200);
      expect(get.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(get.headers['access-control-expose-headers']).toMatch(/ETag/);
      expect(get.headers.vary).toMatch(/Origin/);
      expect((await request(gateway.url).get('/v1/partitions').set('Origin', 'https://evil.example').expect(200)).headers['access-control-allow-origin']).toBeUndefined();
    });

    it('is off by default: no origin gets a CORS header', async () => {
      const plain = await startGateway([...mode, '--metrics=off']);
      try {
        const preflight = await request(plain.url).options('/v1/jobs').set('Origin', ALLOWED).set('Access-Control-Request-Method', 'GET');
        expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
        expect((await request(plain.url).get('/v1/partitions').set('Origin', ALLOWED).expect(200)).headers['access-control-allow-origin']).toBeUndefined();
      } finally {
        expect(await plain.stop()).toBe(0);
      }
    });
  });

  describe('compression', () => {
    it('compresses an answer above the threshold (gzip, br) and not one below, with the same bytes inside', async () => {
      const name = uniqueName('gzip');
      for (let i = 0; i < 3; i++) await submit(name);
      const url = `${gateway.url}/v1/jobs?name=${name}`;
      const identity = await raw(url);
      expect(identity.body.length).toBeGreaterThan(1024);
      expect(identity.headers['content-encoding']).toBeUndefined();
      const gzip = await raw(url, { 'Accept-Encoding': 'gzip' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gzip.headers.vary).toMatch(/Accept-Encoding/);
      expect(gunzipSync(gzip.body).equals(identity.body)).toBe(true);
      expect(gzip.headers.etag).toBe(identity.headers.etag);
      const br = await raw(url, { 'Accept-Encoding': 'br' });
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(br.body).equals(identity.body)).toBe(true);

      const small = await raw(`${gateway.url}/v1/partitions`, { 'Accept-Encoding': 'gzip, br' });
      expect(small.body.length).toBeLessThan(1024);
      expect(small.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(small.body.toString()).partitions.length).toBeGreaterThan(0);
    });

    it('never compresses with --no-compress', async () => {
      const plain = await startGateway([...mode, '--no-compress']);
      try {
        const jobs = await raw(`${plain.url}/v1/jobs`, { 'Accept-Encoding': 'gzip, br' });
        expect(jobs.body.length).toBeGreaterThan(1024); // the jobs this suite submitted
        expect(jobs.headers['content-encoding']).toBeUndefined();
        expect(Array.isArray(JSON.parse(jobs.body.toString()).jobs)).toBe(true);
      } finally {
        expect(await plain.stop()).toBe(0);
      }
    });
  });

  describe('pages', () => {
    it('answers lists whole without a limit, pages with one, and refuses foreign or edited cursors', async () => {
      const name = uniqueName('pages');
      const ids = [await submit(name), await submit(name), await submit(name)];
      const whole = await request(gateway.url).get(`/v1/jobs?name=${name}`).expect(200);
      expect(Object.keys(whole.body)).toEqual(['jobs']);
      expect(whole.headers.link).toBeUndefined();

      const first = await request(gateway.url).get(`/v1/jobs?name=${name}&limit=2`).expect(200);
      expect(first.body.jobs.map((j: { job_id: number }) => j.job_id)).toEqual(ids.slice(0, 2));
      const cursor = first.body.next_cursor as string;
      expect(first.headers.link).toBe(`</v1/jobs?name=${name}&limit=2&cursor=${cursor}>; rel="next"`);
      const second = await request(gateway.url).get(`/v1/jobs?name=${name}&limit=2&cursor=${cursor}`).expect(200);
      expect(second.body).toMatchObject({ next_cursor: null });
      expect(second.body.jobs.map((j: { job_id: number }) => j.job_id)).toEqual(ids.slice(2));
      expect(second.headers.link).toBeUndefined();

      const refused = async (path: string, message: RegExp) => {
        const answer = await request(gateway.url).get(path).expect(400);
        expect(answer.body.error).toMatchObject({ code: 'invalid_request' });
        expect(answer.body.error.message).toMatch(message);
      };
      await refused(`/v1/nodes?limit=2&cursor=${cursor}`, /made for GET \/v1\/jobs, not GET \/v1\/nodes/);
      await refused(`/v1/jobs?limit=2&cursor=${cursor}`, /other filters/);
      const [payload, check] = cursor.split('.');
      const edited = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), after: 1 })).toString('base64url');
      await refused(`/v1/jobs?name=${name}&limit=2&cursor=${edited}.${check}`, /not a cursor/);
      await refused(`/v1/jobs?name=${name}&limit=2&cursor=garbage`, /not a cursor/);
      await refused(`/v1/jobs?limit=1001`, /at most 1000/);
      await refused(`/v1/partitions?limit=0`, /at least 1/);
      await refused(`/v1/partitions?offset=2`, /unknown field/);
      const page = await request(gateway.url).get('/v1/partitions?limit=1').expect(200);
      expect(page.body.partitions).toHaveLength(1);
      expect(page.headers.link).toMatch(/^<\/v1\/partitions\?limit=1&cursor=[^>]+>; rel="next"$/);
    });

    it('applies --page-limit when a request gives no limit', async () => {
      const paged = await startGateway([...mode, '--page-limit=1', '--metrics=off']);
      try {
        const first = await request(paged.url).get('/v1/partitions').expect(200);
        expect(first.body.partitions).toHaveLength(1);
        expect(typeof first.body.next_cursor).toBe('string');
        const second = await request(paged.url).get(`/v1/partitions?cursor=${first.body.next_cursor}`).expect(200);
        expect(second.body.partitions).toHaveLength(1);
        expect(second.body.partitions[0].name > first.body.partitions[0].name).toBe(true);
      } finally {
        expect(await paged.stop()).toBe(0);
      }
    });
  });
});
