import type { z } from 'zod';
import { GatewayError } from '../errors.js';

/**
 * Parses `value` with `schema` or throws a 400 that names each offending field and why.
 * @throws GatewayError invalid_request
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : where,
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  const summary = issues.slice(0, 3).map((i) => `${i.field}: ${i.message}`).join('; ');
  throw new GatewayError('invalid_request', `Invalid ${where}: ${summary}`, { details: { issues } });
}
