/**
 * #13: the OpenAPI document is valid OpenAPI 3.1 (a validator package, not our own reading), names
 * exactly the routes the app serves, follows the request schemas, and is served, with its
 * reference page, without a token under --auth=jwt. The contract suites check every answer of the
 * real gateway against it (test/support/openapi.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { Validator } from '@seriousme/openapi-schema-validator';
import { compose } from '../../src/compose.js';
import { createApp } from '../../src/app.js';
import { createRouter } from '../../src/routes.js';
import { parseOptions, type GatewayOptions } from '../../src/options.js';
import { Authenticator } from '../../src/auth/jwt.js';
import { buildDocument } from '../../src/http/openapi/document.js';
import { openApiRouter } from '../../src/http/openapi/serve.js';
import { OPERATIONS } from '../../src/http/openapi/operations.js';
import { jobListQuery, submitBody } from '../../src/http/schemas.js';
import { ERROR_TABLE } from '../../src/errors.js';
import { responseProblems } from '../support/openapi.js';

if (!process.env.SLURM_CONF) {
  const dir = mkdtempSync(join(tmpdir(), 'sr-openapi-'));
  writeFileSync(join(dir, 'slurm.conf'), '# stands in for a configuration: nothing here reaches Slurm\n');
  process.env.SLURM_CONF = join(dir, 'slurm.conf');
}

type Doc = { paths: Record<string, Record<string, { operationId: string; security?: unknown[]; parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>>; security?: unknown; components: { securitySchemes?: Record<string, unknown>; schemas: Record<string, unknown> } };
const none = buildDocument({ version: '1.2.3', auth: 'none' }) as unknown as Doc;
const jwt = buildDocument({ version: '1.2.3', auth: 'jwt' }) as unknown as Doc;
const METHODS = ['get', 'post', 'patch', 'delete', 'put'];

describe('the OpenAPI document', () => {
  it.each([['none', none], ['jwt', jwt]])('is valid OpenAPI 3.1 (--auth=%s)', async (_auth, doc) => {
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect((doc as unknown as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('names every route of the app and no other (method and path)', () => {
    const toTemplate = (path: string) => path.replace(/:(\w+)/g, '{$1}');
    const served = new Set<string>();
    const stub = {} as Parameters<typeof createRouter>[0];
    const runtime = { defaultWorkingDirectory: '/tmp', bodyLimit: '1mb', historyMaxDays: 31, http: { pageLimit: null } } as Parameters<typeof createRouter>[1];
    for (const router of [createRouter(stub, runtime, {} as Parameters<typeof createRouter>[2]), openApiRouter({ version: '0', auth: 'none' })]) {
      for (const layer of router.stack) {
        for (const method of layer.methods.filter((m) => m !== 'HEAD')) served.add(`${method} ${toTemplate(String(layer.path))}`);
      }
    }
    const documented = new Set(Object.entries(none.paths).flatMap(([path, item]) => Object.keys(item).filter((k) => METHODS.includes(k)).map((m) => `${m.toUpperCase()} ${path}`)));
    expect([...documented].sort()).toEqual([...served].sort());
    expect(served.size).toBeGreaterThanOrEqual(30);
  });

  it('gives every operation a unique operationId, a summary and an error answer', () => {
    const ids = OPERATIONS.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const item of Object.values(none.paths)) {
      for (const op of Object.values(item)) {
        expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
        expect(Object.keys(op.responses).some((s) => Number(s) >= 400)).toBe(true);
      }
    }
  });

  it('takes query parameters and bodies from the zod schemas that validate requests', () => {
    const params = none.paths['/v1/jobs']!.get!.parameters!.filter((p) => p.in === 'query').map((p) => p.name);
    expect(params.sort()).toEqual(Object.keys(jobListQuery.shape).sort());
    const body = none.components.schemas.JobSubmission as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(body.properties).sort()).toEqual(Object.keys(submitBody.shape).sort());
    expect(body.required).toEqual(['script']);
    expect(body.additionalProperties).toBe(false);
    // The job environment is checked by a custom test first: the document shows the record it parses into.
    expect(body.properties.environment).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
  });

  it('documents each route\'s own errors under their status, with the error schema', () => {
    const get = none.paths['/v1/jobs/{id}']!.get!.responses as Record<string, { content: { 'application/json': { schema: { allOf: [unknown, { properties: { error: { properties: { code: { enum: string[] } } } } }] } } } }>;
    const codes = (status: string) => get[status]!.content['application/json'].schema.allOf[1].properties.error.properties.code.enum;
    expect(codes('404')).toEqual(['job_not_found']);
    expect(codes('400')).toEqual(['invalid_request']);
    expect(codes('503')).toEqual(expect.arrayContaining(['scheduler_unavailable', 'queue_full', 'shutting_down', 'accounting_unavailable']));
    expect(codes('504')).toEqual(['deadline_exceeded']);
    for (const status of Object.keys(get).filter((s) => Number(s) >= 400)) {
      for (const code of codes(status)) expect(ERROR_TABLE[code as keyof typeof ERROR_TABLE].status).toBe(Number(status));
    }
  });

  it('has a security scheme and 401s only under --auth=jwt, and none on the document itself', () => {
    expect(none.security).toBeUndefined();
    expect(none.components.securitySchemes).toBeUndefined();
    expect(none.paths['/v1/jobs']!.get!.responses['401']).toBeUndefined();
    expect(jwt.security).toEqual([{ bearer: [] }, { slurmUserToken: [] }]);
    expect(jwt.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      slurmUserToken: { type: 'apiKey', in: 'header', name: 'X-SLURM-USER-TOKEN' },
    });
    expect(jwt.paths['/v1/jobs']!.get!.responses['401']).toBeDefined();
    expect(jwt.paths['/v1/health']!.get!.security).toBeUndefined(); // health asks Slurm as the caller
    for (const path of ['/v1/openapi.json', '/v1/openapi.yaml', '/v1/docs', '/v1/docs/{asset}']) {
      expect(jwt.paths[path]!.get!.security).toEqual([]);
      expect(jwt.paths[path]!.get!.responses['401']).toBeUndefined();
    }
  });
});

describe('the response checker of the contract suites', () => {
  const job = { status: 404, headers: { 'x-request-id': 'abc', 'content-type': 'application/json' }, body: { error: { code: 'job_not_found', message: 'No job 1' } } };

  it('accepts a documented answer', () => {
    expect(responseProblems(none as never, 'GET', '/v1/jobs/1', job)).toEqual([]);
  });

  it('refuses an undocumented status, a code of another status, a body that does not match and a missing header', () => {
    expect(responseProblems(none as never, 'GET', '/v1/jobs/1', { ...job, status: 418 })).toEqual([expect.stringMatching(/status 418 is not documented/)]);
    expect(responseProblems(none as never, 'GET', '/v1/jobs/1', { ...job, body: { error: { code: 'node_not_found', message: 'x' } } }).join()).toMatch(/body/);
    expect(responseProblems(none as never, 'GET', '/v1/nodes', { status: 200, headers: job.headers, body: { nodes: [{ name: 'vm' }] } }).join()).toMatch(/body/);
    expect(responseProblems(none as never, 'GET', '/v1/jobs/1', { ...job, headers: { 'content-type': 'application/json' } }).join()).toMatch(/x-request-id/i);
    const answered = { status: 201, headers: { 'x-request-id': 'abc', 'content-type': 'application/json' }, body: { job_id: 7 } };
    expect(responseProblems(none as never, 'POST', '/v1/jobs', answered).join()).toMatch(/Location is required/);
    expect(responseProblems(none as never, 'POST', '/v1/jobs', { ...answered, headers: { ...answered.headers, location: '/v1/jobs/7' } })).toEqual([]);
    // 200 is a validation (no Location) or a replay (with it).
    const validation = { will_run: true, start_time: null, nodes: 'vm', partition: 'debug', cpus: 1, preempts: [], reason: null };
    expect(responseProblems(none as never, 'POST', '/v1/jobs', { ...answered, status: 200, body: validation })).toEqual([]);
    expect(responseProblems(none as never, 'GET', '/v1/nope', job)).toEqual([expect.stringMatching(/no operation/)]);
    expect(responseProblems(none as never, 'GET', '/v1/nope', { ...job, body: { error: { code: 'not_found', message: 'No route' } } })).toEqual([]);
    expect(responseProblems(none as never, 'PUT', '/v1/jobs', { ...job, status: 405, body: { error: { code: 'method_not_allowed', message: 'x' } } })).toEqual([]);
  });
});

describe('serving the document and its page', () => {
  const gateway = compose(parseOptions(['--executor=external', '--application=coroutine', '--parallel=2', '--log-level=silent']) as GatewayOptions);
  afterAll(() => gateway.dispatcher.close(0));
  const key = new Uint8Array(32).fill(7);
  // The app under --auth=jwt, built as createApp builds it (compose refuses --auth=jwt as root, as tests run).
  const withJwt = createApp({ ...gateway, runtime: { ...gateway.runtime, auth: 'jwt' }, authenticator: new Authenticator({ hs256Key: key }) });
  const withNone = createApp(gateway);

  it('serves the document built at start-up as JSON and YAML', async () => {
    const json = await request(withNone.callback()).get('/v1/openapi.json').expect(200).expect('Content-Type', /^application\/json/);
    expect(json.body).toEqual(buildDocument({ version: gateway.runtime.version, auth: 'none' }));
    const yaml = await request(withNone.callback()).get('/v1/openapi.yaml').expect(200).expect('Content-Type', /^application\/yaml/);
    expect(parseYaml(yaml.text)).toEqual(json.body);
  });

  it('serves the reference page and its files from node_modules, with their types and a CSP that allows only the gateway', async () => {
    const page = await request(withNone.callback()).get('/v1/docs').expect(200).expect('Content-Type', /^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self';/);
    expect(page.text).not.toMatch(/https?:\/\//);
    const srcs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(srcs.sort()).toEqual(['docs/favicon-32x32.png', 'docs/init.js', 'docs/swagger-ui-bundle.js', 'docs/swagger-ui.css']);
    const types: Record<string, RegExp> = { 'init.js': /^text\/javascript/, 'swagger-ui-bundle.js': /^text\/javascript/, 'swagger-ui.css': /^text\/css/, 'favicon-32x32.png': /^image\/png/ };
    for (const [asset, type] of Object.entries(types)) {
      const res = await request(withNone.callback()).get(`/v1/docs/${asset}`).buffer(true).expect(200).expect('Content-Type', type);
      expect(Number(res.headers['content-length'] ?? (res.body as Buffer).length ?? res.text.length)).toBeGreaterThan(50);
    }
    const init = await request(withNone.callback()).get('/v1/docs/init.js');
    expect(init.text).toMatch(/validatorUrl: null/); // swagger-ui would otherwise send the document to swagger.io
    await request(withNone.callback()).get('/v1/docs/package.json').expect(404);
    await request(withNone.callback()).get('/v1/docs/..%2Fpackage.json').expect(404);
  });

  it('under --auth=jwt, serves the document and page without a token, and refuses the API without one', async () => {
    const doc = await request(withJwt.callback()).get('/v1/openapi.json').expect(200);
    expect(doc.body.components.securitySchemes.bearer).toBeDefined();
    await request(withJwt.callback()).get('/v1/docs').expect(200);
    await request(withJwt.callback()).get('/v1/docs/swagger-ui.css').expect(200);
    const refused = await request(withJwt.callback()).get('/v1/jobs').expect(401);
    expect(refused.body.error.code).toBe('unauthorized');
    expect(responseProblems(doc.body, 'GET', '/v1/jobs', refused)).toEqual([]);
  });
});
