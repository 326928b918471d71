/**
 * #15: the dashboard's SSE reader (ui/sse.js), run in Node as the page runs it: events split
 * across chunks anywhere, CRLF and CR line ends, comments (heartbeats), multi-line data, ids that
 * persist, `retry:`, and the shapes of /v1/events.
 */
import { SseParser, readEventStream, type SseEvent } from '../../ui/sse.js';

const STREAM = 'retry: 3000\n\n: heartbeat\n\n'
  + 'id: 7\nevent: job.submitted\ndata: {"type":"job.submitted","job_id":42,"job":{"job_id":42,"state":"PENDING"}}\n\n'
  + 'id: 8\r\nevent: job.state\r\ndata: {"type":"job.state","job_id":42,"old_state":"PENDING",\r\ndata: "new_state":"RUNNING"}\r\n\r\n'
  + 'event: reset\rdata: {"type":"reset","reason":"gap"}\r\r';

const EXPECTED: SseEvent[] = [
  { id: '7', type: 'job.submitted', data: '{"type":"job.submitted","job_id":42,"job":{"job_id":42,"state":"PENDING"}}' },
  { id: '8', type: 'job.state', data: '{"type":"job.state","job_id":42,"old_state":"PENDING",\n"new_state":"RUNNING"}' },
  { id: '8', type: 'reset', data: '{"type":"reset","reason":"gap"}' }, // no id: the last one persists
];

describe('SseParser', () => {
  it('reads a whole stream: events, their ids and types, retry and heartbeats', () => {
    const parser = new SseParser();
    expect(parser.push(STREAM)).toEqual(EXPECTED);
    expect(parser.retry).toBe(3000);
    expect(parser.comments).toBe(1);
    expect(parser.lastEventId).toBe('8');
  });

  it('gives the same events however the stream is cut into chunks (every cut point, and byte by byte)', () => {
    for (let cut = 1; cut < STREAM.length; cut += 1) {
      const parser = new SseParser();
      expect([...parser.push(STREAM.slice(0, cut)), ...parser.push(STREAM.slice(cut))]).toEqual(EXPECTED);
    }
    const parser = new SseParser();
    expect([...STREAM].flatMap((c) => parser.push(c))).toEqual(EXPECTED);
  });

  it('follows the standard on the edges: no data dispatches nothing, one leading space is dropped, a field without colon, bad retry', () => {
    const parser = new SseParser();
    expect(parser.push('event: lonely\n\n')).toEqual([]);
    expect(parser.push('data:  two spaces\n\n')).toEqual([{ id: '', type: 'message', data: ' two spaces' }]);
    expect(parser.push('data\n\n')).toEqual([{ id: '', type: 'message', data: '' }]);
    expect(parser.push('retry: soon\nid: a\0b\ndata: x\n\n')).toEqual([{ id: '', type: 'message', data: 'x' }]);
    expect(parser.retry).toBeNull();
    expect(parser.push('data: unfinished')).toEqual([]); // kept until its blank line
    expect(parser.push('\n\n')).toEqual([{ id: '', type: 'message', data: 'unfinished' }]);
  });
});

describe('readEventStream', () => {
  it('reads a fetch body of bytes, with a UTF-8 character split between chunks, to its end', async () => {
    const bytes = new TextEncoder().encode('id: 1\nevent: job.state\ndata: {"name":"ünïcode ✓"}\n\n');
    const split = bytes.indexOf(0xc3) + 1; // inside "ü"
    const body = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(bytes.slice(0, split)); c.enqueue(bytes.slice(split)); c.close(); } });
    const seen: SseEvent[] = [];
    await readEventStream(body, new SseParser(), (e) => { seen.push(e); });
    expect(seen).toEqual([{ id: '1', type: 'job.state', data: '{"name":"ünïcode ✓"}' }]);
  });
});
