/**
 * The live side of the gateway (GET /v1/events, output `?follow=true`): one {@link Feed} per
 * identity that has a stream open, one id sequence for the process, a bound on open streams, one
 * heartbeat timer for all of them, and their end when the gateway stops.
 */
import { GatewayError } from '../errors.js';
import type { Identity } from '../context.js';
import { Feed, type EventIds, type Poll } from './feed.js';
import type { EventType } from './changes.js';

export interface EventHubOptions {
  /** Milliseconds between two polls of a feed. */
  intervalMs: number;
  /** Events each feed keeps for resuming and for slow readers. */
  capacity: number;
  /** Streams open at once (events and follows together); then 503 too_many_streams. */
  maxStreams: number;
  /**
   * One user's streams open at once; then 429 too_many_user_streams, so that one caller cannot
   * hold every stream. Only identified callers count (--auth=jwt): under --auth=none every
   * caller is the gateway's user and only `maxStreams` applies. @default maxStreams
   */
  maxStreamsPerUser?: number;
  /** Milliseconds between heartbeats (an SSE comment). @default 15000 */
  heartbeatMs?: number;
  /** Milliseconds a feed with no listener keeps its ring and last poll, for reconnects. @default 60000 */
  retainMs?: number;
  /** The first event id is this plus one. @default Date.now(): ids of a restarted gateway never repeat an earlier process's */
  firstId?: number;
}

/** What metrics are told (src/metrics/registry.ts). */
export interface EventObserver {
  eventSent(type: EventType | 'output' | 'eof'): void;
  eventPoll(outcome: 'ok' | 'error'): void;
  streamDropped(reason: 'slow' | 'expired' | 'stopping'): void;
}

/** An open stream, as the hub sees it. */
export interface OpenStream {
  heartbeat(): void;
  /** Ends the stream cleanly (the gateway stops). */
  end(): void;
}

export class EventHub implements EventIds {
  readonly #poll: Poll;
  readonly #options: Required<EventHubOptions>;
  readonly #feeds = new Map<string, Feed>();
  readonly #streams = new Set<OpenStream>();
  /** Open streams by user (identified callers only). */
  readonly #perUser = new Map<string, number>();
  #id: number;
  #heartbeat?: NodeJS.Timeout;
  #closed = false;

  /** @throws TypeError on an option out of range */
  constructor(poll: Poll, options: EventHubOptions, readonly observer?: EventObserver) {
    this.#options = { heartbeatMs: 15_000, retainMs: 60_000, firstId: Date.now(), maxStreamsPerUser: options.maxStreams, ...options };
    for (const name of ['intervalMs', 'capacity', 'maxStreams', 'maxStreamsPerUser'] as const) {
      const value = this.#options[name];
      if (!(Number.isInteger(value) && value >= 1)) throw new TypeError(`Expected ${name} to be an integer >= 1, got ${value}`);
    }
    this.#poll = poll;
    this.#id = this.#options.firstId;
  }

  next(): number {
    this.#id += 1;
    return this.#id;
  }

  get last(): number {
    return this.#id;
  }

  get streams(): number {
    return this.#streams.size;
  }

  /** Feeds that poll now (one per identity with a stream open). */
  get polling(): number {
    let n = 0;
    for (const feed of this.#feeds.values()) if (feed.polling) n += 1;
    return n;
  }

  /**
   * Counts a stream against `maxStreams`, and against `maxStreamsPerUser` for an identified
   * caller; the returned function releases it (once, however often it is called).
   * @throws GatewayError too_many_user_streams (429) at the caller's bound, too_many_streams (503)
   *   at the gateway's, shutting_down once stopping
   */
  admit(stream: OpenStream, identity?: { user: string }): () => void {
    if (this.#closed) throw new GatewayError('shutting_down', 'The gateway is stopping; reconnect (another replica, or this one once restarted)', { retryAfter: 5 });
    const user = identity?.user;
    const mine = user === undefined ? 0 : this.#perUser.get(user) ?? 0;
    if (user !== undefined && mine >= this.#options.maxStreamsPerUser) {
      throw new GatewayError('too_many_user_streams', `You have ${mine} streams open, the most one user may (--events-max-streams-per-user); close one and retry`, { retryAfter: 5 });
    }
    if (this.#streams.size >= this.#options.maxStreams) {
      throw new GatewayError('too_many_streams', `${this.#options.maxStreams} streams are open, the most this gateway allows (--events-max-streams); retry later`, { retryAfter: 5 });
    }
    this.#streams.add(stream);
    if (user !== undefined) this.#perUser.set(user, mine + 1);
    if (!this.#heartbeat) {
      this.#heartbeat = setInterval(() => { for (const s of this.#streams) s.heartbeat(); }, this.#options.heartbeatMs);
      this.#heartbeat.unref();
    }
    return () => {
      if (!this.#streams.delete(stream)) return;
      if (user !== undefined) {
        const left = (this.#perUser.get(user) ?? 1) - 1;
        if (left > 0) this.#perUser.set(user, left);
        else this.#perUser.delete(user);
      }
      if (this.#streams.size === 0) { clearInterval(this.#heartbeat); this.#heartbeat = undefined; }
    };
  }

  /** The feed of what `identity` may see: one per user (under --auth=none, one for all). */
  feed(identity: Identity | undefined): Feed {
    const key = identity?.user ?? '';
    let feed = this.#feeds.get(key);
    if (!feed) {
      feed = new Feed({
        poll: this.#poll,
        ids: this,
        intervalMs: this.#options.intervalMs,
        capacity: this.#options.capacity,
        retainMs: this.#options.retainMs,
        onPoll: (error) => this.observer?.eventPoll(error === undefined ? 'ok' : 'error'),
        onRetire: () => { if (this.#feeds.get(key) === feed && feed!.listeners === 0 && !feed!.polling) this.#feeds.delete(key); },
      });
      this.#feeds.set(key, feed);
    }
    return feed;
  }

  /** Ends every stream and stops every feed (the graceful stop, src/shutdown.ts). */
  close(): void {
    this.#closed = true;
    for (const stream of [...this.#streams]) { this.observer?.streamDropped('stopping'); stream.end(); }
    for (const feed of this.#feeds.values()) feed.close();
    clearInterval(this.#heartbeat);
  }
}
