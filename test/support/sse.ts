/**
 * A small Server-Sent Events client for the tests (#15): one connection per stream (no agent),
 * events parsed as the WHATWG spec reads them, comments kept apart. Answers that are not a stream
 * are read whole and checked against the OpenAPI document like every contract-suite answer.
 */
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { DOCUMENT, responseProblems } from './openapi.js';

export interface SseEvent { id?: string; event: string; data: string }

export interface SseStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** A JSON answer (not a stream). */
  body?: any;
  events: SseEvent[];
  comments: string[];
  retry?: number;
  /** Resolves when the server ends the stream: 'end' (cleanly) or 'aborted'. */
  closed: Promise<'end' | 'aborted'>;
  waitFor(done: (events: SseEvent[]) => boolean, ms?: number): Promise<SseEvent[]>;
  close(): void;
}

/** `document`: the OpenAPI document answers are checked against (default: the --auth=none one). */
export function openSse(base: string, path: string, headers: Record<string, string> = {}, document: Record<string, any> = DOCUMENT): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { agent: false, headers: { Accept: 'text/event-stream', ...headers } }, (res: IncomingMessage) => {
      const stream: SseStream = {
        status: res.statusCode!, headers: res.headers, events: [], comments: [],
        closed: new Promise((done) => {
          res.once('end', () => done('end'));
          res.once('aborted', () => done('aborted'));
          res.once('error', () => done('aborted'));
        }),
        async waitFor(done, ms = 30_000) {
          const until = Date.now() + ms;
          while (!done(stream.events)) {
            if (Date.now() > until) throw new Error(`${path}: not seen in ${ms} ms; events so far: ${stream.events.map((e) => `${e.id} ${e.event} ${e.data.slice(0, 120)}`).join('\n')}`);
            await new Promise((r) => setTimeout(r, 50));
          }
          return stream.events;
        },
        close() { req.destroy(); },
      };
      res.setEncoding('utf8');
      if (!String(res.headers['content-type']).startsWith('text/event-stream')) {
        let text = '';
        res.on('data', (chunk: string) => { text += chunk; });
        res.once('end', () => {
          try { stream.body = JSON.parse(text); } catch { stream.body = text; }
          const problems = responseProblems(document, 'GET', path, { status: stream.status, headers: res.headers, body: stream.body });
          if (problems.length) reject(new Error(`The answer does not conform to the OpenAPI document:\n${problems.join('\n')}`));
          else resolve(stream);
        });
        return;
      }
      const problems = responseProblems(document, 'GET', path, { status: stream.status, headers: res.headers });
      if (problems.length) { req.destroy(); reject(new Error(problems.join('\n'))); return; }
      let buffer = '';
      let current: { id?: string; event?: string; data: string[] } = { data: [] };
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line === '') {
            if (current.data.length) stream.events.push({ ...(current.id !== undefined && { id: current.id }), event: current.event ?? 'message', data: current.data.join('\n') });
            current = { data: [] };
          } else if (line.startsWith(':')) {
            stream.comments.push(line.slice(1).trim());
          } else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') current.id = value;
            else if (field === 'event') current.event = value;
            else if (field === 'data') current.data.push(value);
            else if (field === 'retry') stream.retry = Number(value);
          }
        }
      });
      resolve(stream);
    });
    req.once('error', reject);
    req.end();
  });
}

/** The parsed data of events of these types. */
export const dataOf = (events: SseEvent[], ...types: string[]) => events.filter((e) => types.length === 0 || types.includes(e.event)).map((e) => JSON.parse(e.data));
