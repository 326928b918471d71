import { deserializeError, ERROR_TABLE, GatewayError, serializeError, toGatewayError } from '../../src/errors.js';

describe('GatewayError', () => {
  it('survives a structured clone by its code, for every code in the table', () => {
    for (const code of Object.keys(ERROR_TABLE) as Array<keyof typeof ERROR_TABLE>) {
      const original = new GatewayError(code, `msg ${code}`, { details: { a: 1 }, retryAfter: 3 });
      const copy = deserializeError(structuredClone(serializeError(original)));
      expect(copy).toBeInstanceOf(GatewayError);
      expect(copy).toMatchObject({ code, status: ERROR_TABLE[code].status, message: `msg ${code}`, details: { a: 1 }, retryAfter: 3 });
    }
  });

  it('wraps unknown failures as internal errors that keep their cause and hide it', () => {
    const cause = new TypeError('boom');
    const error = toGatewayError(cause);
    expect(error).toMatchObject({ code: 'internal_error', status: 500, expose: false });
    expect(error.cause).toBe(cause);
  });
});
