/**
 * Checks answers against the OpenAPI document (#13): the status must be documented for the
 * operation, documented headers present and well-formed, the Content-Type the documented one and
 * a JSON body valid against its schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses it).
 *
 * `request` is supertest's, with that check added to every request it makes: the contract suites
 * import it instead of supertest, so every answer they receive is checked, whatever else they
 * assert. The document is built by the gateway's own code (--auth=none, as the suites run it); the
 * contract suite checks that the gateway serves the same one.
 */
import supertest from 'supertest';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { buildDocument } from '../../src/http/openapi/document.js';

type Json = Record<string, any>;
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

// ajv is CommonJS: under ESM its classes are the default export's `default`.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as typeof Ajv2020Module.default;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule.default;

interface Compiled {
  ajv: InstanceType<typeof Ajv2020>;
  routes: Array<{ pattern: RegExp; template: string; specificity: number }>;
}
const compiled = new WeakMap<object, Compiled>();
const DOC_ID = 'https://scheduler-rest.invalid/openapi.json';

function prepare(doc: Json): Compiled {
  let c = compiled.get(doc);
  if (c) return c;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DOC_ID, components: doc.components });
  const routes = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    specificity: -(template.match(/\{/g)?.length ?? 0),
  })).sort((a, b) => b.specificity - a.specificity);
  c = { ajv, routes };
  compiled.set(doc, c);
  return c;
}

/** Local references resolve in the document, wherever the schema sits. */
const rooted = (schema: unknown): Json => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`));
const resolve = (doc: Json, node: Json): Json => (typeof node?.$ref === 'string' ? node.$ref.split('/').slice(1).reduce((o: Json, k: string) => o[k], doc) : node);

/** Why an answer does not conform to the document; empty when it does. */
export function responseProblems(doc: Json, method: string, url: string, res: Answer): string[] {
  const { ajv, routes } = prepare(doc);
  const path = new URL(url, 'http://gateway').pathname;
  const route = routes.find((r) => r.pattern.test(path) && doc.paths[r.template][method.toLowerCase()]);
  if (!route) {
    // Outside the API: a path the document does not name is 404, a method it does not name on a path it does is 405, both in the error shape.
    const known = routes.some((r) => r.pattern.test(path));
    const [status, code] = known ? [405, 'method_not_allowed'] : [404, 'not_found'];
    const check = ajv.getSchema(`${DOC_ID}#/components/schemas/Error`)!;
    if (res.status === status && check(res.body) && (res.body as Json).error.code === code) return [];
    return [`${method} ${path}: no operation of the document matches, and the answer is not a ${status} error (${res.status} ${JSON.stringify(res.body)?.slice(0, 200)})`];
  }
  const op = doc.paths[route.template][method.toLowerCase()];
  const where = `${method} ${route.template} (${op.operationId}) answered ${res.status}`;
  const documented = op.responses[String(res.status)] as Json | undefined;
  if (!documented) return [`${where}: status ${res.status} is not documented (documented: ${Object.keys(op.responses).join(', ')}); body ${JSON.stringify(res.body)?.slice(0, 300)}`];
  const problems: string[] = [];
  for (const [name, ref] of Object.entries(documented.headers ?? {})) {
    const header = resolve(doc, ref as Json);
    const value = res.headers[name.toLowerCase()];
    if (value === undefined) {
      if (header.required) problems.push(`${where}: header ${name} is required and missing`);
      continue;
    }
    const check = ajv.compile(rooted(header.schema));
    if (!check(value)) problems.push(`${where}: header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(check.errors)}`);
  }
  const content = documented.content as Json | undefined;
  if (!content) return problems;
  const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
  const media = content[type] ?? content['*/*'];
  if (!media) return [...problems, `${where}: Content-Type ${type || '(none)'} is not documented (${Object.keys(content).join(', ')})`];
  if (type === 'application/json') {
    const key = `${route.template} ${method} ${res.status}`;
    const check = ajv.getSchema(key) ?? (ajv.addSchema({ $id: key, ...rooted(media.schema) }), ajv.getSchema(key)!);
    if (!check(res.body)) problems.push(`${where}: the body does not match the document: ${ajv.errorsText(check.errors, { separator: '; ' }).slice(0, 1500)}; body ${JSON.stringify(res.body)?.slice(0, 500)}`);
  }
  return problems;
}

/** The document the suites check against: the gateway's own, as it serves it with --auth=none. */
export const DOCUMENT = buildDocument({ version: 'any', auth: 'none' }) as Json;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** supertest's `request(url)`, every answer checked against {@link DOCUMENT}: a mismatch fails the request's promise. */
export default function request(app: Parameters<typeof supertest>[0]): ReturnType<typeof supertest> {
  const agent = supertest(app);
  for (const method of METHODS) {
    const original = agent[method].bind(agent);
    agent[method] = ((url: string, ...rest: unknown[]) => (original as (u: string, ...r: unknown[]) => supertest.Test)(url, ...rest)
      .expect((res) => {
        const problems = responseProblems(DOCUMENT, method.toUpperCase(), url, res);
        if (problems.length) throw new Error(`The answer does not conform to the OpenAPI document:\n${problems.join('\n')}`);
      })) as typeof agent[typeof method];
  }
  return agent;
}
