/**
 * Issue #9, item 9: HTTP the gateway must still answer in its own JSON. CONNECT was closed with no
 * answer at all; a client too slow with its headers or body was reset (at 44 s and 74 s) instead
 * of getting the JSON 408 the README promises. The gateway runs with --timeout=1 here, so the
 * request timeout is 7 s (2 x timeout + 5 s), and so is the headers timeout (20 s, or the request
 * timeout when that is shorter).
 */
import { connect } from 'node:net';
import { startGateway, type Gateway } from '../support/gateway.js';

let gateway: Gateway;
beforeAll(async () => { gateway = await startGateway(['--executor=external', '--application=coroutine', '--timeout=1']); });
afterAll(async () => { await gateway?.stop(); });

/** Writes `head` (then `trickle` one byte a second), collects the answer until the server closes, up to `seconds`. */
function exchange(head: string, seconds: number, trickle = ''): Promise<{ text: string; ms: number }> {
  const url = new URL(gateway.url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    let i = 0;
    const drip = () => { if (i < trickle.length && !text) { socket.write(trickle[i++]!); timer = setTimeout(drip, 1000); } };
    const done = () => { clearTimeout(timer); clearTimeout(limit); resolve({ text, ms: Date.now() - started }); };
    const limit = setTimeout(() => { socket.destroy(); done(); }, seconds * 1000);
    socket.on('connect', () => { socket.write(head); drip(); });
    socket.on('data', (chunk) => { text += chunk.toString('latin1'); });
    socket.on('close', done);
    socket.on('error', () => { /* reported by close */ });
  });
}

const jsonError = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).error as { code: string; message: string };

test('CONNECT gets 405 in JSON with Allow, not a closed socket', async () => {
  const { text } = await exchange('CONNECT localhost:22 HTTP/1.1\r\nHost: localhost:22\r\n\r\n', 10);
  expect(text).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
  expect(text).toMatch(/\r\nAllow: GET, HEAD, POST, PATCH, DELETE\r\n/);
  expect(jsonError(text).code).toBe('method_not_allowed');
});

test('headers trickled past the headers timeout: JSON 408 within about a second of it', async () => {
  const { text, ms } = await exchange('GET /v1/health HTTP/1.1\r\nHost: x\r\n', 25, `X-Slow: ${'a'.repeat(60)}\r\n\r\n`);
  expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  expect(jsonError(text).code).toBe('request_timeout');
  expect(ms).toBeGreaterThanOrEqual(6_000);
  expect(ms).toBeLessThan(10_000);
}, 30_000);

test('a body that stops arriving: JSON 408 within about a second of the request timeout', async () => {
  const { text, ms } = await exchange('POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"scr', 30);
  expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  expect(jsonError(text).code).toBe('request_timeout');
  expect(ms).toBeGreaterThanOrEqual(6_000);
  expect(ms).toBeLessThan(10_000);
}, 35_000);
