/**
 * Issue 3's concurrency check, through the real gateway: four thousand concurrent lists,
 * submits and cancels in the thread and coroutine modes give correct answers, with no crash.
 * Bounded: 1,000 requests per mode, 32 at a time, loopback only.
 */
import request from 'supertest';
import { startGateway, type Gateway } from '../support/gateway.js';
import { uniqueName } from '../support/slurm.js';
import { bounded } from '../support/bounded.js';
import { availableExecutors } from '../support/executors.js';

const SUBMITS = 100;
const READS = 800;
const AT_ONCE = 32;


const combos = availableExecutors().flatMap((executor) => (['thread', 'coroutine'] as const).map((application) => ({ executor, application })));

describe.each(combos)('--executor=$executor --application=$application under concurrent load', ({ executor, application }) => {
  let gateway: Gateway;
  beforeAll(async () => { gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=4', '--timeout=30', '--log-level=info']); });
  afterAll(async () => { expect(await gateway.stop()).toBe(0); });

  it(`${SUBMITS} submits, ${SUBMITS} cancels and ${READS} reads, ${AT_ONCE} at a time`, async () => {
    const name = uniqueName(`load-${executor}-${application}`);
    const submit = () => request(gateway.url).post('/v1/jobs').send({ script: '#!/bin/sh\ntrue\n', name, hold: true, time_limit: 1 });
    const read = (path: string) => () => request(gateway.url).get(path);
    const reads = [read('/v1/jobs'), read(`/v1/jobs?name=${name}`), read('/v1/nodes'), read('/v1/partitions')];
    // Submits and reads interleaved.
    const first = await bounded([
      ...Array.from({ length: SUBMITS }, () => submit),
      ...Array.from({ length: READS / 2 }, (_, i) => reads[i % reads.length]!),
    ], AT_ONCE);
    const submitted = first.slice(0, SUBMITS);
    expect(submitted.map((r) => r.status)).toEqual(Array(SUBMITS).fill(201));
    const ids = submitted.map((r) => r.body.job_id as number);
    expect(new Set(ids).size).toBe(SUBMITS); // no job lost, none duplicated
    for (const r of first.slice(SUBMITS)) expect([r.status, r.body?.error]).toEqual([200, undefined]);

    const listed = (await request(gateway.url).get(`/v1/jobs?name=${name}`).expect(200)).body.jobs.map((j: { job_id: number }) => j.job_id);
    expect([...listed].sort()).toEqual([...ids].sort());

    // Cancels and reads interleaved.
    const second = await bounded([
      ...ids.map((id) => () => request(gateway.url).delete(`/v1/jobs/${id}`)),
      ...Array.from({ length: READS / 2 }, (_, i) => reads[i % reads.length]!),
    ], AT_ONCE);
    expect(second.slice(0, SUBMITS).map((r) => r.status)).toEqual(Array(SUBMITS).fill(202));
    for (const r of second.slice(SUBMITS)) expect([r.status, r.body?.error]).toEqual([200, undefined]);

    const after = (await request(gateway.url).get(`/v1/jobs?name=${name}`).expect(200)).body.jobs;
    expect(after).toHaveLength(SUBMITS);
    for (const job of after) expect(job.state).toBe('CANCELLED');
  }, 300_000);
});
