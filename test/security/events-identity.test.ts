/**
 * #15 under --auth=jwt, the gateway as SECURITY.md deploys it (service user), with
 * PrivateData=jobs in slurm.conf: each stream is fed by a poll made with its caller's own token,
 * so bob's streams carry none of alice's job events, whatever his filters say, and her job's
 * output cannot be followed by him; a stream ends when its token expires.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { availableExecutors } from '../support/executors.js';
import { modes, type Gateway } from '../support/gateway.js';
import { ensureAssociations, startServiceGateway, token } from '../support/identity.js';
import { dataOf, openSse as openAny, type SseEvent, type SseStream } from '../support/sse.js';
import { buildDocument } from '../../src/http/openapi/document.js';

/** Answers are checked against the document as --auth=jwt serves it (401 and 403 on every route). */
const JWT_DOCUMENT = buildDocument({ version: 'any', auth: 'jwt' }) as Record<string, any>;
const openSse = (base: string, path: string, headers: Record<string, string> = {}) => openAny(base, path, headers, JWT_DOCUMENT);

const jobEvents = (events: SseEvent[], id?: number) => events.filter((e) => e.event.startsWith('job.') && (id === undefined || JSON.parse(e.data).job_id === id));
const running = (id: number) => (all: SseEvent[]) => jobEvents(all, id).some((e) => e.event === 'job.state' && JSON.parse(e.data).new_state === 'RUNNING');
const finished = (id: number) => (all: SseEvent[]) => jobEvents(all, id).some((e) => e.event === 'job.finished');

describe.each(availableExecutors().filter((e) => modes().some((m) => m.executor === e)))('events as the caller, PrivateData=jobs: --executor=%s --auth=jwt', (executor) => {
  const conf = process.env.SLURM_CONF!;
  let original = '';
  let gateway: Gateway;
  let dir: string;
  const streams: SseStream[] = [];
  const submitted: number[] = [];
  beforeAll(async () => {
    ensureAssociations();
    original = readFileSync(conf, 'utf8');
    writeFileSync(conf, `${original.trimEnd()}\nPrivateData=jobs\n`);
    execFileSync('scontrol', ['reconfigure']);
    gateway = await startServiceGateway(executor, 'thread', ['--events-poll=0.5']);
    dir = mkdtempSync(join(tmpdir(), 'sr-events-jwt-'));
    chmodSync(dir, 0o755);
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    // A failed test must not leave its jobs waiting forever for their go file on the only node.
    if (submitted.length > 0) execFileSync('scancel', submitted.map(String));
    await gateway?.stop();
    writeFileSync(conf, original);
    execFileSync('scontrol', ['reconfigure']);
    rmSync(dir, { recursive: true, force: true });
  });

  const as = async (user: string) => ({ Authorization: `Bearer ${await token(user)}` });
  const open = async (user: string, path: string) => {
    const s = await openSse(gateway.url, path, await as(user));
    streams.push(s);
    return s;
  };
  const submit = async (user: string, name: string) => {
    const res = await request(gateway.url).post('/v1/jobs').set(await as(user))
      .send({ name, script: `#!/bin/bash\necho started\nwhile [ ! -e ${dir}/go-${name} ]; do [ -d ${dir} ] || exit 3; sleep 0.2; done\necho done\n` });
    expect(res.status).toBe(201);
    submitted.push(res.body.job_id);
    return res.body.job_id as number;
  };

  it('needs a token (401 JSON, no stream)', async () => {
    const res = await openSse(gateway.url, '/v1/events');
    expect([res.status, res.body.error.code]).toEqual([401, 'unauthorized']);
  });

  it("bob's streams get none of alice's job events (filters cannot widen them) and he cannot follow her output; alice gets hers", async () => {
    const alice = await open('alice', '/v1/events');
    const bob = await open('bob', '/v1/events');
    const bobAsksForAlice = await open('bob', '/v1/events?user=alice');
    const a = await submit('alice', 'ev-alice');
    const bobAsksForHerJob = await open('bob', `/v1/events?job_id=${a}`);
    const b = await submit('bob', 'ev-bob');
    await alice.waitFor(running(a));
    await bob.waitFor(running(b));

    // Her output: she follows it; bob cannot (Slurm hides the job from him: 404; without PrivateData, 403).
    const hers = await open('alice', `/v1/jobs/${a}/stdout?follow=true`);
    expect(hers.status).toBe(200);
    await hers.waitFor((all) => dataOf(all, 'output').map((d) => d.content).join('') === 'started\n');
    const his = await openSse(gateway.url, `/v1/jobs/${a}/stdout?follow=true`, await as('bob'));
    expect([404, 403]).toContain(his.status);
    expect(his.body.error).toBeDefined();

    // Her job ends first; his after, so his feed has polled through the whole of hers.
    writeFileSync(join(dir, 'go-ev-alice'), '');
    await alice.waitFor(finished(a));
    await hers.waitFor((all) => all.some((e) => e.event === 'eof'));
    expect(dataOf(hers.events, 'output').map((d) => d.content).join('')).toBe('started\ndone\n');
    writeFileSync(join(dir, 'go-ev-bob'), '');
    await bob.waitFor(finished(b));

    expect(jobEvents(bob.events, a)).toEqual([]);
    expect(jobEvents(bobAsksForAlice.events)).toEqual([]);
    expect(jobEvents(bobAsksForHerJob.events)).toEqual([]);
    expect(jobEvents(alice.events, b)).toEqual([]);
    // Each saw their own job's whole life.
    expect(jobEvents(alice.events, a).map((e) => e.event)).toEqual(expect.arrayContaining(['job.submitted', 'job.state', 'job.finished']));
    expect(jobEvents(bob.events, b).map((e) => e.event)).toEqual(expect.arrayContaining(['job.submitted', 'job.state', 'job.finished']));
  });

  it('a stream ends, cleanly, when the token that opened it expires', async () => {
    const short = await openSse(gateway.url, '/v1/events', { Authorization: `Bearer ${await token('bob', { lifespan: 3 })}` });
    streams.push(short);
    expect(short.status).toBe(200);
    expect(await short.closed).toBe('end');
  });

  it("one user cannot hold every stream: alice's third is 429 too_many_user_streams, bob still gets his, and a closed one frees her slot", async () => {
    const small = await startServiceGateway(executor, 'thread', ['--events-poll=0.5', '--events-max-streams=10', '--events-max-streams-per-user=2']);
    const mine: SseStream[] = [];
    try {
      const headers = { alice: await as('alice'), bob: await as('bob') };
      const openOn = async (user: 'alice' | 'bob') => { const s = await openSse(small.url, '/v1/events', headers[user]); mine.push(s); return s; };
      const [first, second] = [await openOn('alice'), await openOn('alice')];
      expect([first.status, second.status]).toEqual([200, 200]);
      const third = await openOn('alice');
      expect([third.status, third.body.error.code, third.headers['retry-after']]).toEqual([429, 'too_many_user_streams', '5']);
      expect((await openOn('bob')).status).toBe(200);
      first.close();
      await first.closed;
      // The gateway sees the close when the socket ends; the slot is back within a moment.
      let again: SseStream | undefined;
      for (let i = 0; i < 50 && again?.status !== 200; i++) {
        again = await openOn('alice');
        if (again.status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(again?.status).toBe(200);
    } finally {
      for (const s of mine) s.close();
      await small.stop();
    }
  });
});
