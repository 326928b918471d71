/**
 * #14: reads of one job share the controller's answers (src/dispatch/shared-reads.ts), and an
 * answer is never older than its request. In every mode, while 16 clients read jobs by id without
 * pause, each change made through the API is in the answer of a read sent after it returned: a
 * renamed job reads with its new name, a new job is found at once, a cancelled one reads
 * CANCELLED. Bounded: 6 rounds per mode, readers stop with them (at most 3,000 reads).
 */
import request from 'supertest';
import { modes, startGateway, type Gateway } from '../support/gateway.js';
import { uniqueName } from '../support/slurm.js';

const ROUNDS = 6;
const READERS = 16;
const MAX_READS = 3000;

describe.each(modes())('--executor=$executor --application=$application: read after write under load', ({ executor, application }) => {
  let gateway: Gateway;
  const ids: number[] = [];
  beforeAll(async () => { gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=4', '--timeout=30']); });
  afterAll(async () => {
    for (const id of ids) await request(gateway.url).delete(`/v1/jobs/${id}`);
    expect(await gateway.stop()).toBe(0);
  });

  it(`${ROUNDS} rounds of write then read, with ${READERS} readers by id all along`, async () => {
    const name = uniqueName(`raw-${executor}-${application}`);
    const submit = async () => {
      const res = await request(gateway.url).post('/v1/jobs').send({ script: '#!/bin/sh\ntrue\n', name, hold: true, time_limit: 1 });
      expect(res.status).toBe(201);
      ids.push(res.body.job_id as number);
      return res.body.job_id as number;
    };
    const held: number[] = [];
    for (let i = 0; i < 4; i++) held.push(await submit());

    let stop = false;
    let reads = 0;
    const failures: string[] = [];
    const readers = Array.from({ length: READERS }, async () => {
      while (!stop && reads < MAX_READS) {
        const id = ids[reads++ % ids.length]!;
        const res = await request(gateway.url).get(`/v1/jobs/${id}`);
        if (res.status !== 200) failures.push(`${id}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    });

    try {
      for (let round = 0; round < ROUNDS; round++) {
        const renamed = held[round % held.length]!;
        await request(gateway.url).patch(`/v1/jobs/${renamed}`).send({ name: `${name}-r${round}` }).expect(200);
        expect((await request(gateway.url).get(`/v1/jobs/${renamed}`).expect(200)).body.name).toBe(`${name}-r${round}`);

        const created = await submit();
        expect((await request(gateway.url).get(`/v1/jobs/${created}`).expect(200)).body).toMatchObject({ job_id: created, state: 'PENDING' });

        await request(gateway.url).delete(`/v1/jobs/${created}`).expect(202);
        expect((await request(gateway.url).get(`/v1/jobs/${created}`).expect(200)).body.state).toBe('CANCELLED');
      }
    } finally {
      stop = true;
      await Promise.all(readers);
    }
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(ROUNDS);
  }, 240_000);
});
