/**
 * The HTTP side of Idempotency-Key on POST /v1/jobs: what a key and a body hash to, and one
 * submission at a time per key in this gateway. The job itself carries the hashes in Slurm
 * (src/slurm/idempotency.ts), so a retry finds it from any replica, after any restart.
 */
import { createHash } from 'node:crypto';
import type { JobSubmission } from '../commands.js';
import type { IdempotencyTag } from '../slurm/idempotency.js';

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** Object keys sorted at every level, so that field order does not change the hash. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
}

/**
 * The key hashed with its user (bob's key never matches alice's job, and the raw key never
 * reaches Slurm), and the validated body as the caller sent it (before the gateway's defaults).
 */
export function idempotencyTag(user: string, key: string, submission: JobSubmission): IdempotencyTag {
  return {
    key: hash(`scheduler-rest idempotency key v1\0${user}\0${key}`),
    body: hash(JSON.stringify(canonical(submission))),
  };
}

/** Runs work one at a time per key; keys with nothing running are forgotten. */
export class KeyedSerial {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(work, work);
    const tail = result.then(() => {}, () => {});
    this.#tails.set(key, tail);
    void tail.then(() => { if (this.#tails.get(key) === tail) this.#tails.delete(key); });
    return result;
  }

  /** Keys with work running or waiting (for tests and metrics). */
  get size(): number {
    return this.#tails.size;
  }
}
