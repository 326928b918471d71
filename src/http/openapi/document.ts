/**
 * The OpenAPI 3.1 document, built from zod at start-up: zod 4's own JSON Schema output
 * (`z.toJSONSchema`, draft 2020-12, which is OpenAPI 3.1's schema dialect) for every request and
 * answer, put into paths by the table of ./operations.ts. Nothing is written by hand twice: a
 * request schema that changes in src/http/schemas.ts changes the document with it.
 */
import { z } from 'zod';
import { ERROR_TABLE, type ErrorCode } from '../../errors.js';
import type { AuthMode } from '../../slurm/identity.js';
import { AUTH_ERRORS, COMMON_ERRORS, DISPATCH_ERRORS, OPERATIONS, QUERY_DOCS, type Answer, type HeaderName, type HeaderUse, type Operation } from './operations.js';
import './responses.js'; // registers the answer schemas (their ids) in zod's global registry

type Json = Record<string, unknown>;

export interface DocumentSettings {
  /** The gateway's version (info.version). */
  version: string;
  /** Under jwt every route but the public ones needs a token; under none, no route does. */
  auth: AuthMode;
}

const COMPONENT = (id: string) => `#/components/schemas/${id}`;

/**
 * zod -> JSON Schema. An answer schema with an id is a component: referred to, not repeated. An
 * input that zod checks with a custom test first (the job environment) is shown as what it is then
 * parsed into.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const id = z.globalRegistry.get(schema)?.id;
  if (io === 'output' && id) return { $ref: COMPONENT(id) };
  const converted = z.toJSONSchema(schema, {
    target: 'draft-2020-12', io, unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema: out }) => {
      const def = (zodSchema as unknown as ZodInternals)._zod.def;
      if (io === 'input' && def.type === 'pipe' && def.in?._zod.def.type === 'custom' && def.out) {
        for (const key of Object.keys(out)) delete (out as Json)[key];
        Object.assign(out, jsonSchema(def.out as unknown as z.ZodType, 'input'));
      }
    },
  }) as Json;
  delete converted.$schema;
  // Request schemas hold no component; an answer's are referred to above.
  if (converted.$defs) throw new Error(`OpenAPI: a schema nests components (${Object.keys(converted.$defs as Json).join(', ')}): give it an id`);
  return converted;
}

interface ZodInternals { _zod: { def: { type: string; in?: ZodInternals; out?: ZodInternals } } }

/** Every answer schema with an id, as components (each refers to the others by $ref). */
function components(): Json {
  const { schemas } = z.toJSONSchema(z.globalRegistry, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any', uri: COMPONENT }) as { schemas: Record<string, Json> };
  // `$id` would be a URI with a fragment, which JSON Schema 2020-12 forbids; the path is its name.
  for (const schema of Object.values(schemas)) { delete schema.$schema; delete schema.$id; }
  return schemas;
}

function errorsOf(op: Operation, auth: AuthMode): Map<number, ErrorCode[]> {
  // The public routes validate nothing: an unknown file of the page is 404.
  const validates = !op.public && !!(op.query || op.pathParams || op.body || op.headers);
  const codes = new Set<ErrorCode>([
    ...(validates ? ['invalid_request' as const] : []), ...COMMON_ERRORS, ...(op.dispatches ? DISPATCH_ERRORS : []),
    ...(auth === 'jwt' && !op.public ? AUTH_ERRORS : []), ...op.errors,
  ]);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_TABLE[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

const HEADERS: Record<HeaderName | 'X-Request-Id' | 'Retry-After' | 'WWW-Authenticate' | 'ETag' | 'Link' | 'Cache-Control' | 'Server-Timing', Json> = {
  ETag: { description: 'A strong tag of the answer\'s JSON bytes (src/http/serving.ts); send it back in If-None-Match for a 304 while the answer is unchanged. Absent on a traced answer.', required: false, schema: { type: 'string' } },
  Link: { description: 'On a page that has a next one: `<…&cursor=…>; rel="next"`.', required: false, schema: { type: 'string' } },
  'Cache-Control': { description: '`no-store` under --auth=jwt (every answer depends on who asks), `no-cache` otherwise (revalidate with If-None-Match).', required: false, schema: { type: 'string' } },
  'Server-Timing': { description: 'The scheduler calls this answer took (`slurm;dur=…;desc="squeue"`) and `total`; off with --no-server-timing.', required: false, schema: { type: 'string' } },
  'X-Request-Id': { description: 'The request\'s id (the caller\'s X-Request-Id when well-formed), also on every log line.', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' } },
  Location: { description: 'The job\'s URL.', required: true, schema: { type: 'string', pattern: '^/v1/jobs/\\d+$' } },
  'Idempotent-Replayed': { description: 'true when this answers an earlier submission with the same Idempotency-Key and body.', required: true, schema: { type: 'string', enum: ['true'] } },
  'Retry-After': { description: 'Seconds after which a retry may succeed.', schema: { type: 'string', pattern: '^\\d+$' } },
  'WWW-Authenticate': { description: 'Bearer realm="scheduler-rest"', required: true, schema: { type: 'string' } },
};
const headers = (names: Array<keyof typeof HEADERS>) => Object.fromEntries(names.map((n) => [n, { $ref: `#/components/headers/${n}` }]));

function answer(status: number, a: Answer): Json {
  const schemas = (Array.isArray(a.schema) ? a.schema : [a.schema]).map((s) => jsonSchema(s, 'output'));
  const own = Object.entries(a.headers ?? {}) as Array<[HeaderName, HeaderUse]>;
  return {
    description: a.description,
    headers: {
      ...headers(['X-Request-Id', ...own.filter(([, use]) => use === 'required').map(([name]) => name), ...(status === 503 ? ['Retry-After' as const] : [])]),
      // The components' headers are required where they appear; here only sometimes.
      ...Object.fromEntries(own.filter(([, use]) => use === 'optional').map(([name]) => [name, { ...HEADERS[name], required: false }])),
      'Server-Timing': HEADERS['Server-Timing'],
    },
    content: {
      [a.contentType ?? 'application/json']: { schema: schemas.length === 1 ? schemas[0] : { anyOf: schemas } },
      ...Object.fromEntries(Object.entries(a.also ?? {}).map(([type, schema]) => [type, { schema: jsonSchema(schema, 'output') }])),
    },
  };
}

function errorAnswer(status: number, codes: ErrorCode[]): Json {
  return {
    description: codes.map((c) => `\`${c}\`: ${ERROR_TABLE[c].message}`).join('; '),
    headers: { ...headers(['X-Request-Id', ...(status === 503 ? ['Retry-After' as const] : []), ...(status === 401 ? ['WWW-Authenticate' as const] : [])]), 'Server-Timing': HEADERS['Server-Timing'] },
    content: {
      'application/json': {
        schema: { allOf: [{ $ref: COMPONENT('Error') }, { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } }] },
      },
    },
  };
}

function parameters(op: Operation): Json[] {
  const params: Json[] = [];
  for (const [name, p] of Object.entries(op.pathParams ?? {})) params.push({ name, in: 'path', required: true, description: p.description, schema: jsonSchema(p.schema, 'input') });
  if (op.query) {
    const query = jsonSchema(op.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      params.push({ name, in: 'query', required: query.required?.includes(name) ?? false, ...(QUERY_DOCS[name] && { description: QUERY_DOCS[name] }), schema });
    }
  }
  for (const [name, h] of Object.entries(op.headers ?? {})) params.push({ name, in: 'header', required: false, description: h.description, schema: jsonSchema(h.schema, 'input') });
  if (op.method === 'get' && op.dispatches && op.answers[200]?.contentType !== 'text/event-stream') params.push({ name: 'If-None-Match', in: 'header', required: false, description: 'An ETag of an earlier answer: 304 while the answer is unchanged.', schema: { type: 'string' } });
  return params;
}

/** What every GET that runs a command may also answer: tags, 304, Cache-Control (src/http/serving.ts), pages' Link. */
function conditional(op: Operation, responses: Json): void {
  // An event stream (#15) has no tag and is never 304.
  if (op.method !== 'get' || !op.dispatches || op.answers[200]?.contentType === 'text/event-stream') return;
  const ok = responses['200'] as { headers: Json } | undefined;
  if (ok) {
    ok.headers = { ...ok.headers, ETag: HEADERS.ETag, 'Cache-Control': HEADERS['Cache-Control'], ...(op.query?.shape && 'limit' in op.query.shape && { Link: HEADERS.Link }) };
  }
  responses['304'] = {
    description: 'Not modified: the If-None-Match tag still names the answer (no body). Only ever after authentication and a command run as the caller.',
    headers: { ...headers(['X-Request-Id']), ETag: HEADERS.ETag, 'Cache-Control': HEADERS['Cache-Control'] },
  };
}

function operation(op: Operation, settings: DocumentSettings): Json {
  const responses: Json = {};
  for (const [status, a] of Object.entries(op.answers)) responses[status] = answer(Number(status), a);
  conditional(op, responses);
  for (const [status, codes] of errorsOf(op, settings.auth)) {
    const own = op.answers[status];
    // health's 503 already names the error body among its shapes.
    if (!own) responses[String(status)] = errorAnswer(status, codes);
  }
  const params = parameters(op);
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description && { description: op.description }),
    tags: [op.tag],
    ...(params.length && { parameters: params }),
    ...(op.body && {
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: COMPONENT(op.body.id) }, examples: op.body.examples } } },
    }),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
    ...(settings.auth === 'jwt' && op.public && { security: [] }),
  };
}

/** The whole document for this gateway's settings. Built once at start-up (src/app.ts). */
export function buildDocument(settings: DocumentSettings): Json {
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) (paths[`/v1${op.path}`] ??= {})[op.method] = operation(op, settings);
  const bodies = Object.fromEntries(OPERATIONS.filter((op) => op.body).map((op) => [op.body!.id, jsonSchema(op.body!.schema, 'input')]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'scheduler-rest',
      version: settings.version,
      description: 'A REST gateway in front of the Slurm scheduler. Errors are always `{ "error": { code, message, details? } }`; the status follows from the code.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'This gateway' }],
    tags: [
      { name: 'jobs', description: 'Submit, read, change and cancel jobs; their output and steps' },
      { name: 'resources', description: 'Nodes, partitions, reservations, licenses, the controller' },
      { name: 'accounting', description: 'History, accounts, users, QOS (slurmdbd)' },
      { name: 'service', description: 'Health and this document' },
    ],
    paths,
    components: {
      schemas: { ...components(), ...bodies },
      headers: HEADERS,
      ...(settings.auth === 'jwt' && {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Slurm JWT (`scontrol token`), or an RS256 token of the --jwks keys' },
          slurmUserToken: { type: 'apiKey', in: 'header', name: 'X-SLURM-USER-TOKEN', description: 'The same token, as slurmrestd takes it' },
        },
      }),
    },
    ...(settings.auth === 'jwt' && { security: [{ bearer: [] }, { slurmUserToken: [] }] }),
  };
}
