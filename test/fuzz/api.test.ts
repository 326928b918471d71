/**
 * Property-based fuzzing of the API (fast-check) against the real gateway and the real cluster,
 * for each executor (--application=thread). Thousands of malformed requests: wrong types, huge,
 * negative, fractional and non-JSON numbers, Unicode, NUL and control characters, shell
 * metacharacters, deep nesting, very long strings, path traversal in URL paths and in output
 * locations (fields and #SBATCH lines), broken encodings, malformed HTTP. The properties:
 *
 * - no answer is a 500 and the gateway stays up (a final /v1/health answers 200), event streams
 *   and output follows included (a stream that opens is closed at once);
 * - every error answer is JSON `{ error: { code, message, details? } }`;
 * - a refused submission creates no job: every generated submission carries this run's marker in
 *   its name and comment, and no job with the marker exists afterwards but those of valid requests;
 * - a refused request changes nothing: a held job of ours keeps its fields under malformed
 *   actions and updates;
 * - no file is created outside where a valid request puts it: every generated path ends in a
 *   component carrying the marker, and afterwards no entry with the marker exists in the
 *   directories a traversal could reach, nor anything new in /, /etc and /usr; valid submissions
 *   with hostile (but legal) strings write only the files they name, in a scratch directory, and
 *   their strings reach the job as data (the job prints an environment value back verbatim).
 *
 * Bodies meant to be invalid are checked against the schema before they are sent, so a generator
 * mistake can never submit a runnable job; every job created is cancelled.
 * SR_FUZZ_SCALE multiplies the number of runs (default 1); SR_FUZZ_SEED replays a failure.
 */
import * as fc from 'fast-check';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseQuery } from 'node:querystring';
import { brotliCompressSync, constants as zlibConstants, deflateSync, gzipSync } from 'node:zlib';
import { ROOT, startGateway, type Gateway } from '../support/gateway.js';
import { availableExecutors } from '../support/executors.js';
import { cancelQuery, emptyQuery, isWellFormed, jobId as jobIdSchema, submitBody, updateBody } from '../../src/http/schemas.js';
import { LIMITS } from '../../src/http/limits.js';

const RUN = `fz${randomBytes(4).toString('hex')}`;
const SCRATCH = mkdtempSync(join(tmpdir(), `${RUN}-ok-`));
const SCALE = Number(process.env.SR_FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const SEED = process.env.SR_FUZZ_SEED === undefined ? undefined : Number(process.env.SR_FUZZ_SEED);
const params = (numRuns: number) => ({ numRuns: runs(numRuns), ...(SEED !== undefined && { seed: SEED }), endOnFailure: true });

/** Where a traversal could land: listed before and after (names only). */
const WATCHED = [...new Set(['/', '/tmp', '/var/tmp', '/dev/shm', '/etc', '/usr', '/var', homedir(), ROOT, dirname(ROOT), join(ROOT, 'test'), process.cwd()])];
/** Nobody else writes there while the suite runs: anything new is a failure. */
const QUIET = ['/', '/etc', '/usr'];

// ---------------------------------------------------------------------------------------------
// JSON with what JSON.stringify cannot write: raw tokens (NaN, 1e400, 0x10), duplicate and
// __proto__ keys.

class Raw { constructor(readonly text: string) {} }
class Entries { constructor(readonly entries: Array<[string, unknown]>) {} }

function toJson(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Entries) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') return toJson(new Entries(Object.entries(value)));
  return JSON.stringify(value) ?? 'null';
}

/** What the gateway would see after JSON parsing, or undefined when the text is not JSON. */
function parsed(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const NASTY = [
  `$(touch /tmp/${RUN}-pwn1)`, `\`touch /tmp/${RUN}-pwn2\``, `; touch /tmp/${RUN}-pwn3`, `| tee /tmp/${RUN}-pwn4`, '&& id', '${IFS}', '\u0000', '\n', '\r\n',
  '\t', '\u001b[31m', '\u007f', '\u0085', '\u2028', '\uD800', '\uDFFF', '💥', 'é', 'İ', '\uFEFF', '%x', '%j', '%', '%00', '%2e%2e%2f', '../', '..', '/..',
  '\\', '"', "'", '{', '}', '<script>', '*', '?', '~', 'A=B', '--help', '-o', ' ', '', 'null', 'NaN', '-1', '1e309', '#SBATCH', '\\\\..', '/etc/passwd',
];
const CONTROL_CHARS = ['\u0000', '\n', '\r', '\t', '\u0001', '\u001b', '\u007f', '\u0085', '\u009f'];
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const nasty = fc.constantFrom(...NASTY);
const control = fc.constantFrom(...CONTROL_CHARS);
const hostile: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: nasty, weight: 3 },
  { arbitrary: fc.array(nasty, { minLength: 1, maxLength: 6 }).map((a) => a.join('')), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }), weight: 2 },
  { arbitrary: fc.tuple(fc.string({ maxLength: 10 }), nasty, fc.string({ unit: 'binary', maxLength: 10 })).map((p) => p.join('')), weight: 2 },
  { arbitrary: fc.integer({ min: 200, max: 20_000 }).map((n) => 'x'.repeat(n)), weight: 1 },
);
const RAW_NUMBERS = ['NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '0x10', '01', '+1', '.5', '1.', '123456789012345678901234567890', '1e-400', '-0', '1_000'];
const rawNumber = fc.constantFrom(...RAW_NUMBERS).map((t) => new Raw(t));
const deep = fc.integer({ min: 50, max: 20_000 }).map((n) => new Raw(`${'['.repeat(n)}${']'.repeat(n)}`));
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double(), hostile, rawNumber, deep,
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);
const notString = anyJson.filter((v) => typeof v !== 'string');
const notBoolean = anyJson.filter((v) => typeof v !== 'boolean');
const notObject = anyJson.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Raw);

/** Never a valid positive integer up to `max`. */
const badNumber = (max: number) => fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 0 }),
  fc.nat().map((n) => max + 1 + n),
  fc.double({ noInteger: true }),
  fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53, 2 ** 64, 1e308, -1e308, 4_294_967_294, 4_294_967_295).filter((v) => v > max || v < 1),
  rawNumber,
  anyJson.filter((v) => typeof v !== 'number'),
);

/** A path that must be refused; its last component carries the marker. */
const traversal = fc.tuple(
  fc.constantFrom(SCRATCH, '/tmp', '', ROOT, homedir()), fc.integer({ min: 1, max: 8 }),
  fc.constantFrom('etc', 'tmp', 'root', 'work/main', 'var/tmp', 'usr', ''), fc.constantFrom('../', '..\\/', '.\\./', '\\.\\./', '../../'), fc.nat(),
).map(([base, k, target, up, n]) => `${base}/${up.repeat(k)}${target ? `${target}/` : ''}${RUN}-t${n}`);
const badPath = fc.oneof(
  { arbitrary: traversal, weight: 4 },
  { arbitrary: fc.tuple(fc.constantFrom('', './', '~/', 'tmp/', '../', 'x'), hostile, fc.nat()).map(([p, s, n]) => `${p}${s}/${RUN}-r${n}`).filter((s) => !s.startsWith('/')), weight: 2 },
  { arbitrary: fc.tuple(control, fc.nat()).map(([c, n]) => `${SCRATCH}/a${c}b/${RUN}-c${n}`), weight: 1 },
  { arbitrary: fc.constantFrom(`${SCRATCH}/\uD800${RUN}`, `${SCRATCH}/${'x'.repeat(LIMITS.pathChars)}${RUN}`, ''), weight: 1 },
  { arbitrary: notString, weight: 1 },
);

const SLURM_NAME = /^[A-Za-z0-9_][A-Za-z0-9._@-]{0,127}$/;
const badSlurmName = fc.oneof(hostile.filter((s) => !SLURM_NAME.test(s)), notString);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;
const goodEnvName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,12}$/).filter((n) => !/^(SLURM_|SBATCH_)/.test(n));
const badEnvName = fc.oneof(
  hostile.filter((n) => !ENV_NAME.test(n)),
  fc.constantFrom('1A', 'A=B', '', 'A B', 'Ä', 'A-B', '__proto__', 'SLURM_CONF', 'SBATCH_PARTITION', 'SLURM_JWT', 'A'.repeat(LIMITS.envNameChars + 1)),
);
const badEnvironment = fc.oneof(
  notObject,
  fc.tuple(badEnvName, hostile.filter((v) => !v.includes('\u0000'))).map(([k, v]) => new Entries([['PATH', '/bin'], [k, v]])),
  fc.tuple(goodEnvName, hostile).map(([k, v]) => ({ [k]: `${v}\u0000${v}` })),
  fc.tuple(goodEnvName, notString).map(([k, v]) => ({ [k]: v })),
  fc.constant(Object.fromEntries(Array.from({ length: LIMITS.envEntries + 1 }, (_, i) => [`V${i}`, 'x']))),
  fc.constant(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`V${i}`, 'x'.repeat(120 * 1024)]))),
);
const badText = (max: number) => fc.oneof(
  fc.tuple(hostile, control).map(([s, c]) => `${RUN}${s}${c}`),
  fc.constantFrom(`${RUN}${'x'.repeat(max + 1)}`, `${RUN}\uDC00`, `${RUN}\uD83D`),
  notString,
);
const badDependency = fc.oneof(
  fc.constantFrom('afterok', 'afterok:', 'afterok:0', 'afterok:4294967294', 'afterok:99999999999', 'afterok:1_4000001', 'before:1', '', 'afterok:1 && x', 'singleton;id'),
  hostile.map((s) => `afterok:1${s}`).filter((s) => /[^a-z0-9:_+,?]/.test(s.slice(9))),
  notString,
);
const badArray = fc.oneof(
  fc.constantFrom('', '-1', '1-', '1..3', '10000000', 'a', '1-10%', '%2', '1-3;rm', '1,,2', '0-3%'),
  hostile.filter((s) => /[^\d,:%-]/.test(s)),
  notString,
);
const SUBMIT_FIELDS = ['script', 'name', 'partition', 'time_limit', 'nodes', 'ntasks', 'cpus_per_task', 'memory_per_node', 'working_directory',
  'stdout', 'stderr', 'environment', 'hold', 'account', 'qos', 'comment', 'array', 'dependency',
  // #12
  'gpus', 'gres', 'constraint', 'memory_per_cpu', 'begin_time', 'deadline', 'reservation', 'exclusive', 'mail_type', 'mail_user',
  'tasks_per_node', 'licenses', 'requeue', 'validate'];
/** Values the schema refuses for one field of the submit body (hostile text may happen to be valid, e.g. `xxx` as a constraint). */
const refusedFor = (field: string, values: fc.Arbitrary<unknown>) =>
  values.filter((v) => !(submitBody.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[field]!.safeParse(v).success);
const unknownKey = fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), hostile).filter((k) => !SUBMIT_FIELDS.includes(k) && k !== '__proto__');
const directive = fc.tuple(fc.constantFrom('-o ', '--output=', '--out ', '-e', '--error=', '-D ', '--chdir=', '-Ho ', '--input=', "-o '"), traversal)
  .map(([opt, path]) => `#!/bin/sh\n# a comment\n#SBATCH ${opt}${path}${opt.endsWith("'") ? "'" : ''}\nexit 0\n`);

type Mutation = Record<string, unknown>;
const DELETE = Symbol('delete');
const m = (field: string) => (value: unknown): Mutation => ({ [field]: value });
/** One change that makes any submission invalid, whatever else is in it. */
const submitMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ script: DELETE }),
  notString.map(m('script')),
  hostile.map((s) => `x${s}`).map(m('script')),
  hostile.map((s) => `#!/bin/sh\n${s}\u0000${s}`).map(m('script')),
  hostile.map((s) => `#!/bin/sh\r\n${s}`).map(m('script')),
  fc.constantFrom('#!/bin/sh\n\uD800', ` #!/bin/sh\n`, '').map(m('script')),
  { arbitrary: fc.constant(`#!/bin/sh\n#${'x'.repeat(LIMITS.scriptBytes)}`).map(m('script')), weight: 1 },
  { arbitrary: directive.map(m('script')), weight: 3 },
  fc.oneof(fc.constant(''), badText(LIMITS.nameChars)).map(m('name')),
  badText(LIMITS.commentChars).map(m('comment')),
  badNumber(LIMITS.timeLimitMinutes).map(m('time_limit')),
  badNumber(1_000_000).map(m('nodes')),
  badNumber(10_000_000).map(m('ntasks')),
  badNumber(LIMITS.cpusPerTask).map(m('cpus_per_task')),
  badNumber(1_000_000_000).map(m('memory_per_node')),
  { arbitrary: badPath.map(m('stdout')), weight: 3 },
  { arbitrary: badPath.map(m('stderr')), weight: 2 },
  { arbitrary: badPath.map(m('working_directory')), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom('/../..', '/', '..', '.', '\\..'), fc.nat()).map(([s, n]) => ({ name: s === '..' || s === '.' ? s : `${RUN}${s}/etc/${RUN}-x${n}`, stdout: `${SCRATCH}/%x` })), weight: 2 },
  badEnvironment.map(m('environment')),
  notBoolean.map(m('hold')),
  badSlurmName.map(m('partition')),
  badSlurmName.map(m('account')),
  badSlurmName.map(m('qos')),
  badArray.map(m('array')),
  badDependency.map(m('dependency')),
  // #12: hostile text and wrong types in every new field; each must be refused before Slurm.
  ...(['gpus', 'gres', 'constraint', 'begin_time', 'deadline', 'reservation', 'mail_user', 'licenses'] as const)
    .map((field) => refusedFor(field, fc.oneof(hostile, notString, fc.constantFrom('-x', 'a;b', 'a b', '$(id)', '`id`', '2030-01-01T00:00:00'))).map(m(field))),
  refusedFor('mail_type', fc.oneof(hostile.map((s) => [s]), anyJson)).map(m('mail_type')),
  badNumber(1_000_000_000).map(m('memory_per_cpu')),
  badNumber(1_000_000).map(m('tasks_per_node')),
  notBoolean.map(m('exclusive')),
  notBoolean.map(m('requeue')),
  fc.tuple(unknownKey, anyJson).map(([k, v]) => ({ [k]: v })),
);

let serial = 0;
/** A valid held submission carrying the marker, then 1-3 changes that each make it invalid. */
const invalidSubmission = fc.array(submitMutation, { minLength: 1, maxLength: 3 }).map((mutations) => {
  const k = serial++;
  const body: Record<string, unknown> = {
    script: '#!/bin/sh\nexit 0\n', name: `${RUN}-${k}`, comment: `${RUN}-${k}`, hold: true, time_limit: 1,
    stdout: `${SCRATCH}/out-%j`, working_directory: SCRATCH,
  };
  for (const mutation of mutations) {
    for (const [field, value] of Object.entries(mutation)) {
      if (value === DELETE) delete body[field];
      else body[field] = value;
    }
  }
  // The marker must survive in the name or the comment.
  if (!(typeof body.name === 'string' && body.name.includes(RUN))) body.comment = `${RUN}-${k}`;
  return body;
});

/** Whole bodies that are not a submission at all, or not readable, or not JSON. */
const validText = () => toJson({ script: '#!/bin/sh\nexit 0\n', name: `${RUN}-env${serial++}`, comment: RUN, hold: true, time_limit: 1, stdout: `${SCRATCH}/out-%j` });
interface Envelope { what: string; body: Buffer | string; headers: Record<string, string>; status: number[] }
const JSON_TYPE = { 'Content-Type': 'application/json' };
const envelope: fc.Arbitrary<Envelope> = fc.oneof(
  notObject.map((v) => ({ what: 'not an object', body: toJson(v), headers: JSON_TYPE, status: [400] })),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }).map((v) => ({ what: 'an array', body: JSON.stringify(v), headers: JSON_TYPE, status: [400] })),
  fc.nat().map((n) => { const t = validText(); return { what: 'truncated JSON', body: t.slice(0, n % t.length), headers: JSON_TYPE, status: [400] }; }),
  fc.integer({ min: 100, max: 100_000 }).map((n) => ({ what: 'deep nesting', body: `{"script":"#!/bin/sh\\n","x":${'['.repeat(n)}${']'.repeat(n)}}`, headers: JSON_TYPE, status: [400] })),
  fc.integer({ min: 100, max: 100_000 }).map((n) => ({ what: 'deep nesting alone', body: `${'['.repeat(n)}${']'.repeat(n)}`, headers: JSON_TYPE, status: [400] })),
  fc.constantFrom('"yes"', '1', 'null', '{}', '[]').map((v) => ({ what: 'a duplicate key', body: `${validText().slice(0, -1)},"hold":${v}}`, headers: JSON_TYPE, status: [400] })),
  fc.constant(0).map(() => ({ what: 'a __proto__ key', body: `${validText().slice(0, -1)},"__proto__":{"hold":false}}`, headers: JSON_TYPE, status: [400] })),
  fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'json', 'application/xml', 'application/vnd.api+json', '')
    .map((type): Envelope => ({ what: `a valid body as ${type || 'no type'}`, body: validText(), headers: type ? { 'Content-Type': type } : {}, status: [415] })),
  fc.constantFrom('gzip', 'deflate', 'br').chain((encoding) => fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({
    what: `a corrupt ${encoding} body`, body: Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), Buffer.from(bytes)]), headers: { ...JSON_TYPE, 'Content-Encoding': encoding }, status: [400],
  }))),
  fc.constantFrom('weird', 'gzip, weird', 'compress').map((encoding) => ({ what: `Content-Encoding ${encoding}`, body: validText(), headers: { ...JSON_TYPE, 'Content-Encoding': encoding }, status: [415] })),
  fc.constantFrom('gzip', 'deflate', 'br').map((encoding) => ({
    what: `a ${encoding} bomb`, body: bomb(encoding), headers: { ...JSON_TYPE, 'Content-Encoding': encoding }, status: [413],
  })),
  fc.constant(0).map(() => ({ what: 'a body over --body-limit', body: `{"script":"#!/bin/sh\\n#${'x'.repeat(2 * 1024 * 1024 + 10)}"}`, headers: JSON_TYPE, status: [413] })),
  hostile.map((s) => ({ what: 'not JSON', body: `{${s}`, headers: JSON_TYPE, status: [400] })),
);

/** 8 MiB of spaces, compressed to a few KiB (made once per encoding). */
const bombs = new Map<string, Buffer>();
function bomb(encoding: string): Buffer {
  const compress = { gzip: gzipSync, deflate: deflateSync, br: (b: Buffer) => brotliCompressSync(b, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } }) }[encoding]!;
  if (!bombs.has(encoding)) bombs.set(encoding, compress(Buffer.alloc(8 * 1024 * 1024, 0x20)));
  return bombs.get(encoding)!;
}

// ---------------------------------------------------------------------------------------------
// URL paths and queries.

/** Percent-encodes every byte but unreserved characters (lone surrogates become U+FFFD, as on the wire). */
const encode = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
const NOT_A_JOB = 100_000_000; // above MaxJobId (67,043,328): no such job can exist
const bigJobId = fc.integer({ min: NOT_A_JOB, max: LIMITS.jobId });
const BAD_SEGMENTS = [
  '0', '-1', '+1', '1.5', '1e3', 'NaN', 'Infinity', 'null', 'abc', '4294967294', '4294967295', '99999999999', '1_2_3', '_1', '1_', '1_4000001',
  '..', '.', '%2e%2e', '..%2f..%2fetc', '..%2F..%2Fetc%2Fpasswd', '%2F', '%00', '1%00', '%', '%zz', '%E0%A4%A', '%C0%AE%C0%AE', '%u002e', '1;id',
  '1%3Bid', '$(id)', '%24(id)', '%60id%60', '1%0Aa', '%F0%9F%92%A5', '%C3%A9', '%D9%A1%D9%A2', '%EF%BF%BD', '%20', '%2e', `${'9'.repeat(5000)}`,
];
const badSegment = fc.oneof(
  { arbitrary: fc.constantFrom(...BAD_SEGMENTS), weight: 4 },
  { arbitrary: hostile.map(encode), weight: 3 },
  { arbitrary: fc.integer().map(String), weight: 1 },
  { arbitrary: fc.double().map(String), weight: 1 },
);
const idSegment = fc.oneof(
  { arbitrary: badSegment, weight: 5 },
  { arbitrary: bigJobId.map(String), weight: 1 },
  { arbitrary: fc.tuple(bigJobId, fc.nat({ max: LIMITS.arrayTaskId })).map(([j, t]) => `${j}_${t}`), weight: 1 },
);
/** Any id segment the gateway would accept is moved above MaxJobId: the fuzz never touches a real job. */
function neverARealJob(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return segment;
  }
  const result = jobIdSchema.safeParse(decoded);
  if (!result.success) return segment;
  const [job, task] = result.data.split('_');
  return Number(job) >= NOT_A_JOB ? segment : `${NOT_A_JOB + Number(job)}${task === undefined ? '' : `_${task}`}`;
}
const nameSegment = fc.oneof(badSegment, fc.constant(`no-such-${RUN}`));

const ROUTES: Array<[string, string]> = [
  ['GET', '/v1/health'], ['GET', '/v1/jobs'], ['POST', '/v1/jobs'], ['GET', '/v1/jobs/:id'], ['GET', '/v1/jobs/:id/stdout'], ['GET', '/v1/jobs/:id/stderr'],
  ['PATCH', '/v1/jobs/:id'], ['DELETE', '/v1/jobs/:id'], ['POST', '/v1/jobs/:id/hold'], ['POST', '/v1/jobs/:id/release'], ['POST', '/v1/jobs/:id/requeue'],
  ['POST', '/v1/jobs/:id/suspend'], ['POST', '/v1/jobs/:id/resume'], ['GET', '/v1/nodes'], ['GET', '/v1/nodes/:name'], ['GET', '/v1/partitions'],
  ['GET', '/v1/partitions/:name'], ['GET', '/v1/cluster'], ['GET', '/v1/reservations'], ['GET', '/v1/reservations/:name'], ['GET', '/v1/licenses'],
];
const QUERY_KEYS = ['state', 'user', 'partition', 'account', 'name', 'job_id', 'signal', 'offset', 'limit'];
const BAD_VALUES = ['SLEEPING', 'pending,,', ',', '', 'NOPE', '0', '65', '-9', 'SIGSIG', 'KILL;id', 'USR1%00', '-1', '1.5', '1e3', '99999999999999999', '%', '%zz', 'a%00b'];
const queryValue = fc.oneof(fc.constantFrom(...BAD_VALUES), hostile.map(encode), badSegment, fc.integer().map(String));
const queryKey = fc.oneof({ arbitrary: fc.constantFrom(...QUERY_KEYS), weight: 3 }, { arbitrary: hostile.filter((k) => k.length > 0).map(encode), weight: 1 }, { arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', '%zz', 'state[]', 'a.b'), weight: 1 });
const query = fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 }).map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));
const pathTail = fc.constantFrom('', '', '', '/', '//', '/..', '/%2e%2e/health', '/x', '/%00', `/${'a'.repeat(3000)}`, '/../../../etc/passwd', '#frag');

interface Call { method: string; path: string; body?: Buffer | string; headers: Record<string, string> }
const randomCall: fc.Arbitrary<Call> = fc.tuple(
  fc.constantFrom(...ROUTES), fc.oneof({ arbitrary: fc.constant(''), weight: 4 }, { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'), weight: 1 }),
  idSegment, nameSegment, pathTail, query, fc.option(fc.oneof(invalidSubmission.map(toJson), anyJson.map(toJson)), { nil: undefined }),
  fc.boolean(),
).map(([[routeMethod, template], method, id, name, tail, q, body, upper]) => {
  let path = template.replace(':id', neverARealJob(id)).replace(':name', name) + tail;
  if (upper) path = path.replace('/v1/', '/V1/');
  const m = method || routeMethod;
  const withBody = body !== undefined && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m);
  // A random JSON value that happens to be a valid submission is not sent as one.
  const safeBody = withBody && isValidSubmission(body) ? '{}' : body;
  return { method: m, path: path + q, headers: withBody ? JSON_TYPE : {}, ...(withBody && { body: safeBody }) };
});

function isValidSubmission(text: string): boolean {
  const value = parsed(text);
  return value !== undefined && submitBody.safeParse(value.value).success;
}

// ---------------------------------------------------------------------------------------------
// Talking to the gateway.

interface Answer { status: number; headers: IncomingHttpHeaders; text: string }
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** One request; with `stream`, a 200 event stream is closed as soon as its headers arrive (its body never ends). */
function send(base: string, call: Call, { stream = false } = {}): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const body = call.body === undefined ? undefined : Buffer.isBuffer(call.body) ? call.body : Buffer.from(call.body, 'utf8');
    const req = httpRequest({
      host: url.hostname, port: url.port, method: call.method, path: call.path, timeout: 40_000, ...(!stream && { agent }),
      headers: { ...call.headers, ...(body && { 'Content-Length': String(body.length) }) },
    }, (res) => {
      if (stream && res.statusCode === 200 && /^text\/event-stream/.test(String(res.headers['content-type']))) {
        res.destroy();
        resolve({ status: 200, headers: res.headers, text: '' });
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in 40 s to ${call.method} ${call.path.slice(0, 200)}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Never a 500; every error is JSON with the gateway's shape. */
function expectSane(answer: Answer, call: Call): void {
  const where = `${call.method} ${call.path.slice(0, 300)} -> ${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status === 500 || answer.status < 100 || answer.status > 599) throw new Error(`bad status: ${where}`);
  if (answer.status >= 400 && call.method !== 'HEAD') {
    if (!/^application\/json/.test(String(answer.headers['content-type']))) throw new Error(`error without JSON: ${where}`);
    const body = parsed(answer.text)?.value as { error?: { code?: unknown; message?: unknown } } | undefined;
    const shape = body && Object.keys(body).length === 1 && body.error && typeof body.error.code === 'string' && typeof body.error.message === 'string'
      && Object.keys(body.error).every((k) => ['code', 'message', 'details'].includes(k));
    if (!shape) throw new Error(`error not in the { error: { code, message } } shape: ${where}`);
    if (body!.error!.code === 'internal_error') throw new Error(`internal error: ${where}`);
  }
}

function expectRefused(answer: Answer, call: Call, allowed: number[] = []): void {
  expectSane(answer, call);
  const ok = allowed.length ? allowed.includes(answer.status) : answer.status >= 400 && answer.status < 500;
  if (!ok) throw new Error(`expected ${allowed.length ? allowed.join('/') : 'a 4xx'}: ${call.method} ${call.path.slice(0, 300)} ${String(call.body ?? '').slice(0, 300)} -> ${answer.status} ${answer.text.slice(0, 300)}`);
}

/** A raw exchange over one connection, half-closed after writing. */
function rawExchange(base: string, data: Buffer): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer or close in 15 s to ${JSON.stringify(data.toString('latin1').slice(0, 200))}`)); }, 15_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => { /* a reset after the answer is fine */ });
    socket.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')); });
    socket.end(data);
  });
}

function squeueMarked(): Array<{ id: number; line: string }> {
  const out = execFileSync('squeue', ['-h', '--states=all', '-o', '%i\u001f%j\u001f%k'], { encoding: 'utf8', env: process.env });
  return out.split('\n').filter((l) => l.includes(RUN)).map((line) => ({ id: Number(line.split('\u001f')[0]!.split('_')[0]), line }));
}

function markedEntries(): string[] {
  const found: string[] = [];
  for (const dir of WATCHED) {
    let names: string[] = [];
    try { names = readdirSync(dir); } catch { continue; }
    for (const name of names) if (name.includes(RUN) && join(dir, name) !== SCRATCH) found.push(join(dir, name));
  }
  return found;
}

/** Jobs valid requests created (in either executor's run): cancelled at the end, the only marked jobs allowed. */
const validJobs = new Set<number>();

const listing = (dir: string) => { try { return new Set(readdirSync(dir)); } catch { return new Set<string>(); } };

// ---------------------------------------------------------------------------------------------

const FINISHED = ['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED'];

describe.each(availableExecutors())('fuzz: --executor=%s --application=thread', (executor) => {
  let gateway: Gateway;
  let url: string;
  let own: { job_id: number; [k: string]: unknown };
  const quietBefore = new Map<string, Set<string>>();
  let total = 0;

  const call = async (c: Call) => { total++; return send(url, c); };

  beforeAll(async () => {
    for (const dir of QUIET) quietBefore.set(dir, listing(dir));
    gateway = await startGateway([`--executor=${executor}`, '--application=thread', '--parallel=2', '--timeout=20']);
    url = gateway.url;
    const res = await call({ method: 'POST', path: '/v1/jobs', headers: JSON_TYPE, body: JSON.stringify({
      script: '#!/bin/sh\nexit 0\n', name: `${RUN}-own`, comment: `${RUN} own`, hold: true, time_limit: 5, stdout: `${SCRATCH}/own-%j`,
    }) });
    expect(res.status).toBe(201);
    const id = JSON.parse(res.text).job_id as number;
    validJobs.add(id);
    own = JSON.parse((await call({ method: 'GET', path: `/v1/jobs/${id}`, headers: {} })).text);
  });

  afterAll(async () => {
    for (const id of validJobs) execFileSync('scancel', [String(id)], { env: process.env, stdio: 'ignore' });
    process.stdout.write(`fuzz ${executor}: ${total} requests\n`);
    if (gateway) expect(await gateway.stop()).toBe(0);
  });

  it('refuses invalid submissions with a JSON 4xx and creates no job', async () => {
    await fc.assert(fc.asyncProperty(fc.array(invalidSubmission, { minLength: 4, maxLength: 4 }), async (bodies) => {
      await Promise.all(bodies.map(async (body) => {
        const text = toJson(body);
        if (isValidSubmission(text)) throw new Error(`the generator made a valid submission: ${text.slice(0, 500)}`);
        const c: Call = { method: 'POST', path: '/v1/jobs', headers: JSON_TYPE, body: text };
        const answer = await call(c);
        if (answer.status === 201) validJobs.add(JSON.parse(answer.text).job_id);
        expectRefused(answer, c, utf8Length(text) > 2 * 1024 * 1024 ? [413] : [400]);
      }));
    }), params(500));
  }, 180_000);

  it('refuses bodies that are not submissions, not readable or not JSON, with the right 4xx', async () => {
    await fc.assert(fc.asyncProperty(fc.array(envelope, { minLength: 2, maxLength: 2 }), async (envelopes) => {
      await Promise.all(envelopes.map(async (e) => {
        const c: Call = { method: 'POST', path: '/v1/jobs', headers: e.headers, body: e.body };
        const answer = await call(c);
        if (answer.status === 201) validJobs.add(JSON.parse(answer.text).job_id);
        try {
          expectRefused(answer, c, e.status);
        } catch (error) {
          throw new Error(`${e.what}: ${(error as Error).message}`);
        }
      }));
    }), params(60));
  }, 180_000);

  it('answers malformed paths, queries and methods on every route without a 500', async () => {
    await fc.assert(fc.asyncProperty(fc.array(randomCall, { minLength: 4, maxLength: 4 }), async (calls) => {
      await Promise.all(calls.map(async (c) => {
        const answer = await call(c);
        if (answer.status === 201 && c.path.startsWith('/v1/jobs')) validJobs.add(JSON.parse(answer.text).job_id);
        expectSane(answer, c);
      }));
    }), params(400));
  }, 180_000);

  it('answers malformed event streams and output follows with a JSON 4xx or a stream, never a 500', async () => {
    const EVENT_KEYS = ['types', 'user', 'job_id', 'partition', 'follow', 'offset', 'limit'];
    const eventValue = fc.oneof(queryValue, fc.constantFrom('true', 'false', 'job.state', 'job.nope,node.state', 'job.submitted,,', '1,2,x', `${NOT_A_JOB}`, 'debug'));
    const eventKey = fc.oneof({ arbitrary: fc.constantFrom(...EVENT_KEYS), weight: 3 }, { arbitrary: queryKey, weight: 1 });
    const lastEventId = fc.option(fc.oneof(fc.constantFrom('-1', '0', '1e9', 'NaN', '99999999999999999999', ''), hostile.filter((h) => /^[\x20-\x7e]*$/.test(h))), { nil: undefined });
    const streamCall = fc.tuple(
      fc.constantFrom('/v1/events', `/v1/jobs/${own.job_id}/stdout`, `/v1/jobs/${own.job_id}/stderr`, `/v1/jobs/${NOT_A_JOB}/stdout`),
      fc.array(fc.tuple(eventKey, eventValue), { maxLength: 4 }), fc.boolean(), lastEventId,
    ).map(([path, pairs, follow, last]): Call => {
      const q = [...(follow && path !== '/v1/events' ? [['follow', 'true']] : []), ...pairs].map(([k, v]) => `${k}=${v}`).join('&');
      return { method: 'GET', path: q ? `${path}?${q}` : path, headers: last === undefined ? {} : { 'Last-Event-ID': last } };
    });
    await fc.assert(fc.asyncProperty(streamCall, async (c) => {
      total++;
      const answer = await send(url, c, { stream: true });
      expectSane(answer, c);
    }), params(300));
  }, 180_000);

  it('refuses malformed actions and updates on a held job of ours, which keeps every field', async () => {
    const id = own.job_id;
    const action = fc.tuple(
      fc.constantFrom('hold', 'release', 'requeue', 'suspend', 'resume', 'cancel', 'update', 'stdout'),
      fc.array(fc.tuple(queryKey, queryValue), { minLength: 1, maxLength: 3 }),
      invalidUpdate,
    ).map(([what, pairs, update]): Call => {
      const q = `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`;
      switch (what) {
        case 'cancel': return { method: 'DELETE', path: `/v1/jobs/${id}${q}`, headers: {} };
        case 'update': return { method: 'PATCH', path: `/v1/jobs/${id}`, headers: JSON_TYPE, body: update };
        case 'stdout': return { method: 'GET', path: `/v1/jobs/${id}/stdout${q}`, headers: {} };
        default: return { method: 'POST', path: `/v1/jobs/${id}/${what}${q}`, headers: {} };
      }
    });
    await fc.assert(fc.asyncProperty(fc.array(action, { minLength: 2, maxLength: 2 }), async (calls) => {
      await Promise.all(calls.map(async (c) => {
        if (!refusedByGateway(c)) return; // a valid action on our job is not what this property is about
        const answer = await call(c);
        if (c.path.includes('/stdout')) expectSane(answer, c); // a read: changes nothing whatever it answers
        else expectRefused(answer, c, [400, 431]); // 431: a query past the header limit
      }));
    }), params(150));
    const after = JSON.parse((await call({ method: 'GET', path: `/v1/jobs/${id}`, headers: {} })).text);
    expect(after).toEqual(own);
  }, 180_000);

  it('answers malformed HTTP with JSON (or a clean close), never a bare status or a 500', async () => {
    await fc.assert(fc.asyncProperty(rawRequest, async (data) => {
      total++;
      const out = await rawExchange(url, data);
      if (out === '') return; // e.g. CONNECT without a handler, or no request at all
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(out);
      if (!status) throw new Error(`not an HTTP answer to ${JSON.stringify(data.toString('latin1').slice(0, 200))}: ${JSON.stringify(out.slice(0, 200))}`);
      for (const s of out.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)) if (s[1] === '500') throw new Error(`500 for ${JSON.stringify(data.toString('latin1').slice(0, 200))}`);
      const [head, body] = [out.slice(0, out.indexOf('\r\n\r\n')), out.slice(out.indexOf('\r\n\r\n') + 4)];
      const length = /content-length: (\d+)/i.exec(head)?.[1];
      if (Number(status[1]) >= 400 && !/^HEAD /.test(data.toString('latin1'))) {
        const json = parsed(length === undefined ? body : body.slice(0, Number(length)))?.value as { error?: { code?: unknown } } | undefined;
        if (typeof json?.error?.code !== 'string') throw new Error(`error answer without the JSON error shape: ${JSON.stringify(out.slice(0, 300))}`);
      }
    }), params(400));
  }, 180_000);

  it('runs valid submissions with hostile strings as data, writing only where they say', async () => {
    const printable = fc.oneof(nasty, hostile, fc.string({ unit: 'grapheme', maxLength: 40 }))
      .filter((s) => !CONTROL.test(s) && isWellFormed(s) && s.length <= 150);
    const envValue = fc.oneof(nasty, hostile).filter((s) => !s.includes('\u0000') && isWellFormed(s) && s.length <= 5000);
    const created: Array<{ id: number; value: string; runs: boolean }> = [];
    let index = 0;
    await fc.assert(fc.asyncProperty(printable, printable, envValue, async (name, comment, value) => {
      const runs = index++ < 3;
      const body = {
        script: '#!/bin/sh\nprintf "%s" "$FZ_VALUE"\n', name: `${RUN}${name}`, comment: `${RUN}${comment}`, environment: { FZ_VALUE: value },
        stdout: `${SCRATCH}/o-%j.out`, stderr: `${SCRATCH}/e-%j.err`, working_directory: SCRATCH, time_limit: 1, hold: !runs,
      };
      if (!submitBody.safeParse(body).success) throw new Error(`the generator made an invalid submission: ${JSON.stringify(body)}`);
      const c: Call = { method: 'POST', path: '/v1/jobs', headers: JSON_TYPE, body: JSON.stringify(body) };
      const answer = await call(c);
      expectSane(answer, c);
      expect(answer.status).toBe(201);
      const id = JSON.parse(answer.text).job_id as number;
      validJobs.add(id);
      created.push({ id, value, runs });
      const job = JSON.parse((await call({ method: 'GET', path: `/v1/jobs/${id}`, headers: {} })).text);
      expect(job).toMatchObject({ name: body.name, working_directory: SCRATCH, stdout_path: `${SCRATCH}/o-${id}.out` });
    }), params(8));

    // The running ones print FZ_VALUE back, byte for byte, into the file they named.
    const until = Date.now() + 60_000;
    for (const { id, value } of created.filter((j) => j.runs)) {
      let state = '';
      while (Date.now() < until) {
        state = JSON.parse((await call({ method: 'GET', path: `/v1/jobs/${id}`, headers: {} })).text).state;
        if (FINISHED.includes(state)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      if (state !== 'COMPLETED') { process.stdout.write(`fuzz ${executor}: job ${id} ended ${state || 'late'}; its output is not compared\n`); continue; }
      expect(readFileSync(join(SCRATCH, `o-${id}.out`), 'utf8')).toBe(value);
    }
    const allowed = /^(o-\d+\.out|e-\d+\.err|own-\d+)$/;
    expect(readdirSync(SCRATCH).filter((f) => !allowed.test(f))).toEqual([]);
  }, 180_000);

  it('afterwards: the gateway is up, no refused request left a job or a file, nothing was logged as an internal error', async () => {
    const health = await call({ method: 'GET', path: '/v1/health', headers: {} });
    expect(health.status).toBe(200);
    expect(gateway.process.exitCode).toBeNull();
    const strays = squeueMarked().filter((j) => !validJobs.has(j.id));
    for (const j of strays) execFileSync('scancel', [String(j.id)], { env: process.env, stdio: 'ignore' });
    expect(strays.map((j) => j.line)).toEqual([]);
    expect(markedEntries()).toEqual([]);
    for (const [dir, before] of quietBefore) expect([...listing(dir)].filter((n) => !before.has(n))).toEqual([]);
    expect(gateway.logs.filter((l) => l.includes('"internal_error"'))).toEqual([]);
    expect(total).toBeGreaterThan(1000);
  }, 60_000);
});

afterAll(() => {
  for (const f of readdirSync('/tmp')) if (f.startsWith(`${RUN}-pwn`)) throw new Error(`a string was run as a command: /tmp/${f}`);
  rmSync(SCRATCH, { recursive: true, force: true });
  agent.destroy();
});

// ---------------------------------------------------------------------------------------------
// The arbitraries the properties above use, defined after them for reading order.

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** An update body that must be refused. */
const UPDATE_FIELDS = ['name', 'time_limit', 'partition', 'comment', 'account', 'qos', 'dependency', 'nice'];
const invalidUpdate: fc.Arbitrary<string> = fc.oneof(
  fc.constant('{}'),
  notObject.map(toJson),
  fc.oneof(
    fc.oneof(fc.constant(''), badText(LIMITS.nameChars)).map(m('name')),
    badNumber(LIMITS.timeLimitMinutes).map(m('time_limit')),
    badSlurmName.map(m('partition')),
    badText(LIMITS.commentChars).map(m('comment')),
    badSlurmName.map(m('account')),
    badDependency.map(m('dependency')),
    fc.oneof(fc.integer({ min: 2_147_483_646 }), fc.integer({ max: -2_147_483_646 }), fc.double({ noInteger: true }), rawNumber, notString.filter((v) => typeof v !== 'number')).map(m('nice')),
    fc.tuple(fc.oneof(fc.constantFrom('script', 'hold', 'stdout', 'working_directory', 'environment', 'state', 'job_id', 'user'), unknownKey.filter((k) => !UPDATE_FIELDS.includes(k))), anyJson)
      .map(([k, v]) => ({ [k]: v })),
  ).chain((bad) => fc.constantFrom<Mutation>({}, { comment: `${RUN} own` }, { time_limit: 5 }).map((ok) => toJson({ ...ok, ...bad }))),
);

/** Whether the gateway must refuse this call on our held job without touching it (checked with its own schemas). */
function refusedByGateway(c: Call): boolean {
  const [path, q = ''] = c.path.split('?');
  const queryObject = { ...parseQuery(q) };
  if (c.method === 'PATCH') {
    const value = parsed(String(c.body));
    return value === undefined || !updateBody.safeParse(value.value).success;
  }
  if (c.method === 'DELETE') return !cancelQuery.safeParse(queryObject).success;
  if (path!.endsWith('/stdout')) return true; // a read: any answer but a 500 is fine, and nothing changes
  return !emptyQuery.safeParse(queryObject).success;
}

const RAW_FIXED = [
  'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}',
  'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}',
  'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
  'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"script":',
  'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
  'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
  `POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1;${'a'.repeat(20_000)}\r\n{\r\n0\r\n\r\n`,
  'GET /v1/health HTTP/1.1\r\n\r\n',
  'GET /v1/health HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n',
  'GET /v1/health HTTP/1.1\nHost: x\n\n',
  'GET /v1/health HTTP/1.1\r\nHost: x\r\n X-Folded: y\r\n\r\n',
  'GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n',
  'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  'CONNECT localhost:22 HTTP/1.1\r\nHost: localhost:22\r\n\r\n',
  'GET /v1/health HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
  `GET /v1/health HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 2500 }, (_, i) => `a${i}:b`).join('\r\n')}\r\n\r\n`,
  'GET /v1/jobs/1 HTTP/1.1\r\nHost: x\r\nX-Request-Id: ../../etc\u0000\r\n\r\n',
  'GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Request-Id: \u00ff\u00fe\r\nConnection: close\r\n\r\n',
];
const rawRequest: fc.Arbitrary<Buffer> = fc.oneof(
  fc.tuple(
    fc.constantFrom('GET', 'POST', 'G\u0000T', 'get', '', 'PRI', 'GET GET', 'X'.repeat(50), 'DELETE', 'PATCH'),
    fc.oneof(fc.constantFrom('/v1/health', '/v1/jobs/1 2', '/v1/jobs/\u0000', '*', 'http://x/v1/health', '/v1/jobs/../../etc/passwd', '/v1/jobs/%00', ''), hostile),
    fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 extra', '', 'http/1.1'),
  ).map(([method, target, version]) => Buffer.from(`${method} ${target} ${version}\r\nHost: x\r\nConnection: close\r\n\r\n`, 'utf8')),
  fc.tuple(hostile, hostile).map(([n, v]) => Buffer.from(`GET /v1/health HTTP/1.1\r\nHost: x\r\n${n}: ${v}\r\nConnection: close\r\n\r\n`, 'utf8')),
  fc.integer({ min: 17_000, max: 64_000 }).map((n) => Buffer.from(`GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(n)}\r\n\r\n`)),
  fc.integer({ min: 17_000, max: 40_000 }).map((n) => Buffer.from(`GET /v1/jobs?name=${'a'.repeat(n)} HTTP/1.1\r\nHost: x\r\n\r\n`)),
  fc.constantFrom(...RAW_FIXED).map((s) => Buffer.from(s, 'latin1')),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from('GET /v1/health HTTP/1.1\r\nHost: x\r\n'), Buffer.from(b), Buffer.from('\r\n\r\n')])),
);
