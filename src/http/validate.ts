import type { z } from 'zod';
import { GatewayError } from '../errors.js';

/** An answer names at most this many issues (a body with thousands of bad entries stays small). */
const MAX_ISSUES = 20;
/** Unknown field names are echoed shortened, and at most this many of them. */
const MAX_KEYS = 10;
const MAX_KEY_CHARS = 64;

const shorten = (s: string, max: number) => (s.length > max ? `${s.slice(0, max)}…` : s);

/**
 * Parses `value` with `schema` or throws a 400 that names each offending field and why.
 * @throws GatewayError invalid_request
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const all = result.error.issues.map((issue) => ({
    field: issue.path.length ? shorten(issue.path.map(String).join('.'), MAX_KEY_CHARS * 2) : where,
    message: issue.code === 'unrecognized_keys' ? unknownKeys(issue.keys)
      // zod says "Invalid key in record": say which key, and why (the key schema's own messages).
      : issue.code === 'invalid_key' ? `${JSON.stringify(shorten(String(issue.path.at(-1) ?? ''), MAX_KEY_CHARS))} is not allowed as a name: ${issue.issues.map((i) => i.message).join('; ')}`
        : issue.message,
  }));
  const issues = all.slice(0, MAX_ISSUES);
  const summary = issues.slice(0, 3).map((i) => `${i.field}: ${i.message}`).join('; ');
  throw new GatewayError('invalid_request', `Invalid ${where}: ${summary}`, {
    details: { issues, ...(all.length > issues.length && { more_issues: all.length - issues.length }) },
  });
}

function unknownKeys(keys: string[]): string {
  const named = keys.slice(0, MAX_KEYS).map((k) => shorten(k, MAX_KEY_CHARS)).join(', ');
  return `unknown field(s): ${named}${keys.length > MAX_KEYS ? ` and ${keys.length - MAX_KEYS} more` : ''}`;
}
