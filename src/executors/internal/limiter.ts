/**
 * Bounds how many libslurm calls run on the libuv thread pool at once. The pool is shared with
 * fs, DNS and zlib and has UV_THREADPOOL_SIZE threads (default 4); a slow controller must not be
 * able to occupy all of them.
 */
import { GatewayError } from '../../errors.js';

export class Limiter {
  readonly #max: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`Expected a positive integer for the libslurm concurrency, got ${max}`);
    this.#max = max;
  }

  get active(): number {
    return this.#active;
  }

  /** Resolves with a release function once a slot is free. @throws GatewayError when aborted first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(aborted());
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#waiting.shift()?.();
    };
    if (this.#active < this.#max) {
      this.#active++;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const start = () => {
        signal?.removeEventListener('abort', onAbort);
        this.#active++;
        resolve(release);
      };
      const onAbort = () => {
        const i = this.#waiting.indexOf(start);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(aborted());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(start);
    });
  }
}

function aborted(): GatewayError {
  return new GatewayError('deadline_exceeded', 'The request was abandoned before libslurm was called');
}

/** Default bound: leave one pool thread for fs/DNS work (at least one for libslurm). */
export function defaultConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const pool = Number.parseInt(env.UV_THREADPOOL_SIZE ?? '', 10);
  const size = Number.isInteger(pool) && pool > 0 ? Math.min(pool, 1024) : 4;
  return Math.max(1, size - 1);
}
