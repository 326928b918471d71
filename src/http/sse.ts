/**
 * A Server-Sent Events answer on Koa: a PassThrough body that Koa pipes to the socket. Not
 * compressed (koa-compress would hold events in its deflate buffer), not cached, not buffered by
 * nginx (`X-Accel-Buffering: no`). What it holds beyond the socket's own buffer is bounded by its
 * high-water mark plus one frame: a writer stops at `write() === false` and goes on at 'drain'.
 */
import { PassThrough } from 'node:stream';
import type { Context } from 'koa';

/** Bytes buffered before `write` says stop (the stream's own share; the socket has its own). */
const HIGH_WATER_MARK = 64 * 1024;
/** The client's reconnection delay, sent first on every stream (milliseconds). */
export const RETRY_MS = 3000;

export class SseResponse {
  readonly #body = new PassThrough({ highWaterMark: HIGH_WATER_MARK });
  readonly #ctx: Context;
  #closed = false;

  /** Answers 200 text/event-stream on `ctx` (headers go out with the first write). */
  constructor(ctx: Context) {
    this.#ctx = ctx;
    ctx.status = 200;
    ctx.type = 'text/event-stream; charset=utf-8';
    ctx.compress = false;
    // Under --auth=jwt Cache-Control is already no-store (src/http/serving.ts); no-cache otherwise.
    if (ctx.response.get('Cache-Control') !== 'no-store') ctx.set('Cache-Control', 'no-cache');
    ctx.set('X-Accel-Buffering', 'no');
    ctx.body = this.#body;
    // Koa destroys the body when the response closes (the client went away).
    this.#body.once('close', () => { this.#closed = true; });
    this.#body.write(`retry: ${RETRY_MS}\n\n`);
  }

  get closed(): boolean {
    return this.#closed || this.#body.destroyed || this.#body.writableEnded;
  }

  /** Whether the stream is waiting for its client to read (then wait for {@link drained}). */
  get blocked(): boolean {
    return this.#body.writableNeedDrain;
  }

  /** Writes a frame; false: stop writing until {@link drained}. */
  write(frame: string): boolean {
    if (this.closed) return false;
    return this.#body.write(frame);
  }

  /** Resolves at 'drain' (true) or when the stream closes (false). */
  drained(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (!this.#body.writableNeedDrain) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => () => { this.#body.off('drain', onDrain); this.#body.off('close', onClose); resolve(ok); };
      const onDrain = done(true);
      const onClose = done(false);
      this.#body.once('drain', onDrain);
      this.#body.once('close', onClose);
    });
  }

  onClose(listener: () => void): void {
    if (this.#body.destroyed) queueMicrotask(listener);
    else this.#body.once('close', listener);
  }

  /** Ends cleanly, after what is buffered. */
  end(): void {
    if (!this.closed) this.#body.end();
  }

  /** Drops the stream and its connection now (a client that does not read). */
  drop(): void {
    this.#closed = true;
    this.#body.destroy();
    this.#ctx.res.destroy();
  }
}
