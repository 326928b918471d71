/**
 * A job's output, following it while the job runs: GET /v1/jobs/{id}/stdout?follow=true as an
 * event stream where the gateway offers it (each event's data a JSON object with `content`, or
 * plain text), otherwise reading the output route by byte offset every 2 s until the job has
 * ended and the file's end was read. Shown as text, and at most the last 2 MiB of it.
 */
import { apiUrl, api, authHeaders, ApiError } from './api.js';
import { SseParser, readEventStream } from './sse.js';

const KEEP = 2 * 1024 * 1024;
const sleep = (ms, signal) => new Promise((resolve) => { const t = setTimeout(resolve, ms); signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true }); });

/**
 * Follows one stream into `pre`; `ended()` says whether the job has ended; `onState(text)` reports
 * how ('following live', 'reading every 2 s', 'complete', or an error); `live: false` skips the
 * event stream (a gateway without /v1/events has no follow either). Stops when `signal` aborts.
 */
export async function followOutput({ jobId, stream, pre, ended, onState, signal, live = true }) {
  let shown = 0;
  const write = (text) => {
    if (!text) return;
    pre.append(text);
    shown += text.length;
    if (shown > KEEP) { pre.textContent = `[earlier output not shown]\n${pre.textContent.slice(-KEEP)}`; shown = pre.textContent.length; }
    pre.dispatchEvent(new Event('output'));
  };
  let offset = 0;
  if (live && await followLive()) return;
  // The polling reader: the file by byte offset (`length` is bytes, `content` their UTF-8 text).
  onState(ended() ? 'reading' : 'reading every 2 s');
  for (;;) {
    if (signal.aborted) return;
    const wasEnded = ended();
    try {
      const answer = await api('GET', `jobs/${jobId}/${stream}`, { query: { offset }, signal });
      write(answer.content);
      offset += answer.length;
      if (answer.eof && wasEnded) { onState('complete'); return; }
      if (!answer.eof) continue; // more is there already
    } catch (error) {
      if (signal.aborted) return;
      if (!(error instanceof ApiError) || error.code !== 'output_not_found' || wasEnded) { onState(`not available: ${error.message}`); return; }
      onState('waiting for the output file');
    }
    await sleep(2000, signal);
  }

  /** true when the gateway streamed the output (then it is done), false to fall back. */
  async function followLive() {
    let response;
    try {
      response = await fetch(apiUrl(`jobs/${jobId}/${stream}`, { follow: 'true' }), { headers: authHeaders({ Accept: 'text/event-stream' }), signal, cache: 'no-store' });
    } catch {
      return signal.aborted;
    }
    if (!response.ok || !(response.headers.get('Content-Type') ?? '').startsWith('text/event-stream') || !response.body) {
      await response.body?.cancel().catch(() => {});
      return false;
    }
    onState('following live');
    let finished = false;
    try {
      await readEventStream(response.body, new SseParser(), (event) => {
        if (['eof', 'end', 'done'].includes(event.type)) { finished = true; return; }
        let data;
        try { data = JSON.parse(event.data); } catch { data = undefined; }
        if (data && typeof data.content === 'string') { write(data.content); if (typeof data.offset === 'number' && typeof data.length === 'number') offset = data.offset + data.length; else offset += new TextEncoder().encode(data.content).length; }
        else if (typeof data !== 'object') write(`${event.data}\n`);
      });
    } catch {
      if (signal.aborted) return true;
      return false; // dropped: read on by offset from where the stream was
    }
    if (finished || ended()) { onState('complete'); return true; }
    return false;
  }
}
