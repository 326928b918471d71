/**
 * #14: a Buffer body (the list answer every client of one result shares, src/http/json-body.ts) is
 * compressed once per Buffer and coding, not once per request; other bodies still go through
 * koa-compress; no Accept-Encoding means identity.
 */
import Koa from 'koa';
import { createServer, get, type IncomingHttpHeaders } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { compression, type Encoders } from '../../src/http/serving.js';

const shared = Buffer.from(JSON.stringify({ jobs: Array.from({ length: 200 }, (_, i) => ({ job_id: i, name: `job-${i}`, state: 'PENDING' })) }));

function app(encoders: Encoders, body: () => unknown) {
  const koa = new Koa();
  koa.use(compression(1024, encoders)!);
  koa.use((ctx) => { ctx.body = body(); ctx.type = 'application/json'; ctx.set('ETag', '"tag"'); });
  return koa.callback();
}

/** The real encoders, counted. */
async function counting() {
  const calls: string[] = [];
  const { brotliCompress, gzip } = await import('node:zlib');
  const { promisify } = await import('node:util');
  const encoders: Encoders = {
    br: (bytes) => { calls.push('br'); return promisify(brotliCompress)(bytes); },
    gzip: (bytes) => { calls.push('gzip'); return promisify(gzip)(bytes); },
  };
  return { calls, encoders };
}

/** A GET as bytes on a real socket (superagent would decompress, and send Accept-Encoding itself). */
async function raw(server: ReturnType<typeof app>, encoding?: string): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  const listener = createServer(server).listen(0, '127.0.0.1');
  await once(listener, 'listening');
  try {
    const { port } = listener.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/', headers: encoding === undefined ? {} : { 'Accept-Encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
  } finally {
    listener.close();
  }
}

describe('compression of shared Buffer bodies', () => {
  it('compresses one Buffer once per coding, for every request that answers it', async () => {
    const { calls, encoders } = await counting();
    const server = app(encoders, () => shared);
    for (let i = 0; i < 3; i++) {
      const gz = await raw(server, 'gzip');
      expect([gz.headers['content-encoding'], gunzipSync(gz.body).equals(shared), gz.headers.etag, gz.headers['content-type']])
        .toEqual(['gzip', true, '"tag"', 'application/json; charset=utf-8']);
      expect(gz.headers.vary).toMatch(/Accept-Encoding/);
      const br = await raw(server, 'br;q=1, gzip;q=0.5');
      expect([br.headers['content-encoding'], brotliDecompressSync(br.body).equals(shared)]).toEqual(['br', true]);
    }
    expect(calls).toEqual(['gzip', 'br']);
  });

  it('answers identity without Accept-Encoding, or when only identity is accepted', async () => {
    const { calls, encoders } = await counting();
    const server = app(encoders, () => shared);
    for (const encoding of [undefined, 'identity']) {
      const res = await raw(server, encoding);
      expect([res.headers['content-encoding'], res.body.equals(shared)]).toEqual([undefined, true]);
    }
    expect(calls).toEqual([]);
  });

  it('compresses a new Buffer again (another result), and leaves objects to koa-compress per request', async () => {
    const { calls, encoders } = await counting();
    const fresh = app(encoders, () => Buffer.from(shared));
    await raw(fresh, 'gzip');
    await raw(fresh, 'gzip');
    expect(calls).toEqual(['gzip', 'gzip']);
    const objects = app(encoders, () => JSON.parse(shared.toString()));
    const res = await raw(objects, 'gzip');
    expect([res.headers['content-encoding'], gunzipSync(res.body).toString()]).toEqual(['gzip', shared.toString()]);
    expect(calls).toHaveLength(2); // koa-compress's own stream, not the Buffer path
  });

  it('answers uncompressed bytes when the encoder fails, and below the threshold', async () => {
    const failing: Encoders = { br: () => Promise.reject(new Error('no')), gzip: () => Promise.reject(new Error('no')) };
    const res = await raw(app(failing, () => shared), 'gzip');
    // koa-compress, after the Buffer path gave up, still compresses it per request.
    expect([res.headers['content-encoding'], gunzipSync(res.body).equals(shared)]).toEqual(['gzip', true]);
    const small = Buffer.from('{"a":1}');
    const tiny = await raw(app(failing, () => small), 'gzip');
    expect([tiny.headers['content-encoding'], tiny.body.equals(small)]).toEqual([undefined, true]);
  });
});
