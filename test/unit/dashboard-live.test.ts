/**
 * #15: the dashboard's live feed (ui/live.js) against a scripted fetch: a gateway without
 * /v1/events (404) is polled; with it, the lists are read once the stream is open and the events
 * that arrive meanwhile apply after them, in order; a dropped stream resumes with Last-Event-ID;
 * `reset` reads the lists again; 401 stops and says so.
 */
import { runLive, type LiveMode } from '../../ui/live.js';

const sse = (text: string, status = 200) => new Response(text, { status, headers: { 'Content-Type': 'text/event-stream' } });
const event = (id: number, type: string, data: object) => `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

function harness(answers: Array<() => Response | Promise<Response>>) {
  const abort = new AbortController();
  const log: string[] = [];
  const requests: Headers[] = [];
  const modes: LiveMode[] = [];
  let calls = 0;
  const fetch = (async (_url: string, init: RequestInit) => {
    requests.push(new Headers(init.headers));
    const answer = answers[calls++];
    if (!answer) { abort.abort(); throw new Error('no more answers'); }
    return answer();
  }) as unknown as typeof globalThis.fetch;
  const done = runLive({
    fetch, eventsUrl: 'http://gw/v1/events', headers: () => ({ Authorization: 'Bearer t0k' }), signal: abort.signal, pollMs: 5, retryMs: 5,
    refresh: async () => { log.push('refresh'); await new Promise((r) => setTimeout(r, 20)); log.push('refreshed'); },
    onEvent: (e) => { log.push(`${e.type}:${String(e.job_id)}`); },
    onMode: (mode) => { modes.push(mode); },
  });
  return { abort, log, requests, modes, done };
}

describe('runLive', () => {
  it('polls the lists when the gateway has no /v1/events (404)', async () => {
    const h = harness([() => new Response('{"error":{"code":"not_found"}}', { status: 404 })]);
    while (h.log.filter((l) => l === 'refreshed').length < 3) await new Promise((r) => setTimeout(r, 5));
    h.abort.abort();
    await h.done;
    expect(h.modes).toEqual(['connecting', 'polling']);
    expect(h.requests[0]!.get('Accept')).toBe('text/event-stream');
    expect(h.requests[0]!.get('Authorization')).toBe('Bearer t0k');
  });

  it('reads the lists once the stream is open, applies events after them in order, resumes with Last-Event-ID, and re-reads on reset', async () => {
    const h = harness([
      () => sse('retry: 5\n\n' + event(1, 'job.submitted', { job_id: 10 }) + ': heartbeat\n\n' + event(2, 'job.state', { job_id: 10 })),
      () => sse(event(3, 'job.finished', { job_id: 10 }) + event(4, 'reset', { reason: 'gap' }) + event(5, 'job.gone', { job_id: 10 })),
      () => sse('', 401),
    ]);
    await h.done;
    expect(h.log).toEqual(['refresh', 'refreshed', 'job.submitted:10', 'job.state:10', 'job.finished:10', 'refresh', 'refreshed', 'job.gone:10']);
    expect(h.requests.map((r) => r.get('Last-Event-ID'))).toEqual([null, '2', '5']);
    expect(h.modes).toEqual(['connecting', 'events', 'reconnecting', 'events', 'reconnecting', 'unauthorized']);
  });

  it('retries after a network error or an answer that is not an event stream', async () => {
    const h = harness([
      () => { throw new TypeError('fetch failed'); },
      () => new Response('{}', { status: 503, headers: { 'Content-Type': 'application/json' } }),
      () => sse(event(9, 'job.submitted', { job_id: 11 })),
    ]);
    await h.done;
    expect(h.log).toEqual(['refresh', 'refreshed', 'job.submitted:11']);
    expect(h.modes.slice(0, 3)).toEqual(['connecting', 'connecting', 'reconnecting']);
  });
});
