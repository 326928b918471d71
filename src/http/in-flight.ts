/**
 * The requests being answered right now, and the gateway's side of a graceful stop. Once stopping,
 * every answer carries `Connection: close` (a keep-alive client opens no new request on it) and a
 * request that arrives on an open connection is answered 503 `shutting_down` at once, instead of
 * the connection being closed under it. A stop past its grace period still answers each request
 * in flight ({@link answerAll}) instead of closing its connection with no answer. A request
 * answered that way may still have a command running (a tool, a worker): when it settles, Koa
 * finds the response already sent and writes nothing.
 */
import type { Context, Next } from 'koa';
import { GatewayError } from '../errors.js';
import { errorBody } from './errors.js';

export class InFlightRequests {
  readonly #requests = new Set<Context>();
  #stopping = false;
  #idle: Array<() => void> = [];

  get size(): number {
    return this.#requests.size;
  }

  /** From now on: `Connection: close` on every answer, 503 for every new request. */
  stop(): void {
    this.#stopping = true;
  }

  /** Resolves when no request is in flight. */
  idle(): Promise<void> {
    if (this.#requests.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Koa middleware (inside the error boundary): tracks each request until its handler is done. */
  track() {
    return async (ctx: Context, next: Next): Promise<void> => {
      if (this.#stopping) {
        ctx.set('Connection', 'close');
        throw new GatewayError('shutting_down', 'The gateway is stopping; retry (another replica, or this one once restarted)', { retryAfter: 5 });
      }
      this.#requests.add(ctx);
      try {
        await next();
      } finally {
        if (this.#stopping) ctx.set('Connection', 'close');
        this.#forget(ctx);
      }
    };
  }

  #forget(ctx: Context): void {
    this.#requests.delete(ctx);
    if (this.#requests.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  /**
   * Answers every tracked request whose response has not started with `errorFor(ctx)`, asks its
   * client to close the connection, and resolves when those answers are written (or after `flushMs`).
   * @returns how many requests were answered.
   */
  async answerAll(errorFor: (ctx: Context) => GatewayError, flushMs = 1000): Promise<number> {
    const written: Array<Promise<void>> = [];
    for (const ctx of [...this.#requests]) {
      const res = ctx.res;
      this.#forget(ctx);
      if (res.headersSent || res.writableEnded || res.destroyed) continue;
      const error = errorFor(ctx);
      const body = JSON.stringify(errorBody(error));
      res.writeHead(error.status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        Connection: 'close',
        ...(error.retryAfter !== undefined && { 'Retry-After': String(error.retryAfter) }),
        ...(ctx.response.get('X-Request-Id') && { 'X-Request-Id': ctx.response.get('X-Request-Id') }),
      });
      written.push(new Promise<void>((resolve) => res.end(body, () => resolve())));
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(written), new Promise<void>((resolve) => { timer = setTimeout(resolve, flushMs); })]);
    clearTimeout(timer);
    return written.length;
  }
}
