/**
 * The bounded buffer of one feed's events (GET /v1/events): the last `capacity` events, in id
 * order, each serialised once and shared by every stream that sends it. A stream is a cursor into
 * it (the id of the last event it has written or skipped); `Last-Event-ID` is such a cursor sent
 * back by a client. A cursor older than the oldest event kept cannot be served: the stream gets
 * `reset` (on resume) or is ended (a live stream that fell that far behind: a slow consumer).
 */
import type { EventType, Subject } from './changes.js';

export interface StoredEvent {
  readonly id: number;
  readonly type: EventType;
  /** The whole SSE frame: `id: …\nevent: …\ndata: …\n\n`. */
  readonly frame: string;
  readonly subject: Subject;
}

export class EventRing {
  readonly #slots: Array<StoredEvent | undefined>;
  #start = 0;
  #length = 0;
  #evicted = 0;

  /**
   * @param capacity events kept
   * @param since the last event id issued before this feed began to watch: a cursor at or below
   *   it predates the watch (the client's knowledge came from elsewhere), so it is never served
   * @throws TypeError when capacity is not a positive integer
   */
  constructor(readonly capacity: number, readonly since: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError(`Expected capacity to be an integer >= 1, got ${capacity}`);
    this.#slots = new Array(capacity);
  }

  get size(): number {
    return this.#length;
  }

  /** The id of the newest event, or `since` when none was kept yet. */
  get last(): number {
    return this.#length === 0 ? Math.max(this.since, this.#evicted) : this.#at(this.#length - 1).id;
  }

  /** Appends (ids must increase); the oldest event goes when full. */
  push(event: StoredEvent): void {
    if (event.id <= this.last) throw new RangeError(`Event ids must increase: ${event.id} after ${this.last}`);
    if (this.#length === this.capacity) {
      this.#evicted = this.#at(0).id;
      this.#slots[this.#start] = undefined;
      this.#start = (this.#start + 1) % this.capacity;
      this.#length -= 1;
    }
    this.#slots[(this.#start + this.#length) % this.capacity] = event;
    this.#length += 1;
  }

  /** Whether every event after `cursor` is still here (a live stream's cursor). */
  holds(cursor: number): boolean {
    return cursor >= this.#evicted;
  }

  /**
   * Whether a client's `Last-Event-ID` can be resumed from: it names a moment of this feed's watch
   * (after `since`, not after `newest`, the last id issued anywhere) whose later events are all kept.
   */
  resumable(lastEventId: number, newest: number): boolean {
    return lastEventId > this.since && lastEventId <= newest && this.holds(lastEventId);
  }

  /** The events after `cursor`, oldest first. */
  *after(cursor: number): Generator<StoredEvent> {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#at(mid).id <= cursor) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.#length; i++) yield this.#at(i);
  }

  #at(i: number): StoredEvent {
    return this.#slots[(this.#start + i) % this.capacity]!;
  }
}
