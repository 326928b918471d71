/**
 * How the dashboard learns of changes without reloading: GET /v1/events read with fetch()
 * streaming (Authorization cannot be sent by EventSource), resumed with Last-Event-ID; when the
 * gateway has no /v1/events (404), polling the lists with If-None-Match instead (the gateway answers
 * 304 until something changed). Everything it touches is passed in, so test/unit/dashboard-live.test.ts
 * drives it in Node with a scripted fetch.
 */
import { SseParser, readEventStream } from './sse.js';

const sleep = (ms, signal) => new Promise((resolve) => {
  if (signal.aborted) { resolve(); return; }
  const timer = setTimeout(done, ms);
  function done() { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); }
  signal.addEventListener('abort', done, { once: true });
});

/**
 * Runs until `signal` aborts. Options:
 * - fetch, eventsUrl, headers(): Headers to send (the token);
 * - refresh(): reads the lists again (jobs, nodes, partitions), conditionally; a promise;
 * - onEvent(event): applies one parsed event ({ type, ...data });
 * - onMode(mode, detail): 'connecting', 'events', 'polling', 'reconnecting', 'unauthorized';
 * - pollMs (3000), retryMs (3000: until the server's `retry:` says otherwise).
 * Events that arrive while the lists are being read wait for them, then apply in order: the
 * stream is open before the lists are read, so no change falls between the two.
 */
export async function runLive({ fetch, eventsUrl, headers, refresh, onEvent, onMode, signal, pollMs = 3000, retryMs = 3000 }) {
  let chain = Promise.resolve();
  const enqueue = (step) => { chain = chain.then(step).catch((error) => onMode('error', error)); return chain; };
  const parser = new SseParser();
  let connected = false;
  while (!signal.aborted) {
    onMode(connected ? 'reconnecting' : 'connecting');
    const sent = new Headers(headers());
    sent.set('Accept', 'text/event-stream');
    if (parser.lastEventId) sent.set('Last-Event-ID', parser.lastEventId);
    let response;
    try {
      response = await fetch(eventsUrl, { headers: sent, signal, cache: 'no-store' });
    } catch {
      if (signal.aborted) return;
      await sleep(parser.retry ?? retryMs, signal);
      continue;
    }
    if (response.status === 404) { // this gateway has no event stream: poll
      onMode('polling', pollMs);
      while (!signal.aborted) {
        await enqueue(refresh);
        await sleep(pollMs, signal);
      }
      return;
    }
    if (response.status === 401) { onMode('unauthorized'); return; }
    if (!response.ok || !(response.headers.get('Content-Type') ?? '').startsWith('text/event-stream') || !response.body) {
      await response.body?.cancel();
      onMode('reconnecting', `the event stream answered ${response.status}`);
      await sleep(parser.retry ?? retryMs, signal);
      continue;
    }
    onMode('events');
    if (!parser.lastEventId) enqueue(refresh); // a new stream sends only what follows: read the lists now
    connected = true;
    try {
      await readEventStream(response.body, parser, (event) => {
        let data;
        try { data = JSON.parse(event.data); } catch { return; }
        if (event.type === 'reset' || data?.type === 'reset') enqueue(refresh);
        else enqueue(() => onEvent({ type: event.type, ...data }));
      });
    } catch {
      if (signal.aborted) return;
    }
    await chain;
    await sleep(parser.retry ?? retryMs, signal);
  }
}
