/**
 * One identity's feed of events: one scheduler poll (jobs, nodes, partitions, through the
 * dispatcher, as that identity) every interval while anyone listens, compared with the poll
 * before it (./changes.ts), the events kept in a bounded ring (./ring.ts) that every listener
 * reads at its own pace. So a thousand streams of one caller cost slurmctld one poll per interval.
 *
 * Polling stops when the last listener leaves; the feed keeps what it last saw and its ring for
 * `retainMs`, so a client that reconnects within it resumes (`Last-Event-ID`): the first poll after
 * the pause is compared with the last one before it, and the changes made meanwhile become events.
 * A new listener joins only after a poll that started after it arrived, so every change after its
 * answer's headers reaches it.
 */
import type { Identity } from '../context.js';
import type { Job } from '../model.js';
import { changes, see, type EventData, type Seen, type Snapshot } from './changes.js';
import { EventRing } from './ring.js';

/** Reads what an identity may see, as that identity (src/events/poll.ts). */
export type Poll = (identity: Identity | undefined, signal: AbortSignal) => Promise<Snapshot>;

export interface Listener {
  readonly identity?: Identity;
  /** When its token expires, epoch ms (the hub ends the stream then); undefined: no token. */
  readonly expiresAt?: number;
  /** Id of the last event it has written or skipped. */
  cursor: number;
  /** Events were added after its cursor. */
  wake(): void;
  /** The ring dropped events it had not written yet: a slow consumer. */
  fallBehind(): void;
}

export interface EventIds {
  next(): number;
  /** The last id issued, by any feed. */
  readonly last: number;
}

export interface FeedParts {
  poll: Poll;
  ids: EventIds;
  intervalMs: number;
  capacity: number;
  retainMs: number;
  clock?: () => number;
  /** Told of every event made, and of each poll's outcome. */
  onEvent?: (type: EventData['type']) => void;
  onPoll?: (error?: unknown) => void;
  /** No listener for `retainMs`: the hub forgets this feed. */
  onRetire: () => void;
}

/** The SSE frame of an event; JSON has no raw line breaks, so `data` is one line. */
export const frameOf = (id: number, data: EventData | { type: string }): string =>
  `id: ${id}\nevent: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

export class Feed {
  readonly ring: EventRing;
  readonly #parts: FeedParts;
  readonly #listeners = new Set<Listener>();
  readonly #joining = new Set<Listener>();
  #seen?: Seen;
  #last?: Snapshot;
  #generation = 0;
  #ready?: Promise<void>;
  #abort?: AbortController;
  #timer?: NodeJS.Timeout;
  #retire?: NodeJS.Timeout;

  constructor(parts: FeedParts) {
    this.#parts = parts;
    this.ring = new EventRing(parts.capacity, parts.ids.last);
    // A feed made for a stream that never joined (refused at the bound) is forgotten too.
    this.#retireLater();
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  /** Whether a poll loop runs. */
  get polling(): boolean {
    return this.#ready !== undefined;
  }

  /** The job as the last poll saw it; undefined when that poll did not list it. */
  job(jobId: number): Job | undefined {
    return this.#seen?.jobs.get(jobId);
  }

  /**
   * Adds a listener once a poll that started after this call has been compared (the first poll
   * of a new feed only records what it saw). Its cursor: after `lastEventId` when the ring can
   * resume from it, else the newest id (and `reset` says the client must re-read the lists).
   * @throws GatewayError the first poll's failure (the listener is not added)
   */
  async join(listener: Listener, lastEventId?: number): Promise<{ reset: boolean }> {
    clearTimeout(this.#retire);
    this.#joining.add(listener);
    try {
      await (this.#ready ?? this.#start());
    } finally {
      this.#joining.delete(listener);
    }
    const newest = this.#parts.ids.last;
    const resumes = lastEventId !== undefined && this.ring.resumable(lastEventId, newest);
    listener.cursor = resumes ? lastEventId : newest;
    this.#listeners.add(listener);
    return { reset: lastEventId !== undefined && !resumes };
  }

  leave(listener: Listener): void {
    if (!this.#listeners.delete(listener) || this.#listeners.size > 0 || this.#joining.size > 0) return;
    this.#stop();
    this.#retireLater();
  }

  #retireLater(): void {
    clearTimeout(this.#retire);
    this.#retire = setTimeout(() => this.#parts.onRetire(), this.#parts.retainMs);
    this.#retire.unref();
  }

  /** Stops polling for good (the gateway stops). */
  close(): void {
    this.#stop();
    clearTimeout(this.#retire);
  }

  #start(): Promise<void> {
    const generation = ++this.#generation;
    const abort = new AbortController();
    this.#abort = abort;
    const ready = this.#pollOnce(generation, abort.signal).then(
      () => this.#schedule(generation, abort.signal),
      (error: unknown) => {
        if (generation === this.#generation) this.#ready = undefined;
        throw error;
      },
    );
    this.#ready = ready;
    return ready;
  }

  #schedule(generation: number, signal: AbortSignal): void {
    if (generation !== this.#generation) return;
    this.#timer = setTimeout(() => {
      this.#pollOnce(generation, signal).catch(() => { /* reported by onPoll; the next poll retries */ })
        .finally(() => this.#schedule(generation, signal));
    }, this.#parts.intervalMs);
  }

  #stop(): void {
    this.#generation += 1;
    clearTimeout(this.#timer);
    this.#abort?.abort();
    this.#ready = undefined;
  }

  async #pollOnce(generation: number, signal: AbortSignal): Promise<void> {
    let snapshot: Snapshot;
    try {
      snapshot = await this.#parts.poll(this.#identity(), signal);
    } catch (error) {
      this.#parts.onPoll?.(error);
      throw error;
    }
    this.#parts.onPoll?.();
    // A poll of a loop that was stopped meanwhile must not be compared out of order with the next one's.
    if (generation === this.#generation) this.#apply(snapshot);
  }

  /** The identity to poll as: the listener whose token lasts longest (they are all the same user). */
  #identity(): Identity | undefined {
    let best: Listener | undefined;
    for (const l of [...this.#listeners, ...this.#joining]) {
      if (!best || (l.expiresAt ?? Infinity) > (best.expiresAt ?? Infinity)) best = l;
    }
    return best?.identity;
  }

  #apply(snapshot: Snapshot): void {
    const last = this.#last;
    this.#last = snapshot;
    // Validated lists (src/dispatch/validated-lists.ts) hand back the same array when nothing moved.
    if (last && last.jobs === snapshot.jobs && last.nodes === snapshot.nodes && last.partitions === snapshot.partitions) return;
    const now = see(snapshot);
    const before = this.#seen;
    this.#seen = now;
    if (!before) return;
    const found = changes(before, now, new Date((this.#parts.clock ?? Date.now)()).toISOString());
    if (found.length === 0) return;
    for (const { data, subject } of found) {
      const id = this.#parts.ids.next();
      this.ring.push({ id, type: data.type, frame: frameOf(id, data), subject });
      this.#parts.onEvent?.(data.type);
    }
    for (const listener of [...this.#listeners]) {
      if (this.ring.holds(listener.cursor)) listener.wake();
      else listener.fallBehind();
    }
  }
}
