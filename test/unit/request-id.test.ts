/** X-Request-Id (#13): on every answer, Koa's and those written below it, and on every log line of the request. */
import { Writable } from 'node:stream';
import Koa from 'koa';
import request from 'supertest';
import { pino } from 'pino';
import { requestContext } from '../../src/http/request-context.js';
import { errorBoundary } from '../../src/http/errors.js';
import { clientErrorResponse, connectResponse } from '../../src/http/limits.js';
import { GatewayError } from '../../src/errors.js';

function app(fail: () => never) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString())); done(); } }));
  const koa = new Koa();
  koa.silent = true;
  koa.use(requestContext(logger, { timeoutMs: 1000 }));
  koa.use(errorBoundary(logger));
  koa.use(async (ctx) => {
    ctx.state.request.record!({ via: 'tool', name: 'squeue', daemon: 'slurmctld', args: ['--me'], ms: 1.5, exit_code: 0 });
    ctx.state.logger.info('handler');
    fail();
  });
  return { koa, lines };
}

describe('X-Request-Id', () => {
  it('is the caller\'s when well-formed, on an error answer, and on every log line of the request', async () => {
    const { koa, lines } = app(() => { throw new GatewayError('job_not_found', 'No job 1'); });
    const res = await request(koa.callback()).get('/v1/jobs/1').set('X-Request-Id', 'abc-123');
    expect(res.status).toBe(404);
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.headers['server-timing']).toMatch(/^slurm;dur=1\.5;desc="squeue", total;dur=\d+;desc="request"$/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => l.msg)).toEqual(['scheduler call: squeue exit 0, 1.5 ms', 'handler', 'No job 1', 'request']);
    expect(lines.every((l) => l.requestId === 'abc-123')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ level: 30, status: 404, slurm: { calls: 1, ms: 1.5, coalesced: 0 } });
    expect(lines.find((l) => l.msg === 'No job 1')).toMatchObject({ level: 20 }); // a caller's 4xx: debug, no stack
    expect(lines.find((l) => l.msg === 'No job 1')).not.toHaveProperty('err');
  });

  it('is generated when the caller\'s is missing or malformed; a bug is logged at error with its stack', async () => {
    const { koa, lines } = app(() => { throw new TypeError('oops'); });
    const res = await request(koa.callback()).get('/v1/jobs').set('X-Request-Id', 'bad id with spaces');
    expect(res.status).toBe(500);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((resolve) => setImmediate(resolve));
    const bug = lines.find((l) => l.level === 50) as { err?: { stack?: string }; requestId?: string };
    expect(bug.err?.stack).toContain('TypeError: oops');
    expect(bug.requestId).toBe(res.headers['x-request-id']);
  });

  it('is on the answers written for requests Node\'s parser refuses, and for CONNECT', () => {
    expect(clientErrorResponse('HPE_HEADER_OVERFLOW', 16384, 'r-1').split('\r\n\r\n')[0]).toContain('X-Request-Id: r-1');
    expect(clientErrorResponse(undefined).split('\r\n\r\n')[0]).toMatch(/X-Request-Id: [0-9a-f-]{36}/);
    expect(connectResponse('r-2').split('\r\n\r\n')[0]).toContain('X-Request-Id: r-2');
  });
});
