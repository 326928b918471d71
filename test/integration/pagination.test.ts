/**
 * #13: walking the job list page by page while jobs are submitted and cancelled returns every
 * job that existed throughout exactly once. A queue of 1,000 held jobs (MaxJobCount is 20,000 on
 * the private cluster), walked 40 at a time; with each page, one more job is submitted and one of
 * a separate set is cancelled, in parallel with the page's own request. Bounded by count: 1,000
 * + 20 + one per page (about 27) jobs, 32 submissions at a time; no clock in any assertion.
 */
import type { Response } from 'supertest';
// Every answer, pages included, is checked against the OpenAPI document (#13).
import request from '../support/openapi.js';
import { startGateway, type Gateway } from '../support/gateway.js';
import { uniqueName } from '../support/slurm.js';
import { bounded } from '../support/bounded.js';
import { availableExecutors } from '../support/executors.js';

const QUEUE = 1000;
const CHURN = 20;
const PAGE = 40;
const AT_ONCE = 32;
const HELD = { script: '#!/bin/sh\ntrue\n', hold: true, time_limit: 1 };


const combos = availableExecutors().map((executor) => ({ executor, application: executor === 'internal' ? 'thread' : 'process' }));

describe.each(combos)('--executor=$executor --application=$application: pages of a changing queue', ({ executor, application }) => {
  let gateway: Gateway;
  const mine: number[] = [];
  beforeAll(async () => { gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=4', '--timeout=60']); });
  afterAll(async () => {
    await bounded(mine.map((id) => () => request(gateway.url).delete(`/v1/jobs/${id}`)), AT_ONCE);
    expect(await gateway.stop()).toBe(0);
  });

  const submit = async (name: string) => {
    const answer = await request(gateway.url).post('/v1/jobs').send({ ...HELD, name });
    expect(answer.status).toBe(201);
    mine.push(answer.body.job_id as number);
    return answer.body.job_id as number;
  };

  it(`walks a ${QUEUE}-job queue ${PAGE} at a time, every job that stayed exactly once, while jobs come and go`, async () => {
    const name = uniqueName(`walk-${executor}`);
    const stay = await bounded(Array.from({ length: QUEUE }, () => () => submit(name)), AT_ONCE);
    const leave = await bounded(Array.from({ length: CHURN }, () => () => submit(name)), AT_ONCE);
    const arrived: number[] = [];
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const leaving = leave[pages];
      const [page]: [Response, ...unknown[]] = await Promise.all([
        request(gateway.url).get(`/v1/jobs?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`),
        // A job arrives and another leaves while this page is read.
        submit(name).then((id) => arrived.push(id)),
        leaving === undefined ? undefined : request(gateway.url).delete(`/v1/jobs/${leaving}`).expect(202),
      ]);
      expect(page.status).toBe(200);
      expect(page.body.jobs.length).toBeLessThanOrEqual(PAGE);
      const ids = page.body.jobs.map((j: { job_id: number }) => j.job_id);
      // Keyset order: ascending ids, every page after the last.
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      if (seen.length && ids.length) expect(ids[0]).toBeGreaterThan(seen.at(-1)!);
      seen.push(...ids);
      cursor = page.body.next_cursor;
      expect(page.headers.link === undefined).toBe(cursor === null);
      pages++;
    } while (cursor !== null && pages < 200);
    expect(cursor).toBeNull();
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(QUEUE / PAGE));
    expect(pages).toBeGreaterThan(CHURN); // every cancellation happened during the walk
    expect(arrived).toHaveLength(pages);

    expect(new Set(seen).size).toBe(seen.length); // nothing twice
    const walked = new Set(seen);
    expect(stay.filter((id) => !walked.has(id))).toEqual([]); // every job that stayed, once
    // Jobs cancelled during the walk stay listed (CANCELLED, until MinJobAge): seen at most once, as every arrival.
    for (const id of [...leave, ...arrived]) expect(seen.filter((s) => s === id).length).toBeLessThanOrEqual(1);

    // The same walk without churn equals the whole list, in job id order (this test's jobs: the
    // suites that share the cluster with it submit their own meanwhile).
    const whole = (await request(gateway.url).get(`/v1/jobs?name=${name}`).expect(200)).body.jobs.map((j: { job_id: number }) => j.job_id).sort((a: number, b: number) => a - b);
    const again: number[] = [];
    cursor = null;
    do {
      const page: Response = await request(gateway.url).get(`/v1/jobs?name=${name}&limit=500${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      again.push(...page.body.jobs.map((j: { job_id: number }) => j.job_id));
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    expect(again).toEqual(whole);
  }, 600_000);
});
