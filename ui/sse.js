/**
 * A Server-Sent Events reader for fetch() bodies (EventSource cannot send an Authorization
 * header). SseParser follows the HTML standard's "interpret an event stream": lines end in CRLF,
 * LF or CR (a CR that ends a chunk ends its line at once; an LF starting the next chunk is then
 * the rest of that CRLF), ':' starts a comment, an empty line
 * dispatches, `id` persists across events, a block without data dispatches nothing.
 * No DOM here: test/unit/dashboard-sse.test.ts runs it in Node.
 */
export class SseParser {
  constructor() {
    this.buffer = '';
    this.data = [];
    this.type = '';
    this.lastEventId = '';
    /** The last `retry:` the server sent, in ms, or null. */
    this.retry = null;
    /** Comment lines seen (heartbeats). */
    this.comments = 0;
    this.skipLf = false;
  }

  /** Feeds decoded text; returns the events it completed, in order: { id, type, data }. */
  push(text) {
    if (this.skipLf && text.startsWith('\n')) text = text.slice(1);
    if (text) this.skipLf = false;
    this.buffer += text;
    const events = [];
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf('\r', start);
      const lf = this.buffer.indexOf('\n', start);
      if (cr === -1 && lf === -1) break;
      let end;
      let next;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        next = this.buffer[cr + 1] === '\n' ? cr + 2 : cr + 1;
        if (cr === this.buffer.length - 1) this.skipLf = true; // a CRLF may be split across chunks
      } else {
        end = lf;
        next = lf + 1;
      }
      const event = this.line(this.buffer.slice(start, end));
      if (event) events.push(event);
      start = next;
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** @private One line; returns an event when the line was empty and data was buffered. */
  line(line) {
    if (line === '') {
      const event = this.data.length ? { id: this.lastEventId, type: this.type || 'message', data: this.data.join('\n') } : undefined;
      this.data = [];
      this.type = '';
      return event;
    }
    if (line.startsWith(':')) { this.comments += 1; return undefined; }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'id') { if (!value.includes('\0')) this.lastEventId = value; }
    else if (field === 'retry') { if (/^\d+$/.test(value)) this.retry = Number(value); }
    return undefined;
  }
}

/**
 * Reads a fetch() body (a ReadableStream of bytes) to its end, calling onEvent for each event.
 * Resolves when the server ends the stream; rejects on a network error or abort.
 */
export async function readEventStream(body, parser, onEvent) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      for (const event of parser.push(text)) await onEvent(event);
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}
