/**
 * The API contract: every route, success and failure, against the real cluster. It runs
 * unchanged in every executor x dispatch combination (SR_TEST_MODES narrows the list).
 */
import { existsSync, mkdtempSync, readFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { DOCUMENT } from '../support/openapi.js';
import { modes, startGateway, type Gateway } from '../support/gateway.js';
import { FINISHED, uniqueName, waitForJob } from '../support/slurm.js';
import { availableExecutors } from '../support/executors.js';
import { commandsRun } from '../support/prometheus.js';

const HELD = { script: '#!/bin/bash\nsleep 300\n', hold: true, time_limit: 5 };

describe.each(modes().filter((m) => availableExecutors().includes(m.executor)))('API contract: --executor=$executor --application=$application', ({ executor, application }) => {
  let gateway: Gateway;
  let api: ReturnType<typeof request>;
  const submitted: number[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'scheduler-rest-contract-'));
  chmodSync(scratch, 0o777);

  const submit = async (body: Record<string, unknown>) => {
    const res = await request(gateway.url).post('/v1/jobs').send(body);
    if (res.status === 201) submitted.push(res.body.job_id);
    return res;
  };

  beforeAll(async () => {
    gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=2', '--timeout=20']);
    api = request(gateway.url) as unknown as ReturnType<typeof request>;
  });

  afterAll(async () => {
    for (const id of submitted) await request(gateway.url).delete(`/v1/jobs/${id}`);
    expect(await gateway.stop()).toBe(0);
  });

  describe('the OpenAPI document', () => {
    it('is served as JSON and YAML, the one every answer of these suites is checked against, and the reference page with it', async () => {
      const { body } = await request(gateway.url).get('/v1/openapi.json').expect(200);
      expect(body).toEqual({ ...DOCUMENT, info: { ...(DOCUMENT.info as object), version: body.info.version } });
      expect(body.info.version).toBe((await request(gateway.url).get('/v1/health').expect(200)).body.version);
      expect((await request(gateway.url).get('/v1/openapi.yaml').expect(200)).text).toMatch(/^openapi: 3\.1\.0$/m);
      expect((await request(gateway.url).get('/v1/docs').expect(200)).text).toContain('docs/swagger-ui-bundle.js');
    });
  });

  describe('health and cluster', () => {
    it('GET /v1/health reports the mode, the cluster and a reachable controller', async () => {
      const res = await request(gateway.url).get('/v1/health').expect(200);
      expect(res.body).toMatchObject({
        status: 'ok', controller_reachable: true,
        mode: { executor, application, parallel: application === 'inline' ? 1 : 2 },
      });
      expect(res.body.cluster).toEqual(expect.any(String));
      expect(res.body.slurm_version).toMatch(/^\d+\.\d+\.\d+/);
      expect(res.headers['x-request-id']).toBeTruthy();
    });

    it('GET /v1/cluster gives the name, version and controller statistics', async () => {
      const res = await request(gateway.url).get('/v1/cluster').expect(200);
      expect(res.body.name).toEqual(expect.any(String));
      expect(res.body.controllers.length).toBeGreaterThan(0);
      expect(res.body.statistics.server_thread_count).toBeGreaterThan(0);
      expect(res.body.statistics.rpc_by_type.REQUEST_JOB_INFO?.count ?? res.body.statistics.rpc_by_type.REQUEST_PING?.count).toBeGreaterThan(0);
    });

    it('GET /v1/cluster adds backfill statistics and RPCs by user', async () => {
      const { backfill, rpc_by_user } = (await request(gateway.url).get('/v1/cluster').expect(200)).body.statistics;
      expect(backfill).toEqual({
        active: expect.any(Boolean), backfilled_jobs: expect.any(Number), backfilled_het_jobs: expect.any(Number),
        cycle_count: expect.any(Number), last_cycle_time: backfill.last_cycle_time === null ? null : expect.stringMatching(/Z$/),
        last_cycle_us: expect.any(Number), max_cycle_us: expect.any(Number),
        mean_cycle_us: backfill.cycle_count > 0 ? expect.any(Number) : null,
        last_depth: expect.any(Number), last_depth_try: expect.any(Number),
        mean_depth: backfill.cycle_count > 0 ? expect.any(Number) : null,
        last_queue_length: expect.any(Number), mean_queue_length: backfill.cycle_count > 0 ? expect.any(Number) : null,
      });
      // The gateway runs as root here: its own RPCs are counted under root.
      expect(rpc_by_user).toEqual(expect.arrayContaining([{ user: 'root', user_id: 0, count: expect.any(Number), average_time_us: expect.any(Number), total_time_us: expect.any(Number) }]));
    });
  });

  describe('reservations and licenses', () => {
    it('lists reservations with sr-lic, and reads it by name', async () => {
      const { body } = await request(gateway.url).get('/v1/reservations').expect(200);
      const srLic = body.reservations.find((r: { name: string }) => r.name === 'sr-lic');
      expect(srLic).toEqual({
        name: 'sr-lic', state: 'ACTIVE', start_time: expect.stringMatching(/Z$/), end_time: expect.stringMatching(/Z$/),
        nodes: null, node_count: 0, core_count: 0, partition: null, users: ['root', 'alice'], accounts: [],
        licenses: { matlab: 1 }, flags: ['ANY_NODES'], tres: null,
      });
      await request(gateway.url).get('/v1/reservations/sr-lic').expect(200, srLic);
    });

    it('answers 404 reservation_not_found for an unknown reservation, 400 for a name that cannot be one', async () => {
      const res = await request(gateway.url).get('/v1/reservations/no-such-reservation').expect(404);
      expect(res.body.error).toMatchObject({ code: 'reservation_not_found', message: 'No reservation no-such-reservation' });
      expect((await request(gateway.url).get('/v1/reservations/a;b').expect(400)).body.error.code).toBe('invalid_request');
      expect((await request(gateway.url).get('/v1/reservations?x=1').expect(400)).body.error.code).toBe('invalid_request');
    });

    it('lists licenses with matlab', async () => {
      const { body } = await request(gateway.url).get('/v1/licenses').expect(200);
      const matlab = body.licenses.find((l: { name: string }) => l.name === 'matlab');
      expect(matlab).toEqual({ name: 'matlab', total: 4, used: expect.any(Number), free: expect.any(Number), reserved: 1, remote: false });
      expect(matlab.used + matlab.free).toBe(4);
    });
  });

  describe('nodes and partitions', () => {
    it('lists nodes with state, cpus, memory and partitions, and reads one by name', async () => {
      const { body } = await request(gateway.url).get('/v1/nodes').expect(200);
      expect(body.nodes.length).toBeGreaterThan(0);
      const node = body.nodes[0];
      expect(node.cpus.total).toBeGreaterThan(0);
      expect(node.memory_mib.total).toBeGreaterThan(0);
      expect(node.partitions.length).toBeGreaterThan(0);
      expect(node.state).toMatch(/^[A-Z_]+$/);
      const one = await request(gateway.url).get(`/v1/nodes/${node.name}`).expect(200);
      expect(one.body).toEqual({
        ...node, cpus: one.body.cpus, memory_mib: one.body.memory_mib, state: one.body.state, state_flags: one.body.state_flags,
        cpu_load: one.body.cpu_load, gres_used: one.body.gres_used, tres_allocated: one.body.tres_allocated,
      });
    });

    it('gives a node its GRES, features, TRES, address, OS and boot times', async () => {
      const node = (await request(gateway.url).get('/v1/nodes').expect(200)).body.nodes[0];
      expect(node).toMatchObject({
        gres: 'gpu:fake:2', features: ['fast', 'ssd'], active_features: ['fast', 'ssd'],
        tres: { cpus: node.cpus.total, memory_mib: node.memory_mib.total, nodes: null, gpus: 2, billing: expect.any(Number) },
        address: expect.any(String), hostname: expect.any(String), os: expect.stringMatching(/^Linux /),
        boot_time: expect.stringMatching(/Z$/), slurmd_start_time: expect.stringMatching(/Z$/),
      });
      expect(node.gres_used).toMatch(/^gpu:fake:\d/);
      expect(node.cpu_load === null || typeof node.cpu_load === 'number').toBe(true);
      const partition = (await request(gateway.url).get('/v1/partitions').expect(200)).body.partitions[0];
      expect(partition.tres).toMatchObject({ cpus: partition.cpus_total, nodes: partition.node_count, gpus: 2 });
    });

    it('lists partitions with the default one, and reads one by name', async () => {
      const { body } = await request(gateway.url).get('/v1/partitions').expect(200);
      const def = body.partitions.find((p: { default: boolean }) => p.default);
      expect(def).toMatchObject({ state: 'UP', node_count: expect.any(Number) });
      await request(gateway.url).get(`/v1/partitions/${def.name}`).expect(200, def);
    });

    it('answers 404 for unknown nodes and partitions, 400 for names that cannot be Slurm names', async () => {
      expect((await request(gateway.url).get('/v1/nodes/no-such-node').expect(404)).body.error.code).toBe('node_not_found');
      expect((await request(gateway.url).get('/v1/partitions/no-such-partition').expect(404)).body.error.code).toBe('partition_not_found');
      expect((await request(gateway.url).get('/v1/nodes/a;b').expect(400)).body.error.code).toBe('invalid_request');
    });
  });

  describe('jobs', () => {
    it('submits a held job, returns it with every field, and lists it under each filter', async () => {
      const name = uniqueName('contract');
      const res = await submit({ ...HELD, name, comment: 'from the contract suite' }).then((r) => r);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ job_id: expect.any(Number) });
      expect(res.headers.location).toBe(`/v1/jobs/${res.body.job_id}`);
      const id = res.body.job_id;

      const job = (await request(gateway.url).get(`/v1/jobs/${id}`).expect(200)).body;
      expect(job).toMatchObject({
        job_id: id, name, state: 'PENDING', reason: 'JobHeldUser', time_limit: 5, array_job_id: null,
        array_task_id: null, start_time: null, end_time: null, exit_code: 0,
      });
      expect(new Date(job.submit_time).getTime()).toBeGreaterThan(Date.now() - 600_000);
      expect(job.user).toEqual(expect.any(String));
      expect(job.working_directory).toMatch(/^\//);

      const list = async (query: string) => (await request(gateway.url).get(`/v1/jobs?${query}`).expect(200)).body.jobs.map((j: { job_id: number }) => j.job_id);
      expect(await list('')).toContain(id);
      expect(await list(`job_id=${id}`)).toEqual([id]);
      expect(await list(`name=${name}`)).toEqual([id]);
      expect(await list(`state=pending&name=${name}`)).toEqual([id]);
      expect(await list(`state=COMPLETED,FAILED&name=${name}`)).toEqual([]);
      expect(await list(`user=${job.user}&name=${name}`)).toEqual([id]);
      expect(await list(`partition=${job.partition}&name=${name}`)).toEqual([id]);
      expect(await list('job_id=4000000000')).toEqual([]);
      expect(await list(`job_id=4000000000,${id}`)).toEqual([id]);
    });

    it('passes every submit field to Slurm', async () => {
      const partition = (await request(gateway.url).get('/v1/partitions').expect(200)).body.partitions.find((p: { default: boolean }) => p.default).name;
      const res = await submit({
        ...HELD, name: uniqueName('fields'), partition, time_limit: 9, nodes: 1, ntasks: 1, cpus_per_task: 2,
        memory_per_node: 64, working_directory: scratch, stdout: join(scratch, 'out-%j.txt'), stderr: join(scratch, 'err-%j.txt'),
        comment: 'every field', dependency: 'singleton', environment: { A: '1' },
      });
      expect(res.status).toBe(201);
      const job = (await request(gateway.url).get(`/v1/jobs/${res.body.job_id}`).expect(200)).body;
      expect(job).toMatchObject({
        partition, time_limit: 9, node_count: 1, cpus: 2, working_directory: scratch,
        stdout_path: join(scratch, `out-${res.body.job_id}.txt`), stderr_path: join(scratch, `err-${res.body.job_id}.txt`),
      });
    });

    it('stores names with shell metacharacters literally and runs nothing', async () => {
      const marker = join(scratch, `pwned-${executor}-${application}`);
      const name = `$(touch ${marker}); rm -rf ~ | \`id\` & "q" 'x'`;
      const res = await submit({ ...HELD, name });
      expect(res.status).toBe(201);
      const job = (await request(gateway.url).get(`/v1/jobs/${res.body.job_id}`).expect(200)).body;
      expect(job.name).toBe(name);
      expect((await request(gateway.url).get('/v1/jobs').query({ job_id: String(res.body.job_id) })).body.jobs[0].name).toBe(name);
      expect(existsSync(marker)).toBe(false);
    });

    it('updates, holds, releases and cancels a job; a second cancel is 409', async () => {
      const id = (await submit({ ...HELD, name: uniqueName('update') })).body.job_id;
      const renamed = uniqueName('renamed');
      const patched = await request(gateway.url).patch(`/v1/jobs/${id}`).send({ name: renamed, time_limit: 7, comment: 'patched' }).expect(200);
      expect(patched.body).toMatchObject({ job_id: id, name: renamed, time_limit: 7 });

      await request(gateway.url).post(`/v1/jobs/${id}/release`).expect(202, { id: String(id), action: 'release' });
      const released = (await request(gateway.url).get(`/v1/jobs/${id}`).expect(200)).body;
      expect(released.reason).not.toBe('JobHeldUser');
      await request(gateway.url).post(`/v1/jobs/${id}/hold`).expect(202);
      const held = await waitForJob(gateway.url, id, (j) => j.state !== 'PENDING' || /Held/.test(j.reason ?? ''), 10);
      if (held.state === 'PENDING') expect(held.reason).toMatch(/Held/);

      await request(gateway.url).delete(`/v1/jobs/${id}`).expect(202, { id: String(id), action: 'cancel' });
      const cancelled = await waitForJob(gateway.url, id, (j) => FINISHED.includes(j.state));
      expect(cancelled.state).toBe('CANCELLED');
      const again = await request(gateway.url).delete(`/v1/jobs/${id}`).expect(409);
      expect(again.body.error).toMatchObject({ code: 'invalid_job_state', message: expect.stringContaining('completed') });
      expect((await request(gateway.url).post(`/v1/jobs/${id}/release`)).status).toBeGreaterThanOrEqual(400);
    });

    it('runs a job with exactly the given environment, writes its output, and reports its exit code', async () => {
      const out = join(scratch, `env-${executor}-${application}.out`);
      const res = await submit({
        script: '#!/bin/bash\necho "FOO=$FOO"\necho "BAR=$BAR"\nexit 3\n',
        name: uniqueName('env'), time_limit: 1, stdout: out, working_directory: scratch,
        environment: { FOO: 'a,b c=d', BAR: "it's $(not) run" },
      });
      expect(res.status).toBe(201);
      const job = await waitForJob(gateway.url, res.body.job_id, (j) => FINISHED.includes(j.state), 60);
      expect(job).toMatchObject({ state: 'FAILED', exit_code: 3, stdout_path: out, working_directory: scratch });
      expect(job.end_time).not.toBeNull();
      expect(readFileSync(out, 'utf8')).toBe("FOO=a,b c=d\nBAR=it's $(not) run\n");
    });

    it('runs, suspends, resumes, requeues and signals a running job', async () => {
      const out = join(scratch, `run-${executor}-${application}.out`);
      const id = (await submit({ script: '#!/bin/bash\ntrap "" USR1\necho ready\nsleep 300\n', name: uniqueName('run'), time_limit: 5, stdout: out })).body.job_id;
      await waitForJob(gateway.url, id, (j) => j.state === 'RUNNING', 60);
      // RUNNING comes before the script has set its trap (slurmd first loads the login environment).
      for (let t = 0; t < 100 && !(existsSync(out) && readFileSync(out, 'utf8').includes('ready')); t++) await new Promise((r) => setTimeout(r, 200));
      await request(gateway.url).post(`/v1/jobs/${id}/suspend`).expect(202);
      await waitForJob(gateway.url, id, (j) => j.state === 'SUSPENDED', 10);
      await request(gateway.url).post(`/v1/jobs/${id}/resume`).expect(202);
      await waitForJob(gateway.url, id, (j) => j.state === 'RUNNING', 10);
      const notSuspended = await request(gateway.url).post(`/v1/jobs/${id}/resume`).expect(409);
      expect(notSuspended.body.error).toMatchObject({ code: 'invalid_job_state', message: expect.stringMatching(/not suspended/i) });
      await request(gateway.url).delete(`/v1/jobs/${id}?signal=USR1`).expect(202, { id: String(id), action: 'signal USR1' });
      expect((await request(gateway.url).get(`/v1/jobs/${id}`).expect(200)).body.state).toBe('RUNNING');
      await request(gateway.url).post(`/v1/jobs/${id}/requeue`).expect(202);
      await waitForJob(gateway.url, id, (j) => j.state !== 'RUNNING', 20);
      await request(gateway.url).delete(`/v1/jobs/${id}`).expect(202);
    });

    it('reads array tasks as 123_4 and their pending record', async () => {
      const res = await submit({ ...HELD, name: uniqueName('array'), array: '1-3' });
      const id = res.body.job_id;
      const task = (await request(gateway.url).get(`/v1/jobs/${id}_2`).expect(200)).body;
      expect(task).toMatchObject({ array_job_id: id });
      expect(task.array_task_id === 2 || task.array_tasks === '1-3').toBe(true);
      await request(gateway.url).get(`/v1/jobs/${id}_9`).expect(404);
    });
  });

  describe('bad input gets a clear 4xx and changes nothing', () => {
    // "Changes nothing", checked two ways that other suites sharing the cluster cannot disturb:
    // the gateway ran no submission (its own count of jobs.submit commands, any outcome, did not
    // move), and no job carries the name or the working directory the refused body asked for.
    const submissionsRun = () => commandsRun(gateway.url, 'jobs.submit');
    const marked = (body: Record<string, unknown>, field: string) => ({
      ...body,
      ...(field === 'name' ? {} : { name: uniqueName('refused') }),
      ...(field === 'working_directory' ? {} : { working_directory: mkdtempSync(join(tmpdir(), 'sr-refused-')) }),
    });
    const createdNothing = async (before: number, body?: Record<string, unknown>) => {
      expect(await submissionsRun()).toBe(before);
      if (!body) return;
      const jobs: Array<{ name: string; working_directory: string | null }> = (await request(gateway.url).get('/v1/jobs').expect(200)).body.jobs;
      expect(jobs.filter((j) => j.name === body.name || j.working_directory === body.working_directory)).toEqual([]);
    };

    it.each([
      ['no script', { name: 'x' }, 'script'],
      ['a script without #!', { script: 'echo hi' }, 'script'],
      ['a negative time limit', { ...HELD, time_limit: -1 }, 'time_limit'],
      ['a string for a number', { ...HELD, nodes: '2' }, 'nodes'],
      ['an unknown field', { ...HELD, colour: 'red' }, 'colour'],
      ['a relative output path', { ...HELD, stdout: 'out.txt' }, 'stdout'],
      ['path traversal in the working directory', { ...HELD, working_directory: '/tmp/../etc' }, 'working_directory'],
      ['a newline in the name', { ...HELD, name: 'a\nb' }, 'name'],
      ['a bad environment name', { ...HELD, environment: { 'A=B': 'x' } }, 'environment'],
      ['a NUL in the script', { ...HELD, script: '#!/bin/sh\n\u0000' }, 'script'],
      ['a bad array spec', { ...HELD, array: '1-3; rm' }, 'array'],
      ['a bad dependency', { ...HELD, dependency: 'afterok:1 && x' }, 'dependency'],
    ])('POST /v1/jobs with %s is 400 naming the field', async (_what, body, field) => {
      const before = await submissionsRun();
      const sent = marked(body, field);
      const res = await request(gateway.url).post('/v1/jobs').send(sent).expect(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(JSON.stringify(res.body.error)).toContain(field);
      await createdNothing(before, sent);
    });

    it('rejects invalid JSON (400), non-JSON bodies (415) and bodies over the limit (413)', async () => {
      const before = await submissionsRun();
      const bad = await request(gateway.url).post('/v1/jobs').set('Content-Type', 'application/json').send('{"script": ').expect(400);
      expect(bad.body.error.code).toBe('invalid_request');
      const form = await request(gateway.url).post('/v1/jobs').set('Content-Type', 'text/plain').send('#!/bin/sh').expect(415);
      expect(form.body.error.code).toBe('unsupported_media_type');
      const huge = await request(gateway.url).post('/v1/jobs').send({ script: `#!/bin/sh\n#${'x'.repeat(3 * 1024 * 1024)}` }).expect(413);
      expect(huge.body.error.code).toBe('payload_too_large');
      await createdNothing(before);
    });

    it('validates ids, signals and filters', async () => {
      for (const path of ['/v1/jobs/abc', '/v1/jobs/-1', '/v1/jobs/1_2_3', '/v1/jobs/99999999999']) {
        expect((await request(gateway.url).get(path).expect(400)).body.error.code).toBe('invalid_request');
      }
      expect((await request(gateway.url).delete('/v1/jobs/1?signal=NOPE').expect(400)).body.error.message).toContain('signal');
      expect((await request(gateway.url).get('/v1/jobs?state=SLEEPING').expect(400)).body.error.message).toContain('state');
      expect((await request(gateway.url).get('/v1/jobs?colour=red').expect(400)).body.error.message).toContain('colour');
      expect((await request(gateway.url).patch('/v1/jobs/1').send({}).expect(400)).body.error.code).toBe('invalid_request');
    });

    it('answers 404 for unknown jobs on every job route', async () => {
      const unknown = 4_000_000_000;
      await request(gateway.url).get(`/v1/jobs/${unknown}`).expect(404);
      for (const action of ['hold', 'release', 'requeue', 'suspend', 'resume']) {
        const res = await request(gateway.url).post(`/v1/jobs/${unknown}/${action}`).expect(404);
        expect(res.body.error.code).toBe('job_not_found');
      }
      await request(gateway.url).delete(`/v1/jobs/${unknown}`).expect(404);
      await request(gateway.url).patch(`/v1/jobs/${unknown}`).send({ name: 'x' }).expect(404);
    });

    it('answers 502 with Slurm\'s reason when the scheduler refuses a submission', async () => {
      const sent = marked({ ...HELD, partition: 'no_such_partition' }, 'partition');
      const before = await submissionsRun();
      const res = await request(gateway.url).post('/v1/jobs').send(sent).expect(502);
      expect(res.body.error).toMatchObject({ code: 'scheduler_rejected', message: expect.stringMatching(/invalid partition/i) });
      // The gateway did submit (and the count shows it), Slurm refused: no job carries its name or directory.
      await createdNothing(before + 1, sent);
    });

    it('answers 409 when the job state forbids the action', async () => {
      const id = (await submit(HELD)).body.job_id;
      const res = await request(gateway.url).post(`/v1/jobs/${id}/suspend`).expect(409);
      expect(res.body.error.code).toBe('invalid_job_state');
    });

    it('answers JSON 404 for unknown routes and 405 for wrong methods', async () => {
      expect((await request(gateway.url).get('/v1/nope').expect(404)).body.error.code).toBe('not_found');
      const res = await request(gateway.url).put('/v1/jobs').expect(405);
      expect(res.body.error.code).toBe('method_not_allowed');
      expect(res.headers.allow).toContain('GET');
    });
  });
});
