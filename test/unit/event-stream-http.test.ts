/**
 * #15: the HTTP side of a stream (src/handlers/events.ts, src/http/sse.ts) in-process, over a
 * scripted poll: a client that stops reading is ended once the buffer lets go of events it has
 * not been sent, while a client that reads gets every event; the stream bound answers 503.
 */
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { EventHub } from '../../src/events/hub.js';
import { eventHandlers } from '../../src/handlers/events.js';
import { errorBoundary } from '../../src/http/errors.js';
import { OutageLog } from '../../src/http/outage-log.js';
import type { CommandDispatcher } from '../../src/dispatch/dispatcher.js';
import type { Job } from '../../src/model.js';
import { pino } from 'pino';

/** Each poll lists one more job whose name is 256 KiB, so each event is that big. */
function growingCluster() {
  let n = 0;
  const big = 'x'.repeat(256 * 1024);
  return async () => {
    n += 1;
    const jobs = Array.from({ length: n }, (_, i) => ({ job_id: i + 1, state: 'PENDING', user: 'u', partition: 'debug', name: big, array_job_id: null, array_task_id: null }) as unknown as Job);
    return { jobs, nodes: [], partitions: [] };
  };
}

function raw(port: number, read: boolean): { socket: Socket; bytes: () => number; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  let bytes = 0;
  socket.write('GET /v1/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
  if (read) socket.on('data', (chunk: Buffer) => { bytes += chunk.length; });
  else socket.pause();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, bytes: () => bytes, closed };
}

describe('event streams over HTTP', () => {
  let hub: EventHub;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    hub = new EventHub(growingCluster(), { intervalMs: 20, capacity: 8, maxStreams: 2, firstId: 0 });
    const app = new Koa();
    app.silent = true; // a dropped stream ends Koa's pipeline early ('Premature close'), as in src/app.ts
    app.use(async (ctx, next) => {
      ctx.state.request = { requestId: 't', deadline: Date.now() + 60_000, signal: new AbortController().signal };
      await next();
    });
    app.use(errorBoundary(pino({ level: 'silent' }), new OutageLog()));
    const router = new Router({ prefix: '/v1' });
    router.get('/events', eventHandlers({} as CommandDispatcher, hub).events);
    app.use(router.routes());
    server = createServer(app.callback()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    hub.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('ends a client that does not read (the buffer dropped what it had not been sent); a reader keeps going; the third stream is 503', async () => {
    const slow = raw(port, false);
    const fast = raw(port, true);
    for (const end = Date.now() + 10_000; hub.streams < 2 && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
    const third = await fetch(`http://127.0.0.1:${port}/v1/events`);
    expect([third.status, third.headers.get('retry-after'), (await third.json() as { error: { code: string } }).error.code]).toEqual([503, '5', 'too_many_streams']);
    // The gateway ended the slow one (a paused socket cannot see that until it reads again).
    for (const end = Date.now() + 30_000; hub.streams > 1 && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
    expect(hub.streams).toBe(1);
    slow.socket.on('error', () => { /* reset by the gateway */ }).resume();
    await slow.closed;
    expect(fast.socket.destroyed).toBe(false);
    const before = fast.bytes();
    await new Promise((r) => setTimeout(r, 200));
    expect(fast.bytes()).toBeGreaterThan(before);
    expect(hub.streams).toBe(1);
    fast.socket.destroy();
  });
});
