/**
 * #15 against the real cluster: GET /v1/events and output ?follow=true.
 * - every dispatch mode: a job's submitted -> RUNNING -> COMPLETED, in order, once each, while its
 *   output arrives through follow and ends with eof; Last-Event-ID resumes, an old id is reset;
 * - 1,000 open streams cost slurmctld what one does (sdiag's job-info RPCs per feed poll);
 * - the graceful stop ends streams at once, cleanly.
 * The job waits for a file the test creates, so no state is missed on a slow machine.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { modes, startGateway, type Gateway } from '../support/gateway.js';
import { dataOf, openSse, type SseEvent, type SseStream } from '../support/sse.js';
import { bounded } from '../support/bounded.js';
import { parsePrometheus, sample } from '../support/prometheus.js';
import { waitingJob } from '../support/slurm.js';

const JOB_INFO_RPCS = ['REQUEST_JOB_INFO', 'REQUEST_JOB_INFO_SINGLE', 'REQUEST_JOB_USER_INFO'];
const POLL = ['--events-poll=0.5'];

const jobEvents = (events: SseEvent[], id: number) => events.filter((e) => e.event.startsWith('job.') && JSON.parse(e.data).job_id === id);

describe.each(modes())('live events: --executor=$executor --application=$application', ({ executor, application }) => {
  let gateway: Gateway;
  let dir: string;
  const streams: SseStream[] = [];
  beforeAll(async () => {
    gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=2', ...POLL]);
    dir = mkdtempSync(join(tmpdir(), 'sr-events-'));
    chmodSync(dir, 0o755);
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a job reads job.submitted -> job.state RUNNING -> job.finished COMPLETED, once each; follow sends its output as written, then eof', async () => {
    // Asked for compression, still not compressed: koa-compress would hold events in its buffer.
    const events = await openSse(gateway.url, '/v1/events', { 'Accept-Encoding': 'gzip, br' });
    streams.push(events);
    expect([events.status, events.headers['content-type'], events.headers['cache-control'], events.headers['content-encoding'], events.retry]).toEqual([200, 'text/event-stream; charset=utf-8', 'no-cache', undefined, 3000]);
    const submit = await request(gateway.url).post('/v1/jobs').send(waitingJob(dir, 'a'));
    expect(submit.status).toBe(201);
    const id = submit.body.job_id as number;
    await events.waitFor((all) => jobEvents(all, id).some((e) => e.event === 'job.state' && JSON.parse(e.data).new_state === 'RUNNING'));

    const follow = await openSse(gateway.url, `/v1/jobs/${id}/stdout?follow=true`);
    streams.push(follow);
    expect(follow.status).toBe(200);
    await follow.waitFor((all) => dataOf(all, 'output').map((d) => d.content).join('') === 'started\n');
    writeFileSync(join(dir, 'go-a'), '');
    await follow.waitFor((all) => all.some((e) => e.event === 'eof'));
    expect(await follow.closed).toBe('end');
    const output = dataOf(follow.events, 'output');
    expect(output.map((d) => d.content).join('')).toBe('started\ndone\n');
    expect(output[0].offset).toBe(0);
    expect(dataOf(follow.events, 'eof')).toEqual([{ offset: 'started\ndone\n'.length }]);

    await events.waitFor((all) => jobEvents(all, id).some((e) => e.event === 'job.finished'));
    const mine = jobEvents(events.events, id);
    const states = mine.map((e) => `${e.event}${e.event === 'job.submitted' ? '' : ` ${JSON.parse(e.data).new_state}`}`);
    // COMPLETING may show between RUNNING and COMPLETED.
    expect(states.filter((s) => s !== 'job.state COMPLETING')).toEqual(['job.submitted', 'job.state RUNNING', 'job.finished COMPLETED']);
    expect(dataOf(mine, 'job.finished')[0]).toMatchObject({ type: 'job.finished', job_id: id, old_state: expect.any(String), exit_code: 0, job: { job_id: id, state: 'COMPLETED' } });
    // Ids increase, no event twice.
    const ids = events.events.map((e) => Number(e.id));
    expect(ids.every((n, i) => Number.isSafeInteger(n) && (i === 0 || n > ids[i - 1]!))).toBe(true);
  });

  it('Last-Event-ID resumes with every later event the gateway keeps; an id too old gets reset', async () => {
    const first = streams[0]!;
    const from = first.events[0]!;
    const resumed = await openSse(gateway.url, '/v1/events', { 'Last-Event-ID': from.id! });
    streams.push(resumed);
    const later = first.events.slice(1);
    await resumed.waitFor((all) => all.length >= later.length);
    expect(resumed.events.slice(0, later.length)).toEqual(later);

    const old = await openSse(gateway.url, '/v1/events?types=job.finished', { 'Last-Event-ID': '1' });
    streams.push(old);
    await old.waitFor((all) => all.length > 0);
    expect(old.events[0]!.event).toBe('reset');
    expect(JSON.parse(old.events[0]!.data)).toMatchObject({ type: 'reset', reason: expect.stringContaining('GET /v1/jobs') });
    expect(Number(old.events[0]!.id)).toBeGreaterThan(Number(first.events.at(-1)!.id));
  });
});

describe('1,000 subscribers and the controller', () => {
  const [mode] = modes().filter((m) => m.executor === 'internal' && m.application === 'thread').concat(modes());
  let gateway: Gateway;
  const streams: SseStream[] = [];
  beforeAll(async () => {
    gateway = await startGateway([`--executor=${mode!.executor}`, `--application=${mode!.application}`, '--parallel=2', '--events-max-streams=1001', ...POLL]);
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await gateway.stop();
  });

  const jobInfoRpcs = async () => {
    const { body } = await request(gateway.url).get('/v1/cluster');
    return JOB_INFO_RPCS.reduce((sum, type) => sum + (body.statistics.rpc_by_type[type]?.count ?? 0), 0);
  };
  const metrics = async () => parsePrometheus((await request(gateway.url).get('/metrics')).text);
  const metricValue = sample;
  /** Job-info RPCs and feed polls over a window. */
  const window = async (ms: number) => {
    const [rpcs0, polls0] = [await jobInfoRpcs(), metricValue(await metrics(), 'scheduler_rest_event_polls_total', { outcome: 'ok' })];
    await new Promise((r) => setTimeout(r, ms));
    const [polls1, rpcs1] = [metricValue(await metrics(), 'scheduler_rest_event_polls_total', { outcome: 'ok' }), await jobInfoRpcs()];
    return { rpcs: rpcs1 - rpcs0, polls: polls1 - polls0 };
  };

  it('filters narrow, and a bad filter is 400 before any stream', async () => {
    const bad = await openSse(gateway.url, '/v1/events?types=job.nope');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
    const all = await openSse(gateway.url, '/v1/events');
    const onlyOther = await openSse(gateway.url, '/v1/events?user=nobody-such&types=job.submitted,job.state,job.finished');
    const onlyNodes = await openSse(gateway.url, '/v1/events?types=node.state');
    streams.push(all, onlyOther, onlyNodes);
    const submit = await request(gateway.url).post('/v1/jobs').send({ script: '#!/bin/bash\ntrue\n', working_directory: tmpdir() });
    await all.waitFor((all) => jobEvents(all, submit.body.job_id).some((e) => e.event === 'job.finished'));
    expect(onlyOther.events).toEqual([]);
    expect(onlyNodes.events.map((e) => e.event).every((t) => t === 'node.state')).toBe(true);
    for (const s of [all, onlyOther, onlyNodes]) s.close();
    streams.length = 0;
  });
  it(`adds no job-info RPC beyond one subscriber's (${mode!.executor}:${mode!.application}; sdiag)`, async () => {
    streams.push(await openSse(gateway.url, '/v1/events'));
    const one = await window(2000);
    const opened = await bounded(Array.from({ length: 999 }, () => () => openSse(gateway.url, '/v1/events')), 50);
    streams.push(...opened);
    expect(streams.every((s) => s.status === 200)).toBe(true);
    expect(metricValue(await metrics(), 'scheduler_rest_event_streams_open')).toBe(1000);
    expect(metricValue(await metrics(), 'scheduler_rest_event_feeds_polling')).toBe(1);
    const many = await window(2000);
    // Each poll is one job-info RPC (a poll in flight at an edge of the window may count on one side only).
    expect(one.polls).toBeGreaterThan(0);
    expect(many.polls).toBeGreaterThan(0);
    expect(one.rpcs).toBeLessThanOrEqual(one.polls + 1);
    expect(many.rpcs).toBeLessThanOrEqual(many.polls + 1);
    // 1,000 streams still poll once per interval: never once per stream.
    expect(many.polls).toBeLessThanOrEqual(2000 / 500 + 2);
    // The bound: the next stream is 503 with Retry-After.
    const last = [await openSse(gateway.url, '/v1/events'), await openSse(gateway.url, '/v1/events')];
    streams.push(...last.filter((s) => s.status === 200));
    expect(last.map((s) => s.status)).toEqual([200, 503]);
    const refused = last.find((s) => s.status === 503);
    if (refused === undefined) throw new Error('the stream over --events-max-streams was admitted');
    expect([refused.body.error.code, refused.headers['retry-after']]).toEqual(['too_many_streams', '5']);
  });

  it('the graceful stop ends every stream at once and cleanly (it does not wait for the grace)', async () => {
    const ended = streams.map((s) => s.closed);
    expect(await gateway.stop()).toBe(0);
    expect(new Set(await Promise.all(ended))).toEqual(new Set(['end']));
    expect(gateway.logs.some((l) => l.includes('shutdown grace passed'))).toBe(false);
  });
});
