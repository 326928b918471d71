/**
 * #13's ETag (src/http/serving.ts, conditionalGet): a GET or HEAD answer gets a strong tag and
 * 304 on If-None-Match; a submission or a cancel gets none, so a write pays no digest of its body.
 */
import Koa from 'koa';
import request from 'supertest';
import { conditionalGet } from '../../src/http/serving.js';
import { jsonBody } from '../../src/http/json-body.js';

/** One answer object, as a shared read hands the same job to several requests. */
const job = { job_id: 42, state: 'PENDING' };

/** `shared`: the handler answers through jsonBody (a job list, a job by id, a PATCH's job). */
function app(shared = false) {
  const koa = new Koa();
  for (const m of conditionalGet()) koa.use(m);
  koa.use((ctx) => {
    ctx.status = ctx.method === 'POST' ? 201 : ctx.method === 'DELETE' ? 202 : 200;
    if (shared) jsonBody(ctx, job, (j) => j);
    else ctx.body = { ...job };
  });
  return koa.callback();
}

describe('ETag', () => {
  it('tags a GET and a HEAD answer, and answers 304 when If-None-Match names the tag', async () => {
    const first = await request(app()).get('/v1/jobs/42').expect(200);
    expect(first.headers.etag).toMatch(/^"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    const head = await request(app()).head('/v1/jobs/42').expect(200);
    expect(head.headers.etag).toBe(first.headers.etag);
    await request(app()).get('/v1/jobs/42').set('If-None-Match', first.headers.etag!).expect(304);
  });

  it('tags a GET answered through jsonBody the same way, and not a PATCH answered with the same object', async () => {
    const plain = await request(app()).get('/v1/jobs/42').expect(200);
    const patched = await request(app(true)).patch('/v1/jobs/42').send({}).expect(200);
    expect(patched.body).toEqual(job);
    expect(patched.headers.etag).toBeUndefined();
    const shared = await request(app(true)).get('/v1/jobs/42').expect(200);
    expect(shared.headers.etag).toBe(plain.headers.etag);
    await request(app(true)).get('/v1/jobs/42').set('If-None-Match', shared.headers.etag!).expect(304);
  });

  it('leaves a POST, PATCH or DELETE answer untagged', async () => {
    const posted = await request(app()).post('/v1/jobs').send({}).expect(201);
    expect(posted.body).toEqual({ job_id: 42, state: 'PENDING' });
    expect(posted.headers.etag).toBeUndefined();
    expect((await request(app()).delete('/v1/jobs/42').expect(202)).headers.etag).toBeUndefined();
    expect((await request(app()).patch('/v1/jobs/42').send({}).expect(200)).headers.etag).toBeUndefined();
  });
});
