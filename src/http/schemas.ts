/**
 * Request schemas: the one place where input is validated. Every path parameter, query string
 * and body goes through here before a command is built, so Slurm only ever sees checked data.
 * The numbers are in src/http/limits.ts.
 */
import { z } from 'zod';
import { JOB_STATES } from '../model.js';
import { EVENT_TYPES } from '../events/changes.js';
import { LIMITS } from './limits.js';
import { CONSTRAINT, GPUS, GRES, LICENSES, MAIL_TYPE_NAMES, MAIL_USER } from '../slurm/submit-options.js';
import { environmentProblems } from '../slurm/job-environment.js';
import { KEY_PREFIX } from '../slurm/idempotency.js';
import { JOB_ID_PATTERN, jobIdInRange } from '../slurm/job-ids.js';
import { gatewayOwned, scriptDirectives } from '../slurm/script-directives.js';
import { SIGNAL_NAMES, SIGNAL_NUMBER } from '../slurm/signals.js';

/** Kept here for callers of this module (test/unit/schemas.test.ts): the reader is src/slurm/script-directives.ts. */
export { gatewayOwned, scriptDirectives, type ScriptDirectives } from '../slurm/script-directives.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A UTF-16 surrogate without its other half: not a character, and not representable in UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const isWellFormed = (s: string) => !LONE_SURROGATE.test(s);
export const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Printable text without control characters (newlines would break Slurm's line formats). */
export const text = (max: number) =>
  z.string().max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters')
    .refine(isWellFormed, 'must be valid Unicode (no unpaired surrogates)');

/** Partition, account, QOS, node and user names as Slurm accepts them. */
export const slurmName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._@-]{0,127}$/, 'must be a Slurm name: letters, digits, and . _ @ -');

/** A job id's numbers: 1 to 4294967293 (below NO_VAL), an array task 0 to 4000000 (src/slurm/job-ids.ts). */
export { jobIdInRange };

/** `123` or an array task `123_4`, in canonical form (no leading zeros). */
export const jobId = z.string().regex(JOB_ID_PATTERN, { error: 'must be a job id such as 123 or an array task such as 123_4', abort: true })
  .refine(jobIdInRange, `is out of range: job ids are 1-${LIMITS.jobId}, array task ids 0-${LIMITS.arrayTaskId}`)
  .transform((s) => s.split('_').map((n) => String(Number(n))).join('_'));

/** What Slurm makes of a path: slurmstepd drops backslashes (and then expands no %-pattern). */
const unescaped = (path: string) => path.replace(/\\/g, '');
/** Whether a path, as Slurm will use it, has a `..` segment. */
export const hasDotDot = (path: string) => unescaped(path).split('/').includes('..');

const absolutePath = text(LIMITS.pathChars).refine((s) => s.startsWith('/'), 'must be an absolute path')
  .refine((s) => !hasDotDot(s), 'must not contain ".." segments (backslashes are ignored, as Slurm does)');

const positive = (max: number) => z.number().int('must be an integer').min(1, 'must be at least 1').max(max, `must be at most ${max}`);

/** One message for every bad signal (zod would otherwise print its number pattern). */
const SIGNAL_MESSAGE = (issue: { input?: unknown }) =>
  `${JSON.stringify(String(issue.input ?? ''))} is not a signal: give a name such as USR1 or TERM (SIG optional: ${SIGNAL_NAMES.join(', ')}) or a number from 1 to 64`;
export const signal = z.string().max(16, 'must be a signal name or number').transform((s) => s.toUpperCase().replace(/^SIG/, ''))
  .pipe(z.union([z.enum(SIGNAL_NAMES, { error: SIGNAL_MESSAGE }), z.string().regex(SIGNAL_NUMBER, { error: SIGNAL_MESSAGE })], { error: SIGNAL_MESSAGE }));

const DEPENDENCY_TYPES = '(after|afterany|afterok|afternotok|aftercorr|afterburstbuffer)';
const dependencyItem = `(singleton|${DEPENDENCY_TYPES}(:\\d{1,10}(_\\d{1,10})?(\\+\\d{1,6})?)+)`;
const dependency = z.string().max(LIMITS.specChars, `must be at most ${LIMITS.specChars} characters`)
  .regex(new RegExp(`^${dependencyItem}([,?]${dependencyItem})*$`), { error: 'must be a Slurm dependency such as afterok:123', abort: true })
  .refine((s) => [...s.matchAll(/:(\d+(?:_\d+)?)/g)].every((m) => jobIdInRange(m[1]!)), `names a job id out of range (1-${LIMITS.jobId})`);
const arraySpec = z.string().max(LIMITS.specChars, `must be at most ${LIMITS.specChars} characters`)
  .regex(/^\d{1,7}(-\d{1,7}(:\d{1,7})?)?(,\d{1,7}(-\d{1,7}(:\d{1,7})?)?)*(%\d{1,7})?$/, 'must be an array spec such as 1-10, 1,3,5 or 0-15:4%2');

/** An ISO 8601 date-time with an offset (`2030-01-01T00:00:00Z`), as epoch seconds; 1970 to 2100. */
const slurmTimestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, such as 2030-01-01T00:00:00Z' })
  .transform((s) => Math.floor(Date.parse(s) / 1000))
  .refine((t) => t > 0 && t < 4_102_444_800, 'must be between 1970 and 2100');

export const MAX_SCRIPT_BYTES = LIMITS.scriptBytes;
export const MAX_ENV_ENTRIES = LIMITS.envEntries;

/** sbatch's filename pattern for the job name (%x, %10x): Slurm puts the name into the path. */
const NAME_PATTERN = /%\d*x/;
/** A name that, put into a path by %x, stays one path component. */
const pathSafeName = (name: string) => !name.includes('/') && !name.includes('\\') && name !== '.' && name !== '..';

const script = z.string().min(1, 'must not be empty')
  .refine((s) => utf8Bytes(s) <= LIMITS.scriptBytes, `must be at most ${LIMITS.scriptBytes} bytes (UTF-8)`)
  .refine((s) => s.startsWith('#!'), 'must start with an interpreter line such as #!/bin/bash')
  .refine((s) => !s.includes('\u0000'), 'must not contain NUL bytes')
  .refine((s) => !s.includes('\r\n'), 'must use UNIX line breaks (\\n), not DOS ones (\\r\\n)')
  .refine(isWellFormed, 'must be valid Unicode (no unpaired surrogates)')
  .superRefine((s, ctx) => {
    if (utf8Bytes(s) > LIMITS.scriptBytes) return;
    const d = scriptDirectives(s);
    for (const option of d.owned) {
      ctx.addIssue({ code: 'custom', message: `#SBATCH ${option} is not allowed: ${gatewayOwned(option)}` });
    }
    for (const path of [...d.outputs, ...d.chdirs]) {
      if (hasDotDot(path)) ctx.addIssue({ code: 'custom', message: `#SBATCH paths must not contain ".." segments: ${JSON.stringify(path.slice(0, 200))}` });
      else if (CONTROL.test(path)) ctx.addIssue({ code: 'custom', message: '#SBATCH paths must not contain control characters' });
    }
  });

const envName = z.string()
  .regex(new RegExp(`^[A-Za-z_][A-Za-z0-9_]{0,${LIMITS.envNameChars - 1}}$`), 'environment names must be letters, digits and _ (at most 256), not starting with a digit');

const environment = z.custom<unknown>(
  (raw) => !(raw !== null && typeof raw === 'object' && Object.hasOwn(raw, '__proto__')),
  'environment names must be letters, digits and _ (not __proto__)',
).pipe(z.record(
  envName,
  z.string().refine((s) => !s.includes('\u0000'), 'must not contain NUL bytes').refine(isWellFormed, 'must be valid Unicode (no unpaired surrogates)'),
)).superRefine((env, ctx) => {
  const entries = Object.entries(env);
  // Names a job may not have (Slurm's own, loaders', interpreters'): src/slurm/job-environment.ts.
  for (const [name, problem] of environmentProblems(env)) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  if (entries.length > LIMITS.envEntries) ctx.addIssue({ code: 'custom', message: `must have at most ${LIMITS.envEntries} entries` });
  let total = 0;
  for (const [name, value] of entries) {
    const bytes = utf8Bytes(name) + 1 + utf8Bytes(value) + 1;
    total += bytes;
    if (bytes > LIMITS.envEntryBytes) ctx.addIssue({ code: 'custom', path: [name], message: `NAME=value must be at most ${LIMITS.envEntryBytes} bytes (UTF-8)` });
  }
  if (total > LIMITS.envTotalBytes) ctx.addIssue({ code: 'custom', message: `must be at most ${LIMITS.envTotalBytes} bytes in total (UTF-8)` });
});

const jobName = text(LIMITS.nameChars).min(1, 'must not be empty');
/** A job's comment; the gateway's Idempotency-Key token is kept at its start (src/slurm/idempotency.ts). */
const comment = text(LIMITS.commentChars).refine((s) => !s.startsWith(KEY_PREFIX), `must not start with "${KEY_PREFIX}" (reserved for the gateway's Idempotency-Key)`);

/** The Idempotency-Key header of POST /v1/jobs: 1-255 visible ASCII characters (a UUID fits). */
export const IDEMPOTENCY_KEY_CHARS = 255;
export const idempotencyKey = z.string()
  .min(1, 'must not be empty')
  .max(IDEMPOTENCY_KEY_CHARS, `must be at most ${IDEMPOTENCY_KEY_CHARS} characters`)
  .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters without spaces (send the header once)');
const timeLimit = positive(LIMITS.timeLimitMinutes);

export const submitBody = z.strictObject({
  script,
  name: jobName.optional(),
  partition: slurmName.optional(),
  time_limit: timeLimit.optional(),
  nodes: positive(1_000_000).optional(),
  ntasks: positive(10_000_000).optional(),
  cpus_per_task: positive(LIMITS.cpusPerTask).optional(),
  memory_per_node: positive(1_000_000_000).optional(),
  working_directory: absolutePath.optional(),
  stdout: absolutePath.optional(),
  stderr: absolutePath.optional(),
  environment: environment.optional(),
  hold: z.boolean().optional(),
  account: slurmName.optional(),
  qos: slurmName.optional(),
  comment: comment.optional(),
  array: arraySpec.optional(),
  dependency: dependency.optional(),
  gpus: z.union([positive(1_000_000).transform(String), z.string().regex(GPUS, 'must be a GPU count, or type:count such as fake:1')]).optional(),
  gres: z.string().max(LIMITS.specChars, `must be at most ${LIMITS.specChars} characters`).regex(GRES, 'must be generic resources such as gpu:1 or gpu:a100:2 (comma separated)').optional(),
  constraint: z.string().max(LIMITS.specChars, `must be at most ${LIMITS.specChars} characters`).regex(CONSTRAINT, 'must be a constraint expression of feature names with & | * [ ] ( ), such as fast&ssd').optional(),
  memory_per_cpu: positive(1_000_000_000).optional(),
  begin_time: slurmTimestamp.optional(),
  deadline: slurmTimestamp.optional(),
  reservation: slurmName.optional(),
  exclusive: z.boolean().optional(),
  mail_type: z.array(z.enum(MAIL_TYPE_NAMES, { error: `must be one of ${MAIL_TYPE_NAMES.join(', ')}` })).min(1, 'must name at least one mail type').max(MAIL_TYPE_NAMES.length).optional(),
  mail_user: z.string().regex(MAIL_USER, 'must be a user name or an e-mail address (not starting with -)').optional(),
  tasks_per_node: positive(1_000_000).optional(),
  licenses: z.string().max(LIMITS.specChars, `must be at most ${LIMITS.specChars} characters`).regex(LICENSES, 'must be licenses such as matlab:1 (joined by , or |)').optional(),
  requeue: z.boolean().optional(),
  /** Answer whether and when it would run (Slurm's test-only submission) instead of submitting. */
  validate: z.boolean().optional(),
}).superRefine((s, ctx) => {
  if (s.memory_per_cpu !== undefined && s.memory_per_node !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['memory_per_cpu'], message: 'cannot be given with memory_per_node (sbatch --mem-per-cpu and --mem are mutually exclusive)' });
  }
  if (s.gpus !== undefined && s.gres !== undefined && /(^|,)gpu(:|,|$)/.test(s.gres)) {
    ctx.addIssue({ code: 'custom', path: ['gpus'], message: 'cannot be given with gpu in gres (Slurm: "Invalid GRES specification (with and without type identification)")' });
  }
  if (s.begin_time !== undefined && s.deadline !== undefined && s.deadline <= s.begin_time) {
    ctx.addIssue({ code: 'custom', path: ['deadline'], message: 'must be after begin_time' });
  }
}).superRefine((s, ctx) => {
  // "%x" puts the job name into the output path: a name with "/" (or "..") would move the file
  // outside the directory the path names. The request's name wins over the script's -J.
  const d = scriptDirectives(s.script);
  const names = s.name !== undefined ? [s.name] : d.names.length ? d.names : ['sbatch'];
  if (names.every(pathSafeName)) return;
  for (const [field, path] of [['stdout', s.stdout], ['stderr', s.stderr], ...d.outputs.map((o) => ['script', o])] as const) {
    if (path !== undefined && NAME_PATTERN.test(path)) {
      ctx.addIssue({ code: 'custom', path: [field], message: 'uses %x (the job name) but the name contains "/" or is "." or "..": the output would land elsewhere' });
    }
  }
});

export const updateBody = z.strictObject({
  name: jobName.optional(),
  /** null: unlimited (within the partition's MaxTime). */
  time_limit: timeLimit.nullable().optional(),
  partition: slurmName.optional(),
  comment: comment.optional(),
  account: slurmName.optional(),
  qos: slurmName.optional(),
  /** "" removes every dependency. */
  dependency: z.union([z.literal(''), dependency]).optional(),
  nice: z.number().int('must be an integer').min(-2_147_483_645).max(2_147_483_645).optional(),
}).refine((u) => Object.keys(u).length > 0, 'must change at least one field');

export const commaList = <T extends z.ZodType<unknown, string>>(item: T) =>
  z.string().max(LIMITS.filterChars, `must be at most ${LIMITS.filterChars} characters`)
    .transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean))
    .pipe(z.array(item).min(1, 'must name at least one value').max(LIMITS.filterItems, `must have at most ${LIMITS.filterItems} items`));

const jobState = z.string().transform((s) => s.toUpperCase()).pipe(z.enum(JOB_STATES, { error: `must be one of ${JOB_STATES.join(', ')}` }));

/** A list's page (src/http/pages.ts): how many items, and where the previous page ended. */
export const pageFields = {
  limit: z.string().regex(/^\d{1,7}$/, `must be a whole number from 1 to ${LIMITS.pageItems}`).transform(Number)
    .pipe(z.number().min(1, 'must be at least 1').max(LIMITS.pageItems, `must be at most ${LIMITS.pageItems} (the largest page)`)).optional(),
  cursor: z.string().max(512, 'must be a cursor from a next_cursor of this API').optional(),
};
/** GET /v1/nodes, /partitions, /reservations, /licenses, /accounts, /qos: a page, no filters. */
export const listQuery = z.strictObject(pageFields);

export const jobListQuery = z.strictObject({
  ...pageFields,
  user: commaList(slurmName).optional(),
  state: commaList(jobState).optional(),
  partition: commaList(slurmName).optional(),
  account: commaList(slurmName).optional(),
  name: commaList(text(LIMITS.nameChars)).optional(),
  job_id: commaList(jobId).optional(),
});

/** GET /v1/events (#15): filters that narrow the caller's own feed (src/events/filter.ts). */
export const eventsQuery = z.strictObject({
  user: commaList(slurmName).optional(),
  job_id: commaList(jobId).optional(),
  partition: commaList(slurmName).optional(),
  types: commaList(z.enum(EVENT_TYPES, { error: `must be event types: ${EVENT_TYPES.join(', ')}` })).optional(),
});

export const cancelQuery = z.strictObject({ signal: signal.optional() });
export const emptyQuery = z.strictObject({});

export const MAX_OUTPUT_READ = LIMITS.outputRead;
const byteCount = (min: number, max: number) => z.string().regex(/^\d{1,16}$/, `must be a whole number of bytes, ${min} to ${max}`)
  .transform(Number).pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** GET /v1/jobs/{id}/stdout|stderr: a byte range of the file (the answer says its size). */
export const outputQuery = z.strictObject({
  offset: byteCount(0, Number.MAX_SAFE_INTEGER).default(0),
  limit: byteCount(1, MAX_OUTPUT_READ).default(1024 * 1024),
  // #15: `true` streams the file as Server-Sent Events until the job ends (src/output/follow.ts).
  follow: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});
