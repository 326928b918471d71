/**
 * Every route of src/routes.ts as the OpenAPI document describes it: the request schemas are
 * those that validate requests (src/http/schemas.ts, history-query.ts), the answers those of
 * ./responses.ts. test/unit/openapi.test.ts checks that this table and the router name the same
 * routes; the contract suites check every answer against the document built from it.
 */
import { z } from 'zod';
import type { ErrorCode } from '../../errors.js';
import { cancelQuery, emptyQuery, eventsQuery, idempotencyKey, jobId, jobListQuery, outputQuery, slurmName, submitBody, updateBody } from '../schemas.js';
import { historySchema } from '../history-query.js';
import * as r from './responses.js';
import { DOCS_ASSETS } from './assets.js';

/** A response header the document names for an answer; `optional` when the answer has it only sometimes. */
export type HeaderName = 'Location' | 'Idempotent-Replayed';
export type HeaderUse = 'required' | 'optional';

export interface Answer {
  description: string;
  /** One schema, or several the body may be any of. */
  schema: z.ZodType | z.ZodType[];
  headers?: Partial<Record<HeaderName, HeaderUse>>;
  /** Default application/json. */
  contentType?: string;
  /** Other media types the same status may answer with (#15: text/event-stream), and their schemas. */
  also?: Record<string, z.ZodType>;
}

export interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** The OpenAPI path template, under /v1. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  pathParams?: Record<string, { schema: z.ZodType; description: string }>;
  query?: z.ZodObject;
  headers?: Record<string, { schema: z.ZodType; description: string }>;
  body?: { schema: z.ZodType; id: string; examples: Record<string, { summary: string; value: unknown }> };
  answers: Record<number, Answer>;
  /** Errors of this route beyond those every route (and every scheduler call) can give. */
  errors: ErrorCode[];
  /** Runs scheduler commands: then also forbidden, scheduler errors, queue_full, worker_crashed, deadline_exceeded. */
  dispatches: boolean;
  /** Needs no token under --auth=jwt (the document and its reference page). */
  public?: boolean;
}

/** Errors any route can give: a stop, a bug; and invalid_request on every route that validates its input. */
export const COMMON_ERRORS: ErrorCode[] = ['shutting_down', 'internal_error'];
/** Errors of any route that runs a scheduler command. */
export const DISPATCH_ERRORS: ErrorCode[] = ['forbidden', 'scheduler_rejected', 'scheduler_error', 'scheduler_unavailable', 'queue_full', 'worker_crashed', 'deadline_exceeded'];
/** Errors of --auth=jwt on every route that is not public. */
export const AUTH_ERRORS: ErrorCode[] = ['unauthorized', 'forbidden'];
const BODY_ERRORS: ErrorCode[] = ['payload_too_large', 'unsupported_media_type'];
const ACCOUNTING: ErrorCode[] = ['accounting_unavailable', 'accounting_not_configured'];

/** Descriptions of query parameters by name (the schemas say what values they accept). */
export const QUERY_DOCS: Record<string, string> = {
  user: 'Comma-separated user names; a name that selects nothing is not an error.',
  state: 'Comma-separated job states (Slurm\'s names, any case).',
  partition: 'Comma-separated partition names.',
  account: 'Comma-separated account names.',
  name: 'Comma-separated job names.',
  job_id: 'Comma-separated job ids (123, or array task 123_4).',
  start: 'History window start (when jobs ended): "now", relative (-7d, -36h, -30m) or ISO 8601 (UTC unless an offset is given); default 24 h before end.',
  end: 'History window end: as start; default now (at most 10 s before now).',
  limit: 'Most items in one answer.',
  cursor: 'A next cursor from the previous page; send the same filters with it.',
  offset: 'First byte of the file to read.',
  types: 'Comma-separated event types (default: all; `reset` is always sent).',
  follow: '`true`: stream the file as Server-Sent Events (`output` { offset, content }, then `eof` { offset } once the job has ended and all is read; `truncated` { size } when the file shrank, then the file again from its beginning) from `offset`; `Last-Event-ID` (an offset) resumes. `limit` does not apply.',
  signal: 'Send this signal (name such as USR1, SIGTERM, or number 1-64) instead of cancelling.',
};

const id = { id: { schema: jobId, description: 'A job id (123) or an array task (123_4).' } };
const named = (what: string) => ({ name: { schema: slurmName, description: `The ${what}'s name.` } });

const action = (verb: 'hold' | 'release' | 'requeue' | 'suspend' | 'resume', summary: string): Operation => ({
  method: 'post', path: `/jobs/{id}/${verb}`, operationId: `${verb}Job`, summary, tag: 'jobs', pathParams: id, query: emptyQuery,
  answers: { 202: { description: 'Slurm accepted the action.', schema: r.jobAction } },
  errors: ['job_not_found', 'invalid_job_state', ...ACCOUNTING], dispatches: true,
});

const output = (stream: 'stdout' | 'stderr'): Operation => ({
  method: 'get', path: `/jobs/{id}/${stream}`, operationId: `getJob${stream[0]!.toUpperCase()}${stream.slice(3)}`, tag: 'jobs',
  summary: `Read the job's ${stream} file`,
  description: 'For the job\'s owner, when she could read the file herself; a byte range (default the first MiB, at most 8 MiB), streamed.',
  pathParams: id, query: outputQuery,
  answers: { 200: { description: 'The byte range and the file\'s size; with `follow=true`, a stream of Server-Sent Events (text/event-stream).', schema: r.jobOutput, also: { 'text/event-stream': r.eventStream } } },
  errors: ['job_not_found', 'output_not_found', 'forbidden', 'too_many_streams', 'too_many_user_streams', ...ACCOUNTING], dispatches: true,
});

const list = (path: string, operationId: string, summary: string, tag: string, schema: z.ZodType, errors: ErrorCode[] = []): Operation => ({
  method: 'get', path, operationId, summary, tag, query: emptyQuery, answers: { 200: { description: summary, schema } }, errors, dispatches: true,
});
const one = (path: string, operationId: string, summary: string, tag: string, what: string, schema: z.ZodType, errors: ErrorCode[]): Operation => ({
  method: 'get', path, operationId, summary, tag, pathParams: named(what), query: emptyQuery, answers: { 200: { description: summary, schema } }, errors, dispatches: true,
});

export const OPERATIONS: Operation[] = [
  {
    method: 'get', path: '/health', operationId: 'getHealth', summary: 'Mode, version, cluster and whether the controller and accounting answer', tag: 'service',
    answers: {
      200: { description: 'The controller answers.', schema: r.health },
      503: { description: 'The controller is unreachable (the same shape as 200), or the gateway is stopping or full (an error).', schema: [r.health, r.error] },
    },
    errors: ['shutting_down', 'internal_error'], dispatches: false,
  },
  {
    method: 'get', path: '/jobs', operationId: 'listJobs', summary: 'The live queue', tag: 'jobs', query: jobListQuery,
    answers: { 200: { description: 'Jobs the controller holds that match every filter.', schema: r.jobList } }, errors: [], dispatches: true,
  },
  {
    method: 'post', path: '/jobs', operationId: 'submitJob', tag: 'jobs', summary: 'Submit a batch script, or test whether it would run ("validate": true)',
    description: 'With an Idempotency-Key, a retry of the same body answers the job it created (200, Idempotent-Replayed: true) instead of a second job.',
    headers: { 'Idempotency-Key': { schema: idempotencyKey, description: 'Makes retries safe: the same key and body never create a second job.' } },
    body: {
      schema: submitBody, id: 'JobSubmission', examples: {
        minimal: { summary: 'A script', value: { script: '#!/bin/bash\nsrun hostname\n' } },
        options: { summary: 'With resources', value: { script: '#!/bin/bash\nsrun hostname\n', name: 'hello', partition: 'debug', time_limit: 10, cpus_per_task: 2, gres: 'gpu:1', environment: { STAGE: 'test' } } },
        validate: { summary: 'Would it run, when and where? (nothing is submitted)', value: { script: '#!/bin/bash\nsrun hostname\n', nodes: 2, validate: true } },
      },
    },
    answers: {
      201: { description: 'Submitted.', schema: r.submitted, headers: { Location: 'required' } },
      200: { description: '"validate": true: whether, when and where it would run; or an Idempotency-Key replay: the job the same key and body created (with Location and Idempotent-Replayed).', schema: [r.jobValidation, r.submitted], headers: { Location: 'optional', 'Idempotent-Replayed': 'optional' } },
    },
    errors: [...BODY_ERRORS, 'idempotency_conflict', 'submit_outcome_unknown'], dispatches: true,
  },
  {
    method: 'get', path: '/jobs/{id}', operationId: 'getJob', tag: 'jobs', summary: 'One job, from the controller while it holds it, from accounting after',
    pathParams: id, query: emptyQuery, answers: { 200: { description: 'The job; an array job\'s own id answers the array with its `tasks`.', schema: r.job } },
    errors: ['job_not_found', ...ACCOUNTING], dispatches: true,
  },
  {
    method: 'patch', path: '/jobs/{id}', operationId: 'updateJob', tag: 'jobs', summary: 'Change a pending or running job',
    pathParams: id,
    body: { schema: updateBody, id: 'JobUpdate', examples: { limit: { summary: 'A longer time limit and a new name', value: { time_limit: 120, name: 'renamed' } }, free: { summary: 'Remove every dependency', value: { dependency: '' } } } },
    answers: { 200: { description: 'The job as it is now.', schema: r.job } },
    errors: [...BODY_ERRORS, 'job_not_found', 'invalid_job_state', ...ACCOUNTING], dispatches: true,
  },
  {
    method: 'delete', path: '/jobs/{id}', operationId: 'cancelJob', tag: 'jobs', summary: 'Cancel a job, or send it a signal', pathParams: id, query: cancelQuery,
    answers: { 202: { description: 'Slurm accepted the cancellation or signal.', schema: r.jobAction } },
    errors: ['job_not_found', 'invalid_job_state', ...ACCOUNTING], dispatches: true,
  },
  output('stdout'),
  output('stderr'),
  {
    method: 'get', path: '/jobs/{id}/steps', operationId: 'listJobSteps', tag: 'jobs', summary: 'The job\'s steps (batch, extern, 0, 1, ...)',
    pathParams: id, query: emptyQuery, answers: { 200: { description: 'From the controller while it runs, from accounting after.', schema: r.stepList } },
    errors: ['job_not_found', ...ACCOUNTING], dispatches: true,
  },
  action('hold', 'Hold a pending job'),
  action('release', 'Release a held job'),
  action('requeue', 'Requeue a job'),
  action('suspend', 'Suspend a running job'),
  action('resume', 'Resume a suspended job'),
  list('/nodes', 'listNodes', 'Every node', 'resources', r.nodeList),
  one('/nodes/{name}', 'getNode', 'One node', 'resources', 'node', r.node, ['node_not_found']),
  list('/partitions', 'listPartitions', 'Every partition', 'resources', r.partitionList),
  one('/partitions/{name}', 'getPartition', 'One partition', 'resources', 'partition', r.partition, ['partition_not_found']),
  list('/reservations', 'listReservations', 'Advance reservations', 'resources', r.reservationList),
  one('/reservations/{name}', 'getReservation', 'One reservation', 'resources', 'reservation', r.reservation, ['reservation_not_found']),
  list('/licenses', 'listLicenses', 'License pools', 'resources', r.licenseList),
  list('/cluster', 'getCluster', 'Name, version and controller statistics (sdiag)', 'resources', r.cluster),
  {
    method: 'get', path: '/history', operationId: 'listHistory', tag: 'accounting', summary: 'Jobs that ended, most recently ended first, a page at a time',
    query: historySchema(0), answers: { 200: { description: 'One page; `next_cursor` continues the walk.', schema: r.historyPage } },
    errors: ACCOUNTING, dispatches: true,
  },
  list('/accounts', 'listAccounts', 'Accounts from accounting', 'accounting', r.accountList, ACCOUNTING),
  one('/users/{name}', 'getUser', 'A user as accounting knows her, with her associations and their limits', 'accounting', 'user', r.user, ['user_not_found', ...ACCOUNTING]),
  list('/qos', 'listQos', 'Every QOS', 'accounting', r.qosList, ACCOUNTING),
  {
    method: 'get', path: '/events', operationId: 'streamEvents', tag: 'jobs', summary: 'Changes to jobs, nodes and partitions, as Server-Sent Events',
    description: 'Events `job.submitted`, `job.state`, `job.finished`, `job.gone`, `node.state`, `partition.changed`, and `reset` (re-read the lists); each with an `id`, `Last-Event-ID` resumes while the gateway keeps the events after it; `: heartbeat` every 15 s. Under --auth=jwt only what the caller may read with her own token; the filters narrow that, never widen it.',
    query: eventsQuery,
    headers: { 'Last-Event-ID': { schema: z.string().max(64), description: 'The id of the last event received: resume after it (or get `reset`).' } },
    answers: { 200: { description: 'An event stream (text/event-stream) that lasts until the client leaves, the token expires, or the gateway stops.', schema: r.eventStream, contentType: 'text/event-stream' } },
    errors: ['too_many_streams', 'too_many_user_streams'], dispatches: true,
  },
  {
    method: 'get', path: '/openapi.json', operationId: 'getOpenApiJson', tag: 'service', summary: 'This document (JSON)', public: true,
    answers: { 200: { description: 'The OpenAPI 3.1 document.', schema: z.record(z.string(), z.unknown()) } }, errors: [], dispatches: false,
  },
  {
    method: 'get', path: '/openapi.yaml', operationId: 'getOpenApiYaml', tag: 'service', summary: 'This document (YAML)', public: true,
    answers: { 200: { description: 'The OpenAPI 3.1 document, as YAML (application/yaml).', schema: z.string(), contentType: 'application/yaml' } }, errors: [], dispatches: false,
  },
  {
    method: 'get', path: '/docs', operationId: 'getDocs', tag: 'service', summary: 'The interactive API reference (HTML)', public: true,
    answers: { 200: { description: 'An HTML page (text/html) that reads /v1/openapi.json; its scripts and styles come from this gateway.', schema: z.string(), contentType: 'text/html' } }, errors: [], dispatches: false,
  },
  {
    method: 'get', path: '/docs/{asset}', operationId: 'getDocsAsset', tag: 'service', summary: 'A script, style sheet or icon of the reference page', public: true,
    pathParams: { asset: { schema: z.enum(['init.js', ...Object.keys(DOCS_ASSETS)]), description: 'One of the page\'s files.' } },
    answers: { 200: { description: 'The file (text/javascript, text/css or image/png).', schema: z.string(), contentType: '*/*' } }, errors: ['not_found'], dispatches: false,
  },
];
