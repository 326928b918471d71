/**
 * The gateway's Prometheus metrics (prom-client), one registry per gateway. Every label is
 * bounded: a route template, a method, a status, a command kind, an error code. Never a user
 * name, a job id or a raw path (docs/SECURITY.md, "Metrics").
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CommandKind } from '../commands.js';
import type { DispatchObserver } from '../dispatch/observer.js';
import type { EventObserver } from '../events/hub.js';

const PREFIX = 'scheduler_rest_';
/** Seconds: a validated list answers in about 1 ms, squeue in 10, a stuck controller at the deadline. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What the gauges read when Prometheus scrapes. */
export interface MetricsSources {
  /** Requests being answered (src/http/in-flight.ts). */
  inFlight(): number;
  /** Commands admitted and running, and those waiting for a slot (src/dispatch/dispatcher.ts). */
  commands(): { running: number; waiting: number; concurrency: number };
  /** Pool workers alive and utilisation; undefined in the inline and coroutine modes. */
  workers(): { alive: number; utilization?: number } | undefined;
  /** #15: event and follow streams open, and feeds polling (src/events/hub.ts). */
  streams?(): { open: number; polling: number };
}

export class GatewayMetrics implements DispatchObserver, EventObserver {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'method' | 'status'>;
  readonly #requestSeconds: Histogram<'route' | 'method'>;
  readonly #commands: Counter<'kind' | 'outcome'>;
  readonly #commandSeconds: Histogram<'kind' | 'outcome'>;
  readonly #coalesced: Counter<'kind'>;
  readonly #revalidated: Counter<'outcome' | 'list'>;
  readonly #eventsSent: Counter<'type'>;
  readonly #eventPolls: Counter<'outcome'>;
  readonly #streamsDropped: Counter<'reason'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    this.#requests = new Counter({ name: `${PREFIX}http_requests_total`, help: 'HTTP requests answered, by route template, method and status', labelNames: ['route', 'method', 'status'], registers });
    this.#requestSeconds = new Histogram({ name: `${PREFIX}http_request_duration_seconds`, help: 'Time to answer an HTTP request, by route template and method', labelNames: ['route', 'method'], buckets: BUCKETS, registers });
    new Gauge({ name: `${PREFIX}http_requests_in_flight`, help: 'HTTP requests being answered', registers, collect() { this.set(sources.inFlight()); } });
    new Gauge({ name: `${PREFIX}commands_running`, help: 'Scheduler commands running (each holds a pool worker in the thread and process modes)', registers, collect() { this.set(sources.commands().running); } });
    new Gauge({ name: `${PREFIX}commands_waiting`, help: 'Scheduler commands waiting for a slot (--queue-limit bounds them)', registers, collect() { this.set(sources.commands().waiting); } });
    new Gauge({ name: `${PREFIX}commands_concurrency`, help: 'Scheduler commands that may run at once (--parallel)', registers, collect() { this.set(sources.commands().concurrency); } });
    new Gauge({ name: `${PREFIX}pool_workers`, help: 'Pool workers alive (thread and process modes)', registers, collect() { const w = sources.workers(); if (w) this.set(w.alive); } });
    new Gauge({ name: `${PREFIX}pool_utilization_ratio`, help: "The worker-thread pool's utilisation as piscina measures it (thread mode)", registers, collect() { const u = sources.workers()?.utilization; if (u !== undefined) this.set(u); } });
    this.#commands = new Counter({ name: `${PREFIX}commands_total`, help: 'Scheduler commands, by kind and outcome (ok or the error code)', labelNames: ['kind', 'outcome'], registers });
    this.#commandSeconds = new Histogram({ name: `${PREFIX}command_duration_seconds`, help: 'Time from admission to answer of a scheduler command (queueing included)', labelNames: ['kind', 'outcome'], buckets: BUCKETS, registers });
    this.#coalesced = new Counter({ name: `${PREFIX}coalesced_reads_total`, help: 'Reads that joined an identical read in flight instead of calling the scheduler', labelNames: ['kind'], registers });
    // #15: live streams
    new Gauge({ name: `${PREFIX}event_streams_open`, help: 'Event and output-follow streams open', registers, collect() { this.set(sources.streams?.().open ?? 0); } });
    new Gauge({ name: `${PREFIX}event_feeds_polling`, help: 'Event feeds polling the scheduler (one per identity with a stream open)', registers, collect() { this.set(sources.streams?.().polling ?? 0); } });
    this.#eventsSent = new Counter({ name: `${PREFIX}events_sent_total`, help: 'Events written to streams, by type', labelNames: ['type'], registers });
    this.#eventPolls = new Counter({ name: `${PREFIX}event_polls_total`, help: 'Scheduler polls behind the event feeds, by outcome', labelNames: ['outcome'], registers });
    this.#streamsDropped = new Counter({ name: `${PREFIX}event_streams_ended_total`, help: 'Streams the gateway ended: slow (fell behind the buffer), expired (the token), stopping', labelNames: ['reason'], registers });
    this.#revalidated = new Counter({ name: `${PREFIX}revalidated_lists_total`, help: 'Validated job and node lists (--executor=internal): unchanged (the kept answer served) or changed', labelNames: ['outcome', 'list'], registers });
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.#requests.inc({ route, method, status: String(status) });
    this.#requestSeconds.observe({ route, method }, seconds);
  }

  command(kind: CommandKind, outcome: string, seconds: number): void {
    this.#commands.inc({ kind, outcome });
    this.#commandSeconds.observe({ kind, outcome }, seconds);
  }

  coalesced(kind: CommandKind): void {
    this.#coalesced.inc({ kind });
  }

  revalidated(outcome: 'unchanged' | 'changed', list: 'jobs' | 'nodes'): void {
    this.#revalidated.inc({ outcome, list });
  }

  eventSent(type: string): void {
    this.#eventsSent.inc({ type });
  }

  eventPoll(outcome: 'ok' | 'error'): void {
    this.#eventPolls.inc({ outcome });
  }

  streamDropped(reason: 'slow' | 'expired' | 'stopping'): void {
    this.#streamsDropped.inc({ reason });
  }

  /** The exposition text and its Content-Type. */
  async render(): Promise<{ type: string; body: string }> {
    return { type: this.registry.contentType, body: await this.registry.metrics() };
  }
}
