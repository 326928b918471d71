/**
 * Request schemas: the one place where input is validated. Every path parameter, query string
 * and body goes through here before a command is built, so Slurm only ever sees checked data.
 */
import { z } from 'zod';
import { JOB_STATES } from '../model.js';

const MAX_U32 = 4_294_967_294;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Printable text without control characters (newlines would break Slurm's line formats). */
export const text = (max: number) =>
  z.string().max(max, `must be at most ${max} characters`).refine((s) => !CONTROL.test(s), 'must not contain control characters');

/** Partition, account, QOS, node and user names as Slurm accepts them. */
export const slurmName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._@-]{0,127}$/, 'must be a Slurm name: letters, digits, and . _ @ -');

export const jobId = z.string().regex(/^\d{1,10}(_\d{1,10})?$/, { error: 'must be a job id such as 123 or an array task such as 123_4', abort: true })
  .refine((s) => s.split('_').every((n) => Number(n) >= 1 && Number(n) <= MAX_U32), 'is out of range');

const absolutePath = text(4096).refine((s) => s.startsWith('/'), 'must be an absolute path')
  .refine((s) => !s.split('/').includes('..'), 'must not contain ".." segments');

const positive = (max: number) => z.number().int('must be an integer').min(1, 'must be at least 1').max(max, `must be at most ${max}`);

const SIGNALS = ['HUP', 'INT', 'QUIT', 'ABRT', 'KILL', 'USR1', 'USR2', 'TERM', 'ALRM', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'PIPE'] as const;
export const signal = z.string().transform((s) => s.toUpperCase().replace(/^SIG/, ''))
  .pipe(z.union([z.enum(SIGNALS), z.string().regex(/^([1-9]|[1-5]\d|6[0-4])$/)], { error: `must be a signal name (${SIGNALS.join(', ')}) or a number 1-64` }));

const DEPENDENCY_TYPES = '(after|afterany|afterok|afternotok|aftercorr|afterburstbuffer)';
const dependencyItem = `(singleton|${DEPENDENCY_TYPES}(:\\d{1,10}(_\\d{1,10})?(\\+\\d{1,6})?)+)`;
const dependency = z.string().max(1024).regex(new RegExp(`^${dependencyItem}([,?]${dependencyItem})*$`), 'must be a Slurm dependency such as afterok:123');
const arraySpec = z.string().max(1024).regex(/^\d{1,7}(-\d{1,7}(:\d{1,7})?)?(,\d{1,7}(-\d{1,7}(:\d{1,7})?)?)*(%\d{1,7})?$/, 'must be an array spec such as 1-10, 1,3,5 or 0-15:4%2');

export const MAX_SCRIPT_BYTES = 1024 * 1024;
export const MAX_ENV_ENTRIES = 1000;

export const submitBody = z.strictObject({
  script: z.string().min(1).max(MAX_SCRIPT_BYTES, `must be at most ${MAX_SCRIPT_BYTES} characters`)
    .refine((s) => s.startsWith('#!'), 'must start with an interpreter line such as #!/bin/bash')
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL bytes'),
  name: text(200).min(1).optional(),
  partition: slurmName.optional(),
  time_limit: positive(MAX_U32 - 1).optional(),
  nodes: positive(1_000_000).optional(),
  ntasks: positive(10_000_000).optional(),
  cpus_per_task: positive(100_000).optional(),
  memory_per_node: positive(1_000_000_000).optional(),
  working_directory: absolutePath.optional(),
  stdout: absolutePath.optional(),
  stderr: absolutePath.optional(),
  environment: z.record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,255}$/, 'environment names must be letters, digits and _')
      // Slurm's tools read these themselves (options, configuration, the caller's token), and
      // slurmd sets SLURM_* for the job: a caller's job environment must not steer either.
      .refine((name) => !/^(SLURM_|SBATCH_)/.test(name), 'environment names starting with SLURM_ or SBATCH_ are reserved for Slurm'),
    z.string().max(131072).refine((s) => !s.includes('\u0000'), 'must not contain NUL bytes'),
  ).refine((env) => Object.keys(env).length <= MAX_ENV_ENTRIES, `must have at most ${MAX_ENV_ENTRIES} entries`).optional(),
  hold: z.boolean().optional(),
  account: slurmName.optional(),
  qos: slurmName.optional(),
  comment: text(1024).optional(),
  array: arraySpec.optional(),
  dependency: dependency.optional(),
});

export const updateBody = z.strictObject({
  name: text(200).min(1).optional(),
  time_limit: positive(MAX_U32 - 1).optional(),
  partition: slurmName.optional(),
  comment: text(1024).optional(),
  account: slurmName.optional(),
  qos: slurmName.optional(),
  dependency: dependency.optional(),
  nice: z.number().int().min(-2_147_483_645).max(2_147_483_645).optional(),
}).refine((u) => Object.keys(u).length > 0, 'must change at least one field');

const commaList = <T extends z.ZodType<unknown, string>>(item: T) =>
  z.string().max(8192).transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean)).pipe(z.array(item).min(1).max(1000));

const jobState = z.string().transform((s) => s.toUpperCase()).pipe(z.enum(JOB_STATES, { error: `must be one of ${JOB_STATES.join(', ')}` }));

export const jobListQuery = z.strictObject({
  user: commaList(slurmName).optional(),
  state: commaList(jobState).optional(),
  partition: commaList(slurmName).optional(),
  account: commaList(slurmName).optional(),
  name: commaList(text(200)).optional(),
  job_id: commaList(jobId).optional(),
});

export const cancelQuery = z.strictObject({ signal: signal.optional() });
export const emptyQuery = z.strictObject({});

export const MAX_OUTPUT_READ = 8 * 1024 * 1024;
const byteCount = (min: number, max: number) => z.string().regex(/^\d{1,16}$/, 'must be a whole number of bytes')
  .transform(Number).pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** GET /v1/jobs/{id}/stdout|stderr: a byte range of the file (the answer says its size). */
export const outputQuery = z.strictObject({
  offset: byteCount(0, Number.MAX_SAFE_INTEGER).default(0),
  limit: byteCount(1, MAX_OUTPUT_READ).default(1024 * 1024),
});
