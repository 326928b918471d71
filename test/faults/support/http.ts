/**
 * One HTTP request on its own connection (no keep-alive), so that a refused connection (nothing
 * was accepted) and an empty reply (accepted, then closed without an answer) stay apart.
 */
import { request } from 'node:http';

export interface Reply {
  /** 0: no HTTP answer at all (see `error`). */
  status: number;
  body: any;
  /** Error code of a request that got no answer: ECONNREFUSED, ECONNRESET, 'client_timeout', … */
  error?: string;
  elapsedMs: number;
}

export interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The test gives up waiting after this long (a hung gateway must not hang the suite). */
  clientTimeoutMs: number;
}

export function call(baseUrl: string, c: Call): Promise<Reply> {
  const url = new URL(c.path, baseUrl);
  const payload = c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body));
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (reply: Omit<Reply, 'elapsedMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...reply, elapsedMs: Date.now() - started });
    };
    const req = request(url, {
      method: c.method,
      agent: false,
      headers: {
        Connection: 'close',
        ...(payload && { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) }),
        ...c.headers,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: any = text;
        try { body = JSON.parse(text); } catch { /* not JSON */ }
        done({ status: res.statusCode ?? 0, body });
      });
      res.on('error', (error: NodeJS.ErrnoException) => done({ status: 0, body: undefined, error: error.code ?? error.message }));
    });
    req.setTimeout(c.clientTimeoutMs, () => {
      done({ status: 0, body: undefined, error: 'client_timeout' });
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) => done({ status: 0, body: undefined, error: error.code ?? error.message }));
    req.end(payload);
  });
}
