/**
 * What the gateway answers, in zod: the response half of the OpenAPI document (src/http/openapi/
 * document.ts), as src/http/schemas.ts is the request half. Each schema is checked against its
 * model interface at compile time (`Same` below, in both directions), so a field added to, removed
 * from or retyped in src/model.ts fails `npm run typecheck` until it is described here; the
 * contract suites then check every answer of the real gateway against the document.
 */
import { z } from 'zod';
import { ADMIN_LEVELS, JOB_SOURCES } from '../../model.js';
import type {
  AccountInfo, AccountingPing, Association, BackfillStats, ClusterInfo, ControllerStats, Job, JobStep, JobValidation, License, Node,
  Partition, Qos, Reservation, RpcUserStats, Tres, UserInfo,
} from '../../model.js';
import { ERROR_TABLE, type ErrorCode } from '../../errors.js';
import { OUTPUT_STREAMS, type JobOutput } from '../../output/read.js';
import type { ErrorBody } from '../errors.js';

/** ISO 8601 UTC, as the model writes every time. */
const time = z.string().meta({ format: 'date-time', examples: ['2026-12-01T10:00:00.000Z'] });
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();
const int = () => z.number().int();

export const tres = z.object({
  cpus: nullable(z.number()), memory_mib: nullable(z.number()), nodes: nullable(z.number()), gpus: nullable(z.number()), billing: nullable(z.number()),
}).meta({ id: 'Tres', description: 'Trackable resources (Slurm\'s TRES); null when not set.' });

const jobFields = {
  job_id: int().meta({ examples: [4242] }),
  array_job_id: nullable(int()),
  array_task_id: nullable(int()),
  array_tasks: nullable(z.string()).meta({ description: 'The pending tasks a not-yet-split array record stands for, e.g. "3-10%2".' }),
  name: z.string(),
  user: z.string(),
  account: nullable(z.string()),
  partition: nullable(z.string()),
  qos: nullable(z.string()),
  state: z.string().meta({ description: 'Slurm\'s state name: PENDING, RUNNING, COMPLETED, ...', examples: ['RUNNING'] }),
  reason: nullable(z.string()),
  priority: nullable(z.number()),
  submit_time: nullable(time),
  start_time: nullable(time),
  end_time: nullable(time),
  time_limit: nullable(z.number()).meta({ description: 'Minutes; null when unlimited.' }),
  nodes: nullable(z.string()),
  node_count: nullable(int()),
  cpus: nullable(int()),
  exit_code: nullable(int()).meta({ description: 'The exit status; 128 + n when killed by signal n.' }),
  working_directory: nullable(z.string()),
  stdout_path: nullable(z.string()),
  stderr_path: nullable(z.string()),
  dependency: nullable(z.string()),
  features: nullable(z.string()),
  tres_per_node: nullable(z.string()),
  tres_per_job: nullable(z.string()),
  licenses: nullable(z.string()),
  reservation: nullable(z.string()),
  eligible_time: nullable(time),
  deadline: nullable(time),
  requeue: nullable(z.boolean()),
  exclusive: nullable(z.boolean()),
  tasks_per_node: nullable(int()),
  source: z.enum(JOB_SOURCES).meta({ description: 'controller while slurmctld holds the job, accounting after.' }),
  cluster: nullable(z.string()),
  elapsed: nullable(z.number()).meta({ description: 'Seconds; from accounting only.' }),
  derived_exit_code: nullable(int()),
  signal: nullable(int()),
  tres_requested: nullable(tres),
  tres_allocated: nullable(tres),
  max_rss: nullable(z.number()).meta({ description: 'Bytes.' }),
  total_cpu: nullable(z.number()).meta({ description: 'Seconds.' }),
};

type JobFields = typeof jobFields;
type JobShape = JobFields & { array_task_string: z.ZodOptional<z.ZodString>; tasks: z.ZodOptional<z.ZodArray<JobSchema>> };
type JobSchema = z.ZodObject<JobShape, z.core.$strip>;
export const job: JobSchema = z.object({
  ...jobFields,
  array_task_string: z.string().optional().meta({ description: 'Only with `tasks`: every task of the array in Slurm\'s compact form ("0-9").' }),
  get tasks() {
    return z.optional(z.array(job));
  },
});
// Registered, not `.meta()`: a method chained on a recursive object defeats its type inference.
z.globalRegistry.add(job, { id: 'Job', description: 'The gateway\'s normalised job. `tasks` only on GET /v1/jobs/{array job id}: every record of the array, the pending remainder last.' });

export const jobStep = z.object({
  job_id: int(), step_id: z.string().meta({ examples: ['batch', 'extern', '0'] }), name: z.string(), state: z.string(),
  exit_code: nullable(int()), signal: nullable(int()), start_time: nullable(time), end_time: nullable(time), elapsed: nullable(z.number()),
  nodes: nullable(z.string()), node_count: nullable(int()), tasks: nullable(int()), max_rss: nullable(z.number()), total_cpu: nullable(z.number()),
  source: z.enum(JOB_SOURCES),
}).meta({ id: 'JobStep' });

export const node = z.object({
  name: z.string(), state: z.string(), state_flags: z.array(z.string()),
  cpus: z.object({ total: int(), allocated: int(), idle: int() }),
  memory_mib: z.object({ total: z.number(), allocated: nullable(z.number()), free: nullable(z.number()) }),
  cpu_load: nullable(z.number()), partitions: z.array(z.string()), features: z.array(z.string()), active_features: z.array(z.string()),
  gres: nullable(z.string()).meta({ examples: ['gpu:fake:2'] }), gres_used: nullable(z.string()).meta({ examples: ['gpu:fake:1(IDX:0)'] }),
  tres: nullable(tres), tres_allocated: nullable(tres), address: nullable(z.string()), hostname: nullable(z.string()), os: nullable(z.string()),
  boot_time: nullable(time), slurmd_start_time: nullable(time), reason: nullable(z.string()),
}).meta({ id: 'Node' });

export const partition = z.object({
  name: z.string(), state: z.string(), default: z.boolean(), nodes: nullable(z.string()), node_count: int(), cpus_total: nullable(int()),
  max_time: nullable(z.number()), default_time: nullable(z.number()), max_nodes: nullable(int()), min_nodes: int(), tres: nullable(tres),
}).meta({ id: 'Partition' });

export const reservation = z.object({
  name: z.string(), state: z.enum(['ACTIVE', 'INACTIVE']), start_time: nullable(time), end_time: nullable(time), nodes: nullable(z.string()),
  node_count: int(), core_count: int(), partition: nullable(z.string()), users: z.array(z.string()), accounts: z.array(z.string()),
  licenses: z.record(z.string(), z.number()), flags: z.array(z.string()), tres: nullable(tres),
}).meta({ id: 'Reservation' });

export const license = z.object({
  name: z.string(), total: int(), used: int(), free: int(), reserved: int(), remote: z.boolean(),
}).meta({ id: 'License' });

const rpcUser = z.object({ user: z.string(), user_id: int(), count: int(), average_time_us: z.number(), total_time_us: z.number() }).meta({ id: 'RpcUserStats' });
const backfill = z.object({
  active: z.boolean(), backfilled_jobs: int(), backfilled_het_jobs: int(), cycle_count: int(), last_cycle_time: nullable(time),
  last_cycle_us: z.number(), max_cycle_us: z.number(), mean_cycle_us: nullable(z.number()), last_depth: int(), last_depth_try: int(),
  mean_depth: nullable(z.number()), last_queue_length: int(), mean_queue_length: nullable(z.number()),
}).meta({ id: 'BackfillStats' });
const n = () => nullable(z.number());
const controllerStats = z.object({
  server_thread_count: n(), agent_queue_size: n(), jobs_submitted: n(), jobs_started: n(), jobs_completed: n(), jobs_canceled: n(),
  jobs_failed: n(), jobs_pending: n(), jobs_running: n(), schedule_cycle_last_us: n(), schedule_cycle_mean_us: n(),
  rpc_by_type: z.record(z.string(), z.object({ count: int(), total_time_us: z.number() })),
  rpc_by_user: z.array(rpcUser),
  backfill,
}).meta({ id: 'ControllerStats' });
export const cluster = z.object({
  name: z.string(), slurm_version: z.string(), controllers: z.array(z.string()), statistics: controllerStats,
}).meta({ id: 'ClusterInfo' });

export const account = z.object({
  name: z.string(), description: nullable(z.string()), organization: nullable(z.string()), parent: nullable(z.string()),
}).meta({ id: 'Account' });
const association = z.object({
  cluster: z.string(), account: z.string(), partition: nullable(z.string()), qos: z.array(z.string()), default_qos: nullable(z.string()),
  max_wall: n(), max_tres_per_job: nullable(tres), grp_tres: nullable(tres), max_jobs: n(), max_submit_jobs: n(), grp_jobs: n(),
}).meta({ id: 'Association' });
export const user = z.object({
  name: z.string(), default_account: nullable(z.string()), admin_level: z.enum(ADMIN_LEVELS), associations: z.array(association),
}).meta({ id: 'User' });
export const qos = z.object({
  name: z.string(), priority: n(), max_wall: n(), max_tres_per_job: nullable(tres), max_tres_per_user: nullable(tres), max_jobs_per_user: n(),
  max_submit_jobs_per_user: n(), grp_tres: nullable(tres), flags: z.array(z.string()),
}).meta({ id: 'Qos' });

export const jobValidation = z.object({
  will_run: z.boolean(), start_time: nullable(time), nodes: nullable(z.string()), partition: nullable(z.string()), cpus: nullable(int()),
  preempts: z.array(int()), reason: nullable(z.string()),
}).meta({ id: 'JobValidation', description: 'POST /v1/jobs with "validate": true: Slurm\'s test-only submission; nothing is created.' });

export const jobOutput = z.object({
  job_id: int(), stream: z.enum(OUTPUT_STREAMS), path: z.string(), size: int(), offset: int(), content: z.string(), length: int(), eof: z.boolean(),
}).meta({ id: 'JobOutput', description: 'A byte range of the job\'s output file; `content` is its UTF-8 decoding.' });

/** #15: a Server-Sent Events stream (GET /v1/events, output ?follow=true); each event's `data` is one line of JSON. */
export const eventStream = z.string().meta({
  id: 'EventStream',
  description: 'text/event-stream: `retry: 3000` first, then events, each `id: <n>`, `event: <type>`, `data: <JSON>`, and `: heartbeat` comments every 15 s. '
    + 'GET /v1/events: job.submitted {type,time,job_id,job}; job.state {type,time,job_id,old_state,new_state,reason,job}; job.finished {type,time,job_id,old_state,new_state,exit_code,job}; '
    + 'job.gone {type,time,job_id}; node.state {type,time,name,old_state,new_state,node}; partition.changed {type,time,name,partition}; reset {type,time,reason}. '
    + '`job`, `node`, `partition` are the objects GET /v1/jobs/{id}, /v1/nodes/{name}, /v1/partitions/{name} answer. '
    + 'Output follow: output {offset,content} (id: the offset after it), truncated {size} (the file shrank: it is sent again from its beginning), eof {offset}, error {code,message}.',
  examples: ['retry: 3000\n\nid: 1764583200123\nevent: job.state\ndata: {"type":"job.state","time":"2026-12-01T10:00:00.000Z","job_id":4242,"old_state":"PENDING","new_state":"RUNNING","reason":"None","job":{}}\n\n'],
});

export const submitted = z.object({ job_id: int() }).meta({ id: 'Submitted', examples: [{ job_id: 4242 }] });
export const jobAction = z.object({
  id: z.string().meta({ examples: ['4242', '4242_3'] }),
  action: z.string().meta({ description: 'cancel, signal <NAME>, hold, release, requeue, suspend or resume', examples: ['cancel', 'signal USR1', 'hold'] }),
}).meta({ id: 'JobAction', description: 'The action was accepted by Slurm.' });

const accounting = z.object({
  status: z.enum(['up', 'down', 'not_configured']), reason: nullable(z.string()),
}).meta({ id: 'AccountingStatus' });

export const errorCodes = Object.keys(ERROR_TABLE) as [ErrorCode, ...ErrorCode[]];
export const error = z.object({
  error: z.object({
    code: z.enum(errorCodes).meta({ description: 'Stable; the status follows from it (docs/DESIGN.md, "Errors").' }),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional().meta({ description: 'invalid_request: `issues`, each `{ field, message }`.' }),
  }),
}).meta({ id: 'Error', examples: [{ error: { code: 'job_not_found', message: 'No job 4242' } }] });

export const health = z.object({
  status: z.enum(['ok', 'unavailable']),
  version: z.string(),
  mode: z.object({ executor: z.string(), application: z.string(), parallel: int() }),
  dispatch: z.object({ running: int(), waiting: int() }),
  cluster: nullable(z.string()),
  slurm_version: nullable(z.string()),
  controller_reachable: z.boolean(),
  accounting,
  error: z.object({ code: z.enum(errorCodes), message: z.string() }).optional().meta({ description: 'Why the controller could not be asked (503 only).' }),
}).meta({ id: 'Health', description: '200 when the controller answers; 503 with the same shape when it does not.' });

/**
 * `{ <key>: [item] }`: every list answers its items under one key (the one place a list envelope
 * is written). A paged list (src/http/pages.ts) adds `next_cursor` when the request gave a
 * `limit` (or --page-limit set one); without, the answer is the whole list as it always was.
 */
const list = <K extends string, T extends z.ZodType>(key: K, item: T, id: string, paged = true) => {
  const items = z.object({ [key]: z.array(item) } as { [P in K]: z.ZodArray<T> });
  return (paged
    ? items.extend({ next_cursor: nullable(z.string()).optional().meta({ description: 'Only on a page (a `limit` was given or configured): send it as `cursor` with the same filters for the next page; null on the last.' }) })
    : items).meta({ id });
};

export const jobList = list('jobs', job, 'JobList');
export const stepList = list('steps', jobStep, 'JobStepList', false);
export const nodeList = list('nodes', node, 'NodeList');
export const partitionList = list('partitions', partition, 'PartitionList');
export const reservationList = list('reservations', reservation, 'ReservationList');
export const licenseList = list('licenses', license, 'LicenseList');
export const accountList = list('accounts', account, 'AccountList');
export const qosList = list('qos', qos, 'QosList');
export const historyPage = z.object({
  jobs: z.array(job),
  next_cursor: nullable(z.string()).meta({ description: 'Send it as `cursor` with the same filters for the next page; null on the last.' }),
  window: z.object({ start: time, end: time }),
}).meta({ id: 'HistoryPage' });

/** Every schema that becomes a component of the document, by its `id`. */
export const RESPONSE_SCHEMAS = [
  tres, job, jobStep, node, partition, reservation, license, rpcUser, backfill, controllerStats, cluster, account, association, user, qos,
  jobValidation, jobOutput, submitted, jobAction, accounting, error, health, jobList, stepList, nodeList, partitionList, reservationList,
  licenseList, accountList, qosList, historyPage,
] as const;

// Compile-time drift checks: each schema's output type and its model interface must be the same
// type, both ways (a field added, dropped or retyped on either side is a type error).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Check<T extends true> = T;
export type ModelChecks = [
  Check<Same<z.output<typeof tres>, Tres>>,
  Check<Same<z.output<typeof job>, Job>>,
  Check<Same<z.output<typeof jobStep>, JobStep>>,
  Check<Same<z.output<typeof node>, Node>>,
  Check<Same<z.output<typeof partition>, Partition>>,
  Check<Same<z.output<typeof reservation>, Reservation>>,
  Check<Same<z.output<typeof license>, License>>,
  Check<Same<z.output<typeof rpcUser>, RpcUserStats>>,
  Check<Same<z.output<typeof backfill>, BackfillStats>>,
  Check<Same<z.output<typeof controllerStats>, ControllerStats>>,
  Check<Same<z.output<typeof cluster>, ClusterInfo>>,
  Check<Same<z.output<typeof account>, AccountInfo>>,
  Check<Same<z.output<typeof association>, Association>>,
  Check<Same<z.output<typeof user>, UserInfo>>,
  Check<Same<z.output<typeof qos>, Qos>>,
  Check<Same<z.output<typeof jobValidation>, JobValidation>>,
  Check<Same<z.output<typeof jobOutput>, JobOutput>>,
  Check<Same<z.output<typeof accounting>, AccountingPing>>,
  Check<Same<z.output<typeof error>, ErrorBody>>,
  // Keys, both ways, for the objects above: `Same` alone lets an optional field go missing.
  Check<Same<keyof z.output<typeof job>, keyof Job>>,
  Check<Same<keyof z.output<typeof node>, keyof Node>>,
];
