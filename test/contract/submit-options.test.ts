/**
 * #12: the options real sites submit with, in every mode, on the real cluster (fake GPUs, node
 * features, reservation sr-lic and license matlab come from scripts/cluster.sh). Each is submitted
 * through the API, read back through the API and checked against `scontrol show job`, which also
 * shows what the Job model does not carry (memory per CPU, mail). Bad values are 400 naming the
 * field, and nothing is submitted.
 */
import { execFileSync } from 'node:child_process';
import request from '../support/openapi.js';
import { modes, startGateway, type Gateway } from '../support/gateway.js';
import { uniqueName } from '../support/slurm.js';
import { commandsRun } from '../support/prometheus.js';

const scontrol = (id: number) => execFileSync('scontrol', ['show', 'job', String(id)], { encoding: 'utf8' });
const OPTIONS = {
  gres: 'gpu:fake:1', constraint: 'fast&ssd', memory_per_cpu: 100, begin_time: '2030-01-01T00:00:00Z',
  deadline: '2031-01-01T00:00:00Z', reservation: 'sr-lic', exclusive: true, mail_type: ['END', 'FAIL'],
  mail_user: 'root', tasks_per_node: 1, licenses: 'matlab:1', requeue: false,
};

/** One gateway per describe, in that mode; the jobs named in `ids` are cancelled afterwards. */
function gatewayFor(executor: string, application: string, ids: number[]): () => Gateway {
  let gateway: Gateway | undefined;
  beforeAll(async () => { gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=2']); });
  afterAll(async () => {
    if (ids.length) execFileSync('scancel', ids.map(String));
    await gateway?.stop();
  });
  return () => gateway!;
}

describe.each(modes())('submit options ($executor:$application)', ({ executor, application }) => {
  const ids: number[] = [];
  const gw = gatewayFor(executor, application, ids);
  let gateway: Gateway;
  beforeAll(() => { gateway = gw(); });

  it('every option reaches Slurm and reads back through the API', async () => {
    const name = uniqueName('opts');
    const res = await request(gateway.url).post('/v1/jobs').send({ script: '#!/bin/sh\ntrue\n', name, hold: true, ...OPTIONS });
    expect([res.status, res.body]).toEqual([201, { job_id: expect.any(Number) }]);
    const id = res.body.job_id as number;
    ids.push(id);
    const job = await request(gateway.url).get(`/v1/jobs/${id}`);
    expect(job.body).toMatchObject({
      name, tres_per_node: 'gres:gpu:fake:1', tres_per_job: null, features: 'fast&ssd', reservation: 'sr-lic', licenses: 'matlab:1',
      eligible_time: '2030-01-01T00:00:00.000Z', deadline: '2031-01-01T00:00:00.000Z', exclusive: true, requeue: false, tasks_per_node: 1,
    });
    const shown = scontrol(id);
    for (const fragment of ['MinMemoryCPU=100M', 'MailUser=root', 'MailType=END,FAIL', 'TresPerNode=gres:gpu:fake:1', 'Features=fast&ssd',
      'Reservation=sr-lic', 'Licenses=matlab:1', 'OverSubscribe=NO', 'Requeue=0', 'NtasksPerN:B:S:C=1:', 'EligibleTime=2030-01-01T00:00:00',
      'Deadline=2031-01-01T00:00:00']) {
      expect(shown).toContain(fragment);
    }
  });

  it('gpus per job, requeue and a dependency read back', async () => {
    const first = await request(gateway.url).post('/v1/jobs').send({ script: '#!/bin/sh\ntrue\n', hold: true });
    ids.push(first.body.job_id);
    const res = await request(gateway.url).post('/v1/jobs').send({ script: '#!/bin/sh\ntrue\n', hold: true, gpus: 1, requeue: true, dependency: `afterany:${first.body.job_id}` });
    expect(res.status).toBe(201);
    ids.push(res.body.job_id);
    const job = await request(gateway.url).get(`/v1/jobs/${res.body.job_id}`);
    expect(job.body).toMatchObject({ tres_per_job: 'gres:gpu:1', tres_per_node: null, requeue: true, exclusive: false, dependency: `afterany:${first.body.job_id}(unfulfilled)` });
    expect(scontrol(res.body.job_id)).toContain('TresPerJob=gres:gpu:1');
  });

  it('bad values are 400 naming the field, and submit nothing', async () => {
    // Nothing submitted: the gateway ran no submission, and no job has this test's name (other
    // suites share the cluster, so the queue's length is no measure).
    const before = await commandsRun(gateway.url, 'jobs.submit');
    const name = uniqueName('refused-option');
    for (const [field, value] of [
      ['mail_user', '-oProxyCommand=x'], ['mail_user', 'a b'], ['gres', 'gpu:1;rm'], ['constraint', 'fast;ssd'], ['licenses', 'matlab:one'],
      ['begin_time', '2030-01-01T00:00:00'], ['mail_type', ['SOMETIMES']], ['gpus', 0], ['memory_per_cpu', -1], ['reservation', '-x'],
    ] as const) {
      const res = await request(gateway.url).post('/v1/jobs').send({ script: '#!/bin/sh\ntrue\n', name, hold: true, [field]: value });
      expect([field, res.status, res.body.error?.code]).toEqual([field, 400, 'invalid_request']);
      expect(JSON.stringify(res.body.error.details)).toContain(field);
    }
    const both = await request(gateway.url).post('/v1/jobs').send({ script: '#!/bin/sh\ntrue\n', name, memory_per_cpu: 100, memory_per_node: 100 });
    expect(both.status).toBe(400);
    expect(await commandsRun(gateway.url, 'jobs.submit')).toBe(before);
    expect(execFileSync('squeue', ['-h', '-t', 'all', '--name', name, '-o', '%i'], { encoding: 'utf8' })).toBe('');
  });
});

describe.each(modes())('PATCH clears a dependency and unlimits a time limit ($executor:$application)', ({ executor, application }) => {
  const ids: number[] = [];
  const gw = gatewayFor(executor, application, ids);
  let gateway: Gateway;
  beforeAll(() => { gateway = gw(); });

  it('dependency "" removes it; time_limit null is unlimited', async () => {
    const first = await request(gateway.url).post('/v1/jobs').send({ script: '#!/bin/sh\ntrue\n', hold: true });
    ids.push(first.body.job_id);
    const res = await request(gateway.url).post('/v1/jobs').send({ script: '#!/bin/sh\ntrue\n', hold: true, time_limit: 5, dependency: `afterok:${first.body.job_id}` });
    ids.push(res.body.job_id);
    const before = await request(gateway.url).get(`/v1/jobs/${res.body.job_id}`);
    expect(before.body).toMatchObject({ time_limit: 5, dependency: `afterok:${first.body.job_id}(unfulfilled)` });
    const patched = await request(gateway.url).patch(`/v1/jobs/${res.body.job_id}`).send({ dependency: '', time_limit: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ time_limit: null, dependency: null });
    expect(scontrol(res.body.job_id)).toMatch(/TimeLimit=UNLIMITED[\s\S]*Dependency=\(null\)|Dependency=\(null\)[\s\S]*TimeLimit=UNLIMITED/);
  });
});

describe.each(modes())('validate: true ($executor:$application)', ({ executor, application }) => {
  const gw = gatewayFor(executor, application, []);
  let gateway: Gateway;
  beforeAll(() => { gateway = gw(); });

  it('answers whether, when and where the job would run, and why not, creating nothing', async () => {
    const name = uniqueName('validate');
    const ask = (fields: Record<string, unknown>) => request(gateway.url).post('/v1/jobs').send({ script: '#!/bin/sh\ntrue\n', name, validate: true, ...fields });
    const now = await ask({});
    // start_time: an RFC 3339 time, or null when Slurm's estimate lies past year 9999 (on a node
    // busy with a job that has no end, as when other suites share the cluster).
    expect([now.status, now.body]).toEqual([200, { will_run: true, start_time: now.body.start_time === null ? null : expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), nodes: expect.any(String), partition: 'debug', cpus: 1, preempts: [], reason: null }]);
    expect((await ask({ begin_time: '2030-01-01T00:00:00Z', partition: 'long' })).body).toMatchObject({ will_run: true, start_time: '2030-01-01T00:00:00.000Z', partition: 'long' });
    expect((await ask({ nodes: 5 })).body).toMatchObject({ will_run: false, reason: 'Requested node configuration is not available' });
    expect((await ask({ gres: 'gpu:fake:3' })).body).toMatchObject({ will_run: false, reason: 'Requested node configuration is not available' });
    expect((await ask({ partition: 'nope' })).body).toMatchObject({ will_run: false, reason: 'Invalid partition name specified' });
    expect((await ask({ mail_user: '-x' })).status).toBe(400);
    expect(execFileSync('squeue', ['-h', '-t', 'all', '-n', name, '-o', '%i'], { encoding: 'utf8' }).trim()).toBe('');
  });
});
