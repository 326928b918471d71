/**
 * Issue #9, item 7: a stop past its grace period answered in-flight requests with nothing ("Empty
 * reply from server") and exited after 10.6 s for --shutdown-grace=3. Every request in flight must
 * get an answer: 503 shutting_down (retry), or for a submission, submit_outcome_unknown (the job
 * may exist); and the gateway exits on time. Hung fixture tools stand in for a stuck Slurm.
 */
import request from 'supertest';
import { startGateway, type Gateway } from '../support/gateway.js';
import { killHungTools, makeBinDir } from '../support/fixtures.js';

let gateway: Gateway | undefined;
/** This suite's fixture directories: their hung tools are ended after each test (by pid, only theirs). */
const bins: string[] = [];
const binDir = (...args: Parameters<typeof makeBinDir>) => { const dir = makeBinDir(...args); bins.push(dir); return dir; };
afterEach(async () => {
  await gateway?.stop('SIGKILL');
  gateway = undefined;
  for (const dir of bins.splice(0)) killHungTools(dir);
});

const GRACE_S = 2;

describe.each(['coroutine', 'thread', 'process'] as const)('--application=%s', (application) => {
  it('answers every request in flight when the grace period passes, then exits 0 on time', async () => {
    gateway = await startGateway([
      '--no-coalesce', `--application=${application}`, '--parallel=2', '--timeout=60', `--shutdown-grace=${GRACE_S}`,
      `--slurm-bin-dir=${binDir({ squeue: 'hang', sbatch: 'hang' })}`,
    ]);
    const read = request(gateway.url).get('/v1/jobs').then((r) => r);
    const submit = request(gateway.url).post('/v1/jobs').send({ script: '#!/bin/sh\ntrue\n', name: 'never-created' }).then((r) => r);
    await new Promise((r) => setTimeout(r, 500));
    const stopped = Date.now();
    const exit = gateway.stop('SIGTERM');
    const [readAnswer, submitAnswer] = await Promise.all([read, submit]);
    expect([readAnswer.status, readAnswer.body.error?.code, readAnswer.headers['retry-after']]).toEqual([503, 'shutting_down', '5']);
    expect([submitAnswer.status, submitAnswer.body.error?.code]).toEqual([502, 'submit_outcome_unknown']);
    expect(submitAnswer.body.error.message).toMatch(/may exist/);
    expect(await exit).toBe(0);
    // Grace, then at most a second to flush the answers and a second to release the pool.
    expect(Date.now() - stopped).toBeLessThan((GRACE_S + 3) * 1000);
  });
});

describe('--application=inline', () => {
  it('blocks in the command in flight (it runs on the main thread), then answers it and exits 0', async () => {
    // Inline runs one command synchronously on the event loop: SIGTERM is handled when it returns,
    // at the latest at its deadline, when the hung tool is killed and the request answered 504.
    gateway = await startGateway(['--no-coalesce', '--application=inline', '--timeout=3', `--shutdown-grace=${GRACE_S}`, `--slurm-bin-dir=${binDir({ squeue: 'hang' })}`]);
    const read = request(gateway.url).get('/v1/jobs').then((r) => r);
    await new Promise((r) => setTimeout(r, 500));
    const exit = gateway.stop('SIGTERM');
    const answer = await read;
    expect([answer.status, answer.body.error?.code]).toEqual([504, 'deadline_exceeded']);
    expect(await exit).toBe(0);
  });
});
