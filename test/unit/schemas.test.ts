/**
 * The request schemas and limits at their edges: every bound on both sides, the characters that
 * must not pass, the output-location rules (including the script's #SBATCH lines and %x), and
 * the JSON answer for HTTP that Node's parser refuses.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import {
  cancelQuery, emptyQuery, hasDotDot, jobId, jobListQuery, outputQuery, scriptDirectives, signal, slurmName, submitBody, updateBody,
} from '../../src/http/schemas.js';
import { validate } from '../../src/http/validate.js';
import { gzipSync } from 'node:zlib';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import { pino } from 'pino';
import { bodyError, clientErrorResponse, installHttpLimits, LIMITS } from '../../src/http/limits.js';
import { errorBoundary } from '../../src/http/errors.js';
import { GatewayError } from '../../src/errors.js';

const SCRIPT = '#!/bin/sh\ntrue\n';
const ok = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) => schema.safeParse(value).success;
const submit = (extra: Record<string, unknown>) => ok(submitBody, { script: SCRIPT, ...extra });
/** The messages of a failed validation, one string. */
const why = (schema: Parameters<typeof validate>[0], value: unknown): string => {
  try {
    validate(schema, value, 'body');
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('invalid_request');
    return `${(error as GatewayError).message} ${JSON.stringify((error as GatewayError).details)}`;
  }
  throw new Error(`expected ${JSON.stringify(value)?.slice(0, 200)} to be refused`);
};

describe('job ids', () => {
  it.each([
    ['1', '1'], ['123_4', '123_4'], ['00042', '42'], ['7_007', '7_7'], ['4294967293', '4294967293'], ['5_0', '5_0'], ['5_4000000', '5_4000000'],
  ])('accepts %s as %s', (raw, canonical) => {
    expect(validate(jobId, raw, 'job id')).toBe(canonical);
  });

  it.each([
    '0', '-1', '+1', '1.0', '1e3', ' 1', '1 ', '1_', '_1', '1_2_3', 'abc', '', '0x10', '١٢٣', '1\u0000', '../1', '1/2',
    '4294967294', '4294967295', '99999999999', '1_4000001', '1_4294967294', '00000000000', String(Number.NaN), 'Infinity',
  ])('refuses %j', (raw) => {
    expect(ok(jobId, raw)).toBe(false);
  });

  it('refuses other types', () => {
    for (const value of [1, null, undefined, ['1'], { id: 1 }, true]) expect(ok(jobId, value)).toBe(false);
  });
});

describe('names, signals and filters', () => {
  it('takes Slurm names of 1-128 characters and nothing else', () => {
    expect(ok(slurmName, 'debug')).toBe(true);
    expect(ok(slurmName, 'a'.repeat(128))).toBe(true);
    for (const bad of ['', 'a'.repeat(129), '.hidden', '..', '-x', 'a b', 'a;b', 'a/b', 'a\u0000', 'ä', 'a$(id)', 'vm[1-2]', 'a,b']) {
      expect(ok(slurmName, bad)).toBe(false);
    }
  });

  it('takes signal names, with or without SIG and in any case, and numbers 1-64', () => {
    for (const good of ['USR1', 'sigusr1', 'SIGKILL', 'term', '1', '9', '64']) expect(ok(signal, good)).toBe(true);
    for (const bad of ['', '0', '65', '-9', '09', '1.5', 'NOPE', 'SIG', 'SIGSIGKILL', 'KILL;id', 'x'.repeat(1000), 'USR1\u0000']) {
      expect(ok(signal, bad)).toBe(false);
    }
    expect(validate(cancelQuery, { signal: 'sigusr2' }, 'query')).toEqual({ signal: 'USR2' });
    expect(ok(cancelQuery, { signal: ['KILL', 'TERM'] })).toBe(false);
  });

  it('validates every job-list filter, item by item, with bounded lists', () => {
    expect(validate(jobListQuery, { state: 'pending, running', job_id: '7,0008_1' }, 'query')).toEqual({ state: ['PENDING', 'RUNNING'], job_id: ['7', '8_1'] });
    for (const bad of [
      { state: 'SLEEPING' }, { state: ',,' }, { user: 'a b' }, { user: ['a', 'b'] }, { job_id: '1,x' }, { job_id: '0' },
      { partition: '$(id)' }, { name: 'a\u0000' }, { name: 'a\nb' }, { name: '\uD800' }, { colour: 'red' }, JSON.parse('{"__proto__": "x"}'),
      { job_id: Array.from({ length: LIMITS.filterItems + 1 }, (_, i) => i + 1).join(',') },
      { name: 'x'.repeat(LIMITS.filterChars + 1) },
    ]) {
      expect(ok(jobListQuery, bad)).toBe(false);
    }
    expect(ok(jobListQuery, Object.assign(Object.create(null), { constructor: 'x' }))).toBe(false);
  });

  it('refuses any query on routes that take none', () => {
    expect(ok(emptyQuery, {})).toBe(true);
    expect(ok(emptyQuery, { x: '' })).toBe(false);
  });

  it('bounds output ranges', () => {
    expect(validate(outputQuery, {}, 'query')).toEqual({ offset: 0, limit: 1024 * 1024 });
    expect(validate(outputQuery, { offset: '10', limit: String(LIMITS.outputRead) }, 'query')).toEqual({ offset: 10, limit: LIMITS.outputRead });
    for (const bad of [{ limit: '0' }, { limit: String(LIMITS.outputRead + 1) }, { offset: '-1' }, { offset: '1.5' }, { offset: '1e3' },
      { offset: '99999999999999999' }, { offset: 'NaN' }, { offset: '' }, { limit: ['1', '2'] }]) {
      expect(ok(outputQuery, bad)).toBe(false);
    }
  });
});

describe('submit bodies', () => {
  it('takes a minimal and a full body', () => {
    expect(submit({})).toBe(true);
    expect(submit({
      name: 'demo $(id) `x`; | & ü 🚀', partition: 'debug', time_limit: LIMITS.timeLimitMinutes, nodes: 1, ntasks: 1, cpus_per_task: LIMITS.cpusPerTask,
      memory_per_node: 64, working_directory: '/tmp', stdout: '/tmp/out-%j.txt', stderr: '/tmp/%x-%A_%a.err', environment: { A: 'x\ny', _B: '' },
      hold: true, account: 'root', qos: 'normal', comment: 'c', array: '0-15:4%2', dependency: 'afterok:1:2_3+5?singleton',
    })).toBe(true);
  });

  it.each([
    ['time_limit', 0], ['time_limit', LIMITS.timeLimitMinutes + 1], ['time_limit', -1], ['time_limit', 1.5], ['time_limit', '5'],
    ['nodes', 0], ['nodes', 1_000_001], ['ntasks', 10_000_001], ['cpus_per_task', LIMITS.cpusPerTask + 1], ['cpus_per_task', 65_536],
    ['memory_per_node', 1_000_000_001], ['memory_per_node', Number.MAX_SAFE_INTEGER + 2], ['nodes', Number.POSITIVE_INFINITY], ['nodes', Number.NaN],
    ['nodes', null], ['nodes', [1]], ['nodes', { n: 1 }], ['nodes', true], ['hold', 'true'], ['hold', 1], ['hold', null],
  ])('refuses %s = %p', (field, value) => {
    expect(submit({ [field]: value })).toBe(false);
  });

  it('bounds the script in UTF-8 bytes and refuses what Slurm would', () => {
    const pad = (bytes: number, char = 'x') => `#!/bin/sh\n#${char.repeat(Math.floor((bytes - 11) / Buffer.byteLength(char)))}`;
    expect(ok(submitBody, { script: pad(LIMITS.scriptBytes) })).toBe(true);
    expect(why(submitBody, { script: pad(LIMITS.scriptBytes + 1) })).toContain('bytes');
    expect(ok(submitBody, { script: pad(LIMITS.scriptBytes, 'é') + 'éé' })).toBe(false); // few characters, too many bytes
    for (const bad of ['', 'echo hi', ' #!/bin/sh', '#!/bin/sh\n\u0000', '#!/bin/sh\r\necho\r\n', '#!/bin/sh\n\uDC00', 42, null, ['#!/bin/sh']]) {
      expect(ok(submitBody, { script: bad })).toBe(false);
    }
  });

  it('takes printable Unicode in names and comments, not control characters or broken surrogates', () => {
    expect(submit({ name: '名前 ✓ 🚀', comment: '$(rm -rf ~); `id` | cat > /etc/x & "q" \'x\' \\' })).toBe(true);
    for (const bad of ['', 'a\nb', 'a\tb', 'a\u0000b', 'a\u007fb', 'a\u0085b', '\uD83D', 'x'.repeat(LIMITS.nameChars + 1)]) {
      expect(submit({ name: bad })).toBe(false);
    }
    expect(submit({ comment: 'x'.repeat(LIMITS.commentChars) })).toBe(true);
    expect(submit({ comment: 'x'.repeat(LIMITS.commentChars + 1) })).toBe(false);
  });

  it.each(['stdout', 'stderr', 'working_directory'])('%s must be absolute, without "..", control characters or oversize', (field) => {
    expect(submit({ [field]: '/tmp/a/./b..c/...' })).toBe(true);
    expect(submit({ [field]: `/${'x'.repeat(LIMITS.pathChars - 1)}` })).toBe(true);
    for (const bad of [
      'out.txt', './out', '~/out', '', '/tmp/../etc/passwd', '/..', '/tmp/..', '/tmp/a/../../b', '/tmp/.\\./etc/x', '/tmp/\\.\\./x',
      '/tmp/a\u0000b', '/tmp/a\nb', '/tmp/\uDFFF', `/${'x'.repeat(LIMITS.pathChars)}`, 42, ['/tmp'], null,
    ]) {
      expect(submit({ [field]: bad })).toBe(false);
    }
  });

  it('refuses %x in an output path when the job name would leave its directory', () => {
    expect(submit({ name: 'ok', stdout: '/tmp/%x.out' })).toBe(true);
    expect(submit({ stdout: '/tmp/%x.out' })).toBe(true); // the default name, "sbatch"
    expect(submit({ name: 'a/b', stdout: '/tmp/%j.out' })).toBe(true); // no %x: the name stays a name
    expect(why(submitBody, { script: SCRIPT, name: '../../etc/cron.d/x', stdout: '/tmp/%x' })).toContain('%x');
    for (const name of ['a/b', '..', '.', 'a\\b']) {
      expect(submit({ name, stderr: '/tmp/%10x.err' })).toBe(false);
    }
    expect(ok(submitBody, { script: '#!/bin/sh\n#SBATCH -J ../../x\n', stdout: '/tmp/%x' })).toBe(false);
    expect(ok(submitBody, { script: '#!/bin/sh\n#SBATCH -o /tmp/%x.out\n', name: 'a/../../b' })).toBe(false);
    expect(ok(submitBody, { script: '#!/bin/sh\n#SBATCH -J ../../x\n', name: 'safe', stdout: '/tmp/%x' })).toBe(true); // the request's name wins
  });

  it('applies the path rules to the output locations of #SBATCH lines, however they are written', () => {
    const script = (line: string) => `#!/bin/bash\n# a comment\n\n${line}\necho hi\n`;
    for (const good of ['#SBATCH -o out-%j.txt', '#SBATCH --output=/tmp/x', '#SBATCH --comment="wait..."', '#SBATCH -t 10 -p debug', '#SBATCH --error err.txt']) {
      expect(ok(submitBody, { script: script(good) })).toBe(true);
    }
    for (const bad of [
      '#SBATCH -o ../x', '#SBATCH -o../x', '#SBATCH --output=/tmp/../etc/x', '#SBATCH --output /tmp/../x', '#SBATCH --out=../x',
      '#SBATCH --e=../x', '#SBATCH --chdir=..', '#SBATCH -D /tmp/..', '#SBATCH -D..', '#SBATCH --input=../x', '#SBATCH -Ho ../x',
      '#SBATCH --output="/tmp/a b/../../x"', "#SBATCH -o '../x'", '#SBATCH -o .\\./x', '#SBATCH -o .\\\\./x', '#SLURM -o ../x',
      '#SBATCH --comment=a#b -o ../x', '#SBATCH --OUTPUT=../x',
    ]) {
      expect(ok(submitBody, { script: script(bad) })).toBe(false);
    }
    // After the first command sbatch reads no more directives.
    expect(ok(submitBody, { script: '#!/bin/sh\necho hi\n#SBATCH -o ../x\n' })).toBe(true);
    expect(scriptDirectives('#!/bin/sh\n  # indented comment\n#SBATCH -J n1 --job-name=n2 -e e -i i\n#SBATCH -D d\nx\n#SBATCH -o late\n'))
      .toEqual({ outputs: ['e', 'i'], owned: [], chdirs: ['d'], names: ['n1', 'n2'] });
  });

  it('bounds the environment: names, reserved prefixes, NUL, entries and bytes', () => {
    expect(submit({ environment: {} })).toBe(true);
    expect(submit({ environment: { PATH: '/bin', X: 'a\nb $(id)', ['A'.repeat(LIMITS.envNameChars)]: '' } })).toBe(true);
    for (const bad of [
      { 'A=B': 'x' }, { '1A': 'x' }, { '': 'x' }, { 'A-B': 'x' }, { 'A B': 'x' }, { 'Ä': 'x' }, { ['A'.repeat(LIMITS.envNameChars + 1)]: 'x' },
      { SLURM_CONF: '/x' }, { SBATCH_PARTITION: 'x' }, { A: 'x\u0000y' }, { A: 1 }, { A: null }, { A: ['x'] }, { A: '\uD800' },
      { A: 'x'.repeat(LIMITS.envEntryBytes) }, ['A'], 'A=B', null,
    ]) {
      expect(submit({ environment: bad })).toBe(false);
    }
    const entries = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`V${i}`, 'x']));
    expect(submit({ environment: entries(LIMITS.envEntries) })).toBe(true);
    expect(why(submitBody, { script: SCRIPT, environment: entries(LIMITS.envEntries + 1) })).toContain(`at most ${LIMITS.envEntries} entries`);
    const big = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`V${i}`, 'x'.repeat(120 * 1024)]));
    expect(why(submitBody, { script: SCRIPT, environment: big })).toContain('in total');
    expect(submit({ environment: JSON.parse('{"__proto__": "x"}') })).toBe(false);
    expect(submit({ environment: JSON.parse('{"__proto__": {"A": "x"}}') })).toBe(false);
  });

  it('refuses unknown fields, prototype keys and non-objects', () => {
    for (const bad of [
      { script: SCRIPT, colour: 'red' }, JSON.parse(`{"script": ${JSON.stringify(SCRIPT)}, "__proto__": {"hold": true}}`),
      { script: SCRIPT, constructor: 'x' }, null, [], 'x', 42, [{ script: SCRIPT }],
    ]) {
      expect(ok(submitBody, bad)).toBe(false);
    }
  });

  it('checks array specs and dependencies, job ids included', () => {
    for (const good of ['1', '1-10', '1,3,5', '0-15:4%2', '9999999']) expect(submit({ array: good })).toBe(true);
    for (const bad of ['', '-1', '1-', '1-3; rm', '1..3', '10000000', 'a', '1-10%', '%2']) expect(submit({ array: bad })).toBe(false);
    for (const good of ['afterok:1', 'after:1+5:2_3', 'singleton', 'afterany:4294967293,afterok:7', 'afternotok:1?aftercorr:2']) {
      expect(submit({ dependency: good })).toBe(true);
    }
    for (const bad of ['afterok', 'afterok:', 'afterok:0', 'afterok:4294967294', 'afterok:9999999999', 'afterok:1_4000001', 'afterok:1 && x', 'before:1', '']) {
      expect(submit({ dependency: bad })).toBe(false);
    }
  });

  it('resists regular-expression blow-ups on long near-misses', () => {
    const started = Date.now();
    for (const value of [`afterok${':1'.repeat(400)}!`, `${'1,'.repeat(400)}x`, `${'1-2:3,'.repeat(150)}%`]) {
      expect(submit({ dependency: value })).toBe(false);
      expect(submit({ array: value })).toBe(false);
    }
    const directives = `#!/bin/sh\n${'#SBATCH '.padEnd(2000, '"\\ -o ')}\n`.repeat(200);
    submitBody.safeParse({ script: directives });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('update bodies', () => {
  it('takes the fields it can change, within bounds', () => {
    expect(ok(updateBody, { name: 'x', time_limit: LIMITS.timeLimitMinutes, nice: -2_147_483_645, dependency: 'afterok:1' })).toBe(true);
    for (const bad of [
      {}, { nice: 2_147_483_646 }, { nice: 0.5 }, { time_limit: LIMITS.timeLimitMinutes + 1 }, { time_limit: 71_582_788 }, { name: '' },
      { name: 'a\u0000' }, { script: SCRIPT }, { hold: true }, { partition: '../x' }, { comment: 'x'.repeat(LIMITS.commentChars + 1) }, null, [],
    ]) {
      expect(ok(updateBody, bad)).toBe(false);
    }
  });
});

describe('validate()', () => {
  it('names each field, caps the list of issues, and shortens echoed unknown keys', () => {
    const env = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`${i}bad`, 'x']));
    const error = (() => { try { validate(submitBody, { script: SCRIPT, environment: env }, 'body'); } catch (e) { return e as GatewayError; } })()!;
    expect(error.status).toBe(400);
    const details = error.details as { issues: unknown[]; more_issues?: number };
    expect(details.issues.length).toBeLessThanOrEqual(20);
    expect(details.more_issues).toBeGreaterThan(0);
    const keys = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}${'x'.repeat(10_000)}`, 1]));
    const message = why(submitBody, { script: SCRIPT, ...keys });
    expect(message.length).toBeLessThan(5000);
    expect(message).toContain('and 40 more');
  });
});

describe('HTTP the parser refuses', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    // Reads the whole body before answering, as the gateway does, so a body error comes first.
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => { res.setHeader('Content-Type', 'application/json'); res.end('{"ok":true}'); });
    });
    installHttpLimits(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const raw = (data: string) => new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (chunk) => { out += chunk.toString(); });
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
    socket.end(data);
  });
  const parse = (response: string) => {
    const [head, body] = response.split('\r\n\r\n');
    return { status: Number(head!.split(' ')[1]), head: head!, body: JSON.parse(body!) };
  };

  it('answers oversized headers with a JSON 431', async () => {
    const res = parse(await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(res.status).toBe(431);
    expect(res.head).toMatch(/Content-Type: application\/json/);
    expect(res.body).toEqual({ error: { code: 'headers_too_large', message: expect.stringContaining('16384') } });
  });

  it('answers an HTTP/1.1 request without Host with a JSON 400, and serves HTTP/1.0 without one', async () => {
    const res = parse(await raw('GET / HTTP/1.1\r\n\r\n'));
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'invalid_request', message: expect.stringContaining('Host') });
    expect(parse(await raw('GET / HTTP/1.0\r\n\r\n')).body).toEqual({ ok: true });
  });

  it('answers an oversized HEAD request with headers only', async () => {
    const out = await raw(`HEAD /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 431 [^]*\r\n\r\n$/);
  });

  it('answers an oversized request line with a JSON 431', async () => {
    expect(parse(await raw(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)).status).toBe(431);
  });

  it.each([
    ['garbage', 'GARBAGE\r\n\r\n'],
    ['a bad Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'],
    ['a NUL in the request line', 'GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a bad chunk', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['both Content-Length and chunked', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
  ])('answers %s with a JSON 400', async (_what, request) => {
    const res = parse(await raw(request));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
  });

  it('answers a malformed request on a kept-alive connection after a good one', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
        if (text.includes('{"ok":true}') && !text.includes('GARBAGE-SENT')) { text += 'GARBAGE-SENT'; socket.write('GARBAGE\r\n\r\n'); }
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(out).toContain('{"ok":true}');
    expect(out.split('GARBAGE-SENT')[1]).toMatch(/^HTTP\/1\.1 400 [^]*"invalid_request"/);
  });

  it('builds well-formed responses for each kind', () => {
    for (const code of ['HPE_HEADER_OVERFLOW', 'HPE_CHUNK_EXTENSIONS_OVERFLOW', 'ERR_HTTP_REQUEST_TIMEOUT', 'HPE_INVALID_METHOD', undefined]) {
      const text = clientErrorResponse(code);
      const [head, body] = text.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(head).toContain(`Content-Length: ${Buffer.byteLength(body!)}`);
      expect(JSON.parse(body!).error).toEqual({ code: expect.any(String), message: expect.any(String) });
    }
    expect(hasDotDot('/a/.\\./b')).toBe(true);
  });
});

describe('bodies that cannot be read (koa-body onError: bodyError)', () => {
  // The gateway's own stack: the error boundary, then koa-body as src/routes.ts configures it.
  const app = new Koa();
  app.silent = true;
  app.use(errorBoundary(pino({ level: 'silent' })));
  app.use(koaBody({ json: true, multipart: false, urlencoded: false, text: false, jsonLimit: '64kb', jsonStrict: true, onError: bodyError }));
  app.use((ctx) => { ctx.body = { got: Object.keys(ctx.request.body ?? {}) }; });
  let server: Server;
  beforeAll(async () => {
    server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  /** A POST with exactly these bytes and headers (supertest would re-encode some bodies). */
  const post = (body: string | Buffer, headers: Record<string, string>) => new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = httpRequest({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'Content-Length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });

  it.each(['gzip', 'deflate', 'br'])('answers a corrupt %s body with a JSON 400, not a 500', async (encoding) => {
    const res = await post(Buffer.from('not compressed at all'), { 'Content-Type': 'application/json', 'Content-Encoding': encoding });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
  });

  it('reads a valid gzip body, and answers a gzip bomb with 413', async () => {
    expect((await post(gzipSync('{"a":1}'), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' })).body).toEqual({ got: ['a'] });
    const bomb = await post(gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20)), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    expect(bomb.body.error.code).toBe('payload_too_large');
  });

  it.each([
    ['an unknown Content-Encoding', '{}', { 'Content-Encoding': 'weird' }, 415, 'unsupported_media_type'],
    ['too large a body', `{"a":"${'x'.repeat(70_000)}"}`, {}, 413, 'payload_too_large'],
    ['truncated JSON', '{"a":', {}, 400, 'invalid_request'],
    ['a JSON scalar', '"x"', {}, 400, 'invalid_request'],
    ['NaN', '{"a":NaN}', {}, 400, 'invalid_request'],
    ['a __proto__ key', '{"__proto__":{"x":1}}', {}, 400, 'invalid_request'],
    ['deep nesting', `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, { }, 413, 'payload_too_large'],
    ['deep nesting under the limit', `{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`, { }, 200, undefined],
    ['deep nesting beside a __proto__-like key', `{"__proto__x":${'['.repeat(30_000)}${']'.repeat(30_000)}}`, { }, 200, undefined],
  ])('answers %s with its 4xx (or 200)', async (_what, body, headers, status, code) => {
    const res = await post(body, { 'Content-Type': 'application/json', ...headers });
    expect(res.status).toBe(status);
    if (code) expect(res.body.error).toEqual({ code, message: expect.any(String) });
  });

  it('keeps GatewayErrors as they are', () => {
    const original = new GatewayError('invalid_request', 'x');
    expect(() => bodyError(original)).toThrow(original);
  });
});

describe('#SBATCH options the gateway decides (issue #9)', () => {
  const script = (line: string) => `#!/bin/sh\n${line}\ntrue\n`;
  it.each([
    ['#SBATCH --uid=0', /--uid is not allowed: the job runs as its caller/],
    ['#SBATCH --gid=0', /--gid is not allowed/],
    ['#SBATCH --ui=root', /--ui is not allowed/],
    ['#SBATCH --export=ALL', /--export is not allowed: the job environment/],
    ['#SBATCH --export-file=/etc/shadow', /--export-file is not allowed/],
    ['#SBATCH --get-user-env', /--get-user-env is not allowed/],
    ['#SBATCH --wait', /--wait is not allowed/],
    ['#SBATCH -W', /-W is not allowed/],
    ['#SBATCH --test-only', /--test-only is not allowed/],
    ['#SBATCH -HQ', /-Q is not allowed: the gateway reads the job id/],
    ['#SBATCH --quiet', /--quiet is not allowed/],
    ['#SBATCH -M other', /-M is not allowed/],
    ['#SBATCH --clusters=other', /--clusters is not allowed/],
    ['#SLURM --uid=0', /--uid is not allowed/],
    ['#SBATCH -p debug -Q', /-Q is not allowed/],
  ])('refuses %s with a 400 reason', (line, message) => {
    const parsed = submitBody.safeParse({ script: script(line) });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(message);
  });

  it.each(['#SBATCH --wait-all-nodes=1', '#SBATCH --cluster-constraint=x', '#SBATCH -o /tmp/x-%j', '#SBATCH --usage', '#SBATCH -pQ', '# SBATCH --uid=0'])(
    'lets %s through (not an owned option, inside an option\'s argument, or not a directive)', (line) => {
      expect(submitBody.safeParse({ script: script(line) }).success).toBe(true);
    });

  it('stops reading directives at the first command, as sbatch does', () => {
    expect(submitBody.safeParse({ script: '#!/bin/sh\necho hi\n#SBATCH --uid=0\n' }).success).toBe(true);
  });
});
