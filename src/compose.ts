import { homedir } from 'node:os';
import { pino, type Logger } from 'pino';
import { VERSION, type GatewayOptions, type RuntimeInfo } from './options.js';
import { Coalescer, createStrategy, Dispatcher, RememberedOutputPaths, SharedJobReads, ValidatedLists, type CommandDispatcher } from './dispatch/index.js';
import { EXECUTORS } from './executors/index.js';
import type { ExecutorOptions } from './executors/executor.js';
import { Authenticator, readAuthSettings } from './auth/jwt.js';
import { callerPolicy } from './auth/callers.js';
import { InFlightRequests } from './http/in-flight.js';
import { GatewayMetrics } from './metrics/registry.js';
import { EventHub } from './events/hub.js';
import { schedulerPoll } from './events/poll.js';

/** Everything the app and the entry point use, built once at start-up by {@link compose}. */
export interface Gateway {
  readonly logger: Logger;
  readonly runtime: RuntimeInfo;
  /** What handlers dispatch through: admission, then validated lists and coalescing when on. */
  readonly dispatcher: CommandDispatcher;
  /** The requests being answered, for a stop past its grace period (src/http/in-flight.ts). */
  readonly inFlight: InFlightRequests;
  /** Verifies callers' tokens; undefined under --auth=none. */
  readonly authenticator?: Authenticator;
  /** Prometheus metrics; undefined with --metrics=off. */
  readonly metrics?: GatewayMetrics;
  /** #15: the feeds behind GET /v1/events and output ?follow=true (src/events/hub.ts). */
  readonly events: EventHub;
}

/**
 * The composition root: the only place that knows both the executor and the dispatch mode, and
 * the only one that builds the gateway's parts. A plain function rather than a DI container: the
 * parts are a handful, built once, and a typed return value is checked by the compiler where
 * container tokens are checked at run time (docs/DESIGN.md, "Composition").
 * @throws Error when the chosen combination cannot run on this machine (missing binding, missing
 *   tools, --auth=jwt as root): at start-up, when the strategy makes its first executor.
 */
export function compose(options: GatewayOptions, logger: Logger = pino({ level: options.logLevel })): Gateway {
  // Under --auth=jwt the gateway only ever acts through its callers' tokens: as root, a bug could
  // act as root on the host (files, --uid), which no token can bound. slurmrestd refuses root too.
  if (options.auth === 'jwt' && process.getuid?.() === 0) {
    throw new Error('--auth=jwt does not run as root: run the gateway as an unprivileged service user (see docs/SECURITY.md); it needs no privilege, Slurm checks every token');
  }
  const authenticator = options.auth === 'jwt'
    ? new Authenticator(readAuthSettings(options), callerPolicy({ minUid: options.minUid, denyUsers: options.denyUsers }))
    : undefined;
  const executor = EXECUTORS[options.executor];
  const executorOptions: ExecutorOptions = { auth: options.auth, ...(options.slurmBinDir && { slurmBinDir: options.slurmBinDir }) };

  // The two axes meet here only: the strategy gets a way to make an executor in this process, and
  // pool workers the plain configuration they make their own from.
  const strategy = createStrategy(options.dispatchMode, {
    makeExecutor: () => executor.create(executorOptions),
    worker: { kind: options.executor, options: executorOptions },
    parallel: options.parallel,
    onWorkerError: (error) => logger.warn({ err: error }, 'a pool worker died with no request in flight; the pool replaces it'),
  });
  const inFlight = new InFlightRequests();
  let admission: Dispatcher | undefined;
  let events: EventHub | undefined;
  const metrics = options.http.metrics === 'off' ? undefined : new GatewayMetrics({
    inFlight: () => inFlight.size,
    commands: () => ({ running: admission?.running ?? 0, waiting: admission?.waiting ?? 0, concurrency: strategy.concurrency }),
    workers: () => strategy.workers?.(),
    streams: () => ({ open: events?.streams ?? 0, polling: events?.polling ?? 0 }),
  });
  admission = new Dispatcher(strategy, { queueLimit: options.queueLimit, ...(metrics && { observer: metrics }) });
  // Executors that answer jobs.list.since and nodes.list.since get job and node lists validated by slurmctld's last_update instead
  // of reloaded (src/dispatch/validated-lists.ts).
  const reads = executor.answersListSince ? new ValidatedLists(admission, Date.now, metrics) : admission;
  // Reads of one job share a list call per caller (src/dispatch/shared-reads.ts): the validated
  // table where the executor has one, else the waiting ids in one squeue.
  const shared = options.coalesce ? new SharedJobReads(reads, executor.answersListSince ? 'table' : 'ids', metrics) : reads;
  const coalesced = options.coalesce ? new Coalescer(shared, metrics) : shared;
  // Output paths of ended jobs, which Slurm's accounting does not keep (src/dispatch/output-paths.ts).
  const dispatcher = new RememberedOutputPaths(coalesced);
  // #15: one poll per identity with a stream open, through the same dispatcher as every request.
  events = new EventHub(schedulerPoll(dispatcher, options.timeoutMs, logger), {
    intervalMs: options.events.pollMs, capacity: options.events.buffer, maxStreams: options.events.maxStreams, maxStreamsPerUser: options.events.maxStreamsPerUser,
  }, metrics);
  return {
    logger,
    runtime: {
      version: VERSION,
      executor: options.executor,
      dispatchMode: options.dispatchMode,
      parallel: strategy.concurrency,
      timeoutMs: options.timeoutMs,
      bodyLimit: options.bodyLimit,
      auth: options.auth,
      historyMaxDays: options.historyMaxDays,
      serverTiming: options.serverTiming,
      allowTrace: options.allowTrace,
      defaultWorkingDirectory: homedir(),
      http: options.http,
    },
    dispatcher,
    inFlight,
    events,
    ...(authenticator && { authenticator }),
    ...(metrics && { metrics }),
  };
}
