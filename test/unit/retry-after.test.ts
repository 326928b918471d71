/** Every 503 the error boundary renders says when to retry (#13); a code's own value wins. */
import Koa from 'koa';
import request from 'supertest';
import { pino } from 'pino';
import { errorBoundary } from '../../src/http/errors.js';
import { GatewayError } from '../../src/errors.js';

function appThrowing(error: GatewayError): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(errorBoundary(pino({ level: 'silent' })));
  app.use(() => { throw error; });
  return app;
}

describe('Retry-After', () => {
  it('is 5 s on a 503 whose error names none, and the error\'s own otherwise', async () => {
    const none = await request(appThrowing(new GatewayError('scheduler_unavailable')).callback()).get('/');
    expect([none.status, none.headers['retry-after']]).toEqual([503, '5']);
    const own = await request(appThrowing(new GatewayError('queue_full', undefined, { retryAfter: 1 })).callback()).get('/');
    expect([own.status, own.headers['retry-after']]).toEqual([503, '1']);
  });

  it('is absent from answers that retrying does not fix', async () => {
    for (const code of ['invalid_request', 'job_not_found', 'submit_outcome_unknown', 'internal_error'] as const) {
      const answer = await request(appThrowing(new GatewayError(code)).callback()).get('/');
      expect([code, answer.headers['retry-after']]).toEqual([code, undefined]);
    }
  });
});
