/**
 * Troubleshooting (#13) against the real private cluster: an inline-mode gateway at
 * --log-level=debug logs each scheduler call (sbatch's argv, or the libslurm function and its key
 * arguments) with the request's id, never the caller's token, the script or the job's variables;
 * every answer has Server-Timing; ?trace=1 answers the same records; and records made in a worker
 * thread or a child process reach the main process's log and the answer.
 */
import request from 'supertest';
import { startGateway, type Gateway } from '../support/gateway.js';
import { startServiceGateway, token } from '../support/identity.js';

interface LogLine { level: number; msg: string; requestId?: string; call?: Record<string, unknown> & { name: string; args: unknown }; slurm?: { calls: number; ms: number } }

const parsed = (gateway: Gateway): LogLine[] => gateway.logs.flatMap((line) => { try { return [JSON.parse(line) as LogLine]; } catch { return []; } });

/** The log lines of one request, once its `request` line (written before the answer) has been read. */
async function linesOf(gateway: Gateway, requestId: string): Promise<LogLine[]> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const lines = parsed(gateway).filter((l) => l.requestId === requestId);
    if (lines.some((l) => l.msg === 'request')) return lines;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no request line for ${requestId} in ${gateway.logs.length} lines`);
}

const MARKER = `sr-script-body-${process.pid}`;
const SECRET = `sr-env-value-${process.pid}`;

describe.each(['external', 'internal'])('--executor=%s --application=inline --log-level=debug --auth=jwt', (executor) => {
  let gateway: Gateway;
  let jwt: string;
  beforeAll(async () => {
    gateway = await startServiceGateway(executor, 'inline', ['--log-level=debug', '--allow-trace']);
    jwt = await token('alice');
  });
  afterAll(async () => { await gateway?.stop(); });

  it('logs the submission\'s scheduler call with the request id, its token, script and variables left out; Server-Timing and ?trace=1 show it', async () => {
    const body = { script: `#!/bin/sh\necho ${MARKER}\n`, name: 'sr-trace', hold: true, environment: { SR_TRACE_VALUE: SECRET } };
    const res = await request(gateway.url).post('/v1/jobs?trace=1').set('Authorization', `Bearer ${jwt}`).send(body);
    expect(res.status).toBe(201);
    const requestId = res.headers['x-request-id'] as string;
    const lines = await linesOf(gateway, requestId);
    const calls = lines.filter((l) => l.call).map((l) => l.call!);
    const submit = calls.find((c) => c.name === (executor === 'external' ? 'sbatch' : 'slurm_submit_batch_job'));
    expect(submit).toBeDefined();
    expect(lines.find((l) => l.call === submit)!.level).toBe(20); // debug
    if (executor === 'external') {
      expect(submit!.args).toEqual(expect.arrayContaining(['--parsable', '--job-name=sr-trace', '--hold']));
      expect(submit!.input_bytes).toBe(Buffer.byteLength(body.script));
      expect(submit!.exit_code).toBe(0);
    } else {
      expect(submit!.args).toMatchObject({ name: 'sr-trace', script: `[${Buffer.byteLength(body.script)} bytes]`, user_id: 1001 });
      expect(typeof (submit!.args as { environment: unknown }).environment).toBe('string');
    }
    const all = lines.map((l) => JSON.stringify(l)).join('\n') + JSON.stringify(res.body);
    for (const secret of [jwt, jwt.split('.')[2]!, MARKER, SECRET]) expect(all).not.toContain(secret);
    expect(lines.find((l) => l.msg === 'request')!.slurm!.calls).toBe(calls.length);
    expect(res.headers['server-timing']).toMatch(new RegExp(`slurm;dur=[\\d.]+;desc="${submit!.name}"`));
    expect(res.headers['server-timing']).toMatch(/total;dur=\d+;desc="request"$/);
    expect(res.body.trace.map((c: { name: string }) => c.name)).toEqual(calls.map((c) => c.name));
    await request(gateway.url).delete(`/v1/jobs/${res.body.job_id}`).set('Authorization', `Bearer ${jwt}`).expect(202);
  });

  it('sends Server-Timing and X-Request-Id on errors too (401, 404, 405)', async () => {
    for (const res of [
      await request(gateway.url).get('/v1/jobs'),
      await request(gateway.url).get('/v1/nope').set('Authorization', `Bearer ${jwt}`),
      await request(gateway.url).put('/v1/jobs').set('Authorization', `Bearer ${jwt}`),
    ]) {
      expect([401, 404, 405]).toContain(res.status);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['server-timing']).toMatch(/^total;dur=\d+;desc="request"$/);
    }
  });
});

describe.each([
  ['internal', 'thread'], ['external', 'thread'], ['internal', 'process'], ['external', 'process'],
])('--executor=%s --application=%s: call records come back from the worker', (executor, application) => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=1', '--log-level=debug', '--allow-trace', '--no-coalesce']);
  });
  afterAll(async () => { await gateway?.stop(); });

  it('logs them in the main process with the request id and answers them to ?trace=1', async () => {
    const res = await request(gateway.url).get('/v1/partitions?trace=1').set('X-Request-Id', `trace-${application}-${executor}`);
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe(`trace-${application}-${executor}`);
    const lines = await linesOf(gateway, `trace-${application}-${executor}`);
    const calls = lines.filter((l) => l.call).map((l) => l.call!);
    expect(calls.map((c) => c.name)).toEqual(res.body.trace.map((c: { name: string }) => c.name));
    expect(calls[0]).toMatchObject(executor === 'external' ? { via: 'tool', name: 'scontrol', daemon: 'slurmctld' } : { via: 'libslurm', name: 'slurm_load_partitions' });
    expect(res.body.partitions.length).toBeGreaterThan(0);
    expect(res.headers['server-timing']).toContain(`desc="${calls[0]!.name}"`);
  });
});

describe('--no-server-timing, and ?trace without --allow-trace', () => {
  let gateway: Gateway;
  beforeAll(async () => { gateway = await startGateway(['--application=inline', '--no-server-timing']); });
  afterAll(async () => { await gateway?.stop(); });

  it('sends no Server-Timing, and says how to turn trace on', async () => {
    const plain = await request(gateway.url).get('/v1/partitions');
    expect(plain.status).toBe(200);
    expect(plain.headers['server-timing']).toBeUndefined();
    const traced = await request(gateway.url).get('/v1/partitions?trace=1');
    expect(traced.status).toBe(400);
    expect(traced.body.error.message).toContain('--allow-trace');
    expect(traced.headers['x-request-id']).toBeDefined();
  });
});
