/**
 * On the real cluster, in every mode: a job whose --output names a file an earlier job left (here
 * written an hour "ago") never has that file served as its own. While the job is held, the plain
 * read is 404 output_not_found and a follower waits; once released, the follower sends only what
 * the job wrote (slurmstepd truncates the file when the job starts), then eof. A CI run on a reused
 * machine failed so: job ids start again at 1 with each new cluster, and the follower of a job
 * that slurmctld had just marked RUNNING sent the earlier cluster's file of the same id.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { modes, startGateway, type Gateway } from '../support/gateway.js';
import { dataOf, openSse, type SseStream } from '../support/sse.js';
import { waitingJob } from '../support/slurm.js';

describe.each(modes())('an earlier job’s output file: --executor=$executor --application=$application', ({ executor, application }) => {
  let gateway: Gateway;
  let dir: string;
  const streams: SseStream[] = [];
  const submitted: number[] = [];
  beforeAll(async () => {
    gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=2', '--events-poll=0.5']);
    dir = mkdtempSync(join(tmpdir(), 'sr-earlier-'));
    chmodSync(dir, 0o755);
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    // A failed run must not leave a job that waits forever on the cluster's only node.
    for (const id of submitted) await request(gateway.url).delete(`/v1/jobs/${id}`);
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is 404 while the job is held, waited for by a follower, and never sent: the follower sends only what the job wrote', async () => {
    const out = join(dir, 'run.out');
    writeFileSync(out, 'an earlier run\nof the same name\n');
    const anHourAgo = Date.now() / 1000 - 3600;
    utimesSync(out, anHourAgo, anHourAgo);

    const submit = await request(gateway.url).post('/v1/jobs').send({ ...waitingJob(dir, 'e'), stdout: out, hold: true });
    expect(submit.status).toBe(201);
    const id = submit.body.job_id as number;
    submitted.push(id);

    const read = await request(gateway.url).get(`/v1/jobs/${id}/stdout`);
    expect([read.status, read.body.error?.code]).toEqual([404, 'output_not_found']);
    expect(read.body.error.message).toContain("holds an earlier job's output");

    const follow = await openSse(gateway.url, `/v1/jobs/${id}/stdout?follow=true`);
    streams.push(follow);
    expect(follow.status).toBe(200);
    expect((await request(gateway.url).post(`/v1/jobs/${id}/release`)).status).toBe(202);
    await follow.waitFor((all) => dataOf(all, 'output').map((d) => d.content).join('') === 'started\n');
    writeFileSync(join(dir, 'go-e'), '');
    await follow.waitFor((all) => all.some((e) => e.event === 'eof'));
    // Nothing but the job's own output, then the end: no truncation, since the earlier file was never sent.
    expect(follow.events.map((e) => e.event).filter((e) => e !== 'output')).toEqual(['eof']);
    expect(dataOf(follow.events, 'output').map((d) => d.content).join('')).toBe('started\ndone\n');
    expect(readFileSync(out, 'utf8')).toBe('started\ndone\n');

    const after = await request(gateway.url).get(`/v1/jobs/${id}/stdout`);
    expect([after.status, after.body.content]).toEqual([200, 'started\ndone\n']);
  });
});
