/**
 * A browser's cross-site request that changes something is refused (403) before authentication,
 * whatever the auth mode: `POST /v1/jobs/{id}/hold` has no body, so a page on another site could
 * send it without a preflight. Built in-process; an allowed request is shown by the 400 that the
 * invalid job id "abc" gets after the check (nothing reaches Slurm).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { compose } from '../../src/compose.js';
import { createApp } from '../../src/app.js';
import { parseOptions, type GatewayOptions } from '../../src/options.js';

if (!process.env.SLURM_CONF) {
  const dir = mkdtempSync(join(tmpdir(), 'sr-cross-site-'));
  writeFileSync(join(dir, 'slurm.conf'), '# stands in for a configuration: nothing here reaches Slurm\n');
  process.env.SLURM_CONF = join(dir, 'slurm.conf');
}

const gateway = compose(parseOptions(['--executor=external', '--application=coroutine', '--parallel=1', '--log-level=silent', '--cors-origins=https://portal.example']) as GatewayOptions);
const app = createApp(gateway).callback();
afterAll(() => gateway.dispatcher.close(0));

const send = (method: 'post' | 'patch' | 'delete' | 'get', path: string, headers: Record<string, string>) => {
  let req = request(app)[method](path).set('Host', 'gw.example:8888');
  for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
  return method === 'patch' ? req.send({ comment: 'x' }) : req;
};

describe('cross-site writes', () => {
  it.each([
    ['post', '/v1/jobs/abc/hold', { Origin: 'https://evil.example' }],
    ['post', '/v1/jobs/abc/release', { Origin: 'http://gw.example:9999' }],
    ['delete', '/v1/jobs/abc', { Origin: 'https://evil.example' }],
    ['patch', '/v1/jobs/abc', { Origin: 'https://evil.example' }],
    ['post', '/v1/jobs/abc/hold', { Origin: 'null' }],
    ['post', '/v1/jobs/abc/hold', { 'Sec-Fetch-Site': 'cross-site' }],
  ] as const)('%s %s with %j: 403 forbidden, saying why', async (method, path, headers) => {
    const res = await send(method, path, headers);
    expect([res.status, res.body.error?.code]).toEqual([403, 'forbidden']);
    expect(res.body.error.message).toMatch(/may not .* here: only the gateway's own pages and --cors-origins/);
  });

  it.each([
    ['post', '/v1/jobs/abc/hold', {}],
    ['post', '/v1/jobs/abc/hold', { Origin: 'https://gw.example:8888' }],
    ['post', '/v1/jobs/abc/hold', { Origin: 'https://portal.example' }],
    ['post', '/v1/jobs/abc/hold', { 'Sec-Fetch-Site': 'same-origin' }],
    ['delete', '/v1/jobs/abc', { Origin: 'http://GW.example:8888' }],
    ['get', '/v1/jobs/abc', { Origin: 'https://evil.example' }],
  ] as const)('%s %s with %j goes on (400 for the job id, after the check)', async (method, path, headers) => {
    const res = await send(method, path, headers);
    expect([res.status, res.body.error?.code]).toEqual([400, 'invalid_request']);
  });
});
