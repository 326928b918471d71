/**
 * GET /v1/events and GET /v1/jobs/{id}/stdout|stderr?follow=true (#15): Server-Sent Events from
 * the caller's own feed (src/events/). The handler returns once the stream is set up; Koa pipes
 * it, so an open stream is not an in-flight request (the graceful stop ends streams itself:
 * EventHub.close, src/shutdown.ts).
 */
import type { Context, Middleware } from 'koa';
import type { CommandDispatcher } from '../dispatch/dispatcher.js';
import type { EventHub, OpenStream } from '../events/hub.js';
import { FINISHED_STATES } from '../events/changes.js';
import type { Feed, Listener } from '../events/feed.js';
import { frameOf } from '../events/feed.js';
import { eventPredicate, type EventPredicate } from '../events/filter.js';
import { tokenExpiry } from '../auth/jwt.js';
import { GatewayError } from '../errors.js';
import { validate } from '../http/validate.js';
import { eventsQuery, jobId, outputQuery } from '../http/schemas.js';
import { SseResponse } from '../http/sse.js';
import { gatewayReader, type OutputStream } from '../output/read.js';
import { followOutput, openForFollow } from '../output/follow.js';

/** Milliseconds between two looks at a followed file's size. */
const FOLLOW_INTERVAL_MS = 1000;
/** Milliseconds a follower may read nothing before it is dropped. */
const FOLLOW_STALL_MS = 60_000;

/** A Last-Event-ID header: a non-negative integer, else unknown (-1: reset). */
function lastEventId(ctx: Context): number | undefined {
  const raw = ctx.get('Last-Event-ID').trim();
  if (raw === '') return undefined;
  return /^\d{1,16}$/.test(raw) ? Number(raw) : -1;
}

/** Writes the ring's events after its cursor that pass its filters, until the client stops reading. */
class StreamListener implements Listener, OpenStream {
  cursor = 0;
  #sse?: SseResponse;
  #waiting = false;
  #behind = false;

  constructor(
    readonly feed: Feed,
    readonly predicate: EventPredicate,
    readonly onSent: (type: string) => void,
    readonly onDropped: (reason: 'slow' | 'expired' | 'stopping') => void,
    readonly identity?: { user: string; token: string },
    readonly expiresAt?: number,
  ) {}

  /** Events may come before the answer is set up; they wait in the ring. */
  attach(sse: SseResponse): void {
    this.#sse = sse;
    if (this.#behind) this.fallBehind();
    else this.wake();
  }

  wake(): void {
    const sse = this.#sse;
    if (!sse || this.#waiting || sse.closed) return;
    for (const event of this.feed.ring.after(this.cursor)) {
      this.cursor = event.id;
      if (!this.predicate(event)) continue;
      this.onSent(event.type);
      if (!sse.write(event.frame)) {
        this.#waiting = true;
        void sse.drained().then((open) => {
          this.#waiting = false;
          if (!open) return;
          if (this.feed.ring.holds(this.cursor)) this.wake();
          else this.fallBehind();
        });
        return;
      }
    }
  }

  fallBehind(): void {
    this.#behind = true;
    if (!this.#sse) return;
    this.onDropped('slow');
    this.#sse.drop();
  }

  heartbeat(): void {
    if (this.#sse && !this.#waiting) this.#sse.write(': heartbeat\n\n');
  }

  end(): void {
    this.#sse?.end();
  }
}

/** The caller a stream acts for (none under --auth=none) and when its token expires (ms). */
function callerOf(ctx: Context): { identity?: { user: string; token: string }; expiresAt?: number } {
  const identity = ctx.state.request.identity as { user: string; token: string } | undefined;
  return { identity, expiresAt: identity?.token ? tokenExpiry(identity.token) : undefined };
}

export function eventHandlers(dispatcher: CommandDispatcher, hub: EventHub) {
  const observer = hub.observer;
  const onSent = (type: string) => observer?.eventSent(type as never);
  const onDropped = (reason: 'slow' | 'expired' | 'stopping') => observer?.streamDropped(reason);

  /**
   * Opens a stream slot and joins the caller's feed; answers the error as JSON when that fails
   * (429 too_many_user_streams, 503 too_many_streams, or the first poll's error). Ends the stream when the token expires.
   */
  async function open(ctx: Context, listener: Listener & OpenStream & { readonly feed: Feed; readonly expiresAt?: number; readonly identity?: { user: string } }, resumeFrom: number | undefined) {
    const release = hub.admit(listener, listener.identity);
    let joined = false;
    try {
      const { reset } = await listener.feed.join(listener, resumeFrom);
      joined = true;
      if (ctx.state.request.signal.aborted) throw new GatewayError('client_closed_request', 'The client went away');
      const sse = new SseResponse(ctx);
      const timer = listener.expiresAt === undefined ? undefined : setTimeout(() => { onDropped('expired'); sse.end(); }, Math.max(0, listener.expiresAt - Date.now()));
      timer?.unref();
      sse.onClose(() => { clearTimeout(timer); listener.feed.leave(listener); release(); });
      return { sse, reset };
    } catch (error) {
      if (joined) listener.feed.leave(listener);
      release();
      throw error;
    }
  }

  return {
    /** GET /v1/events */
    async events(ctx: Context): Promise<void> {
      const filter = validate(eventsQuery, ctx.query, 'query');
      const { identity, expiresAt } = callerOf(ctx);
      const listener = new StreamListener(hub.feed(identity), eventPredicate(filter), onSent, onDropped, identity, expiresAt);
      const { sse, reset } = await open(ctx, listener, lastEventId(ctx));
      if (reset) {
        const id = hub.next();
        sse.write(frameOf(id, { type: 'reset', time: new Date().toISOString(), reason: 'The Last-Event-ID is older than the events this gateway keeps, or unknown to it: read GET /v1/jobs (and /v1/nodes, /v1/partitions) again, then apply the events that follow' }));
        onSent('reset');
        listener.cursor = Math.max(listener.cursor, id);
      }
      listener.attach(sse);
    },

    /** GET /v1/jobs/{id}/stdout|stderr: `?follow=true` here, else the plain read. */
    followOr(stream: OutputStream, read: Middleware): Middleware {
      return async function jobOutputOrFollow(ctx: Context, next) {
        if (ctx.query.follow !== 'true') return read(ctx, next);
        const id = validate(jobId, ctx.params.id, 'job id');
        const { offset } = validate(outputQuery, ctx.query, 'query');
        if (ctx.query.limit !== undefined) throw new GatewayError('invalid_request', 'Invalid query: limit: does not apply with follow=true (the stream goes on until the job ends)');
        const resume = lastEventId(ctx);
        const job = await dispatcher.dispatch({ kind: 'jobs.get', jobId: id }, ctx.state.request);
        const reader = { user: ctx.state.request.identity?.user ?? gatewayReader().user };
        // Every check of the plain read, before anything is streamed (403 / 404 as JSON).
        const first = await openForFollow(job, stream, reader);
        const { identity, expiresAt } = callerOf(ctx);
        const follower = new FollowListener(hub.feed(identity), job.job_id, job.source === 'accounting' || FINISHED_STATES.has(job.state), identity, expiresAt);
        let sse: SseResponse;
        try {
          ({ sse } = await open(ctx, follower, undefined));
        } catch (error) {
          await first?.close();
          throw error;
        }
        follower.attach(sse);
        const start = resume !== undefined && resume >= 0 ? resume : offset;
        void followOutput(job, stream, reader, first, start, sse, {
          intervalMs: FOLLOW_INTERVAL_MS,
          stallMs: FOLLOW_STALL_MS,
          ended: () => follower.ended(),
          wait: (ms) => follower.wait(ms),
          onStall: () => { onDropped('slow'); sse.drop(); },
        }).then((why) => {
          if (why === 'eof') onSent('eof');
          sse.end();
        });
      };
    },
  };
}

/**
 * A follower listens to its caller's feed only to learn that the job ended (finished, or gone
 * from the controller after the feed had seen it), so a thousand followers add no scheduler call.
 */
class FollowListener implements Listener, OpenStream {
  cursor = 0;
  #sse?: SseResponse;
  #seen = false;
  #wakeUp?: () => void;

  constructor(
    readonly feed: Feed,
    readonly jobId: number,
    readonly endedBefore: boolean,
    readonly identity?: { user: string; token: string },
    readonly expiresAt?: number,
  ) {}

  attach(sse: SseResponse): void {
    this.#sse = sse;
  }

  ended(): boolean {
    if (this.endedBefore) return true;
    const job = this.feed.job(this.jobId);
    if (job) this.#seen = true;
    return job ? FINISHED_STATES.has(job.state) : this.#seen;
  }

  /** Resolves after `ms`, or earlier when the feed shows the job ended. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); this.#wakeUp = undefined; resolve(); };
      const timer = setTimeout(done, ms);
      this.#wakeUp = done;
    });
  }

  wake(): void {
    this.cursor = this.feed.ring.last; // it reads the feed's last poll, not its events
    if (this.ended()) this.#wakeUp?.();
  }

  fallBehind(): void {
    this.wake();
  }

  heartbeat(): void {
    if (this.#sse && !this.#sse.blocked) this.#sse.write(': heartbeat\n\n');
  }

  end(): void {
    this.#sse?.end();
  }
}
