/**
 * Entry point: options -> container -> app -> listen; SIGINT/SIGTERM -> graceful stop.
 * Exit codes: 0 after a clean stop, 1 when the gateway cannot start, 2 for invalid options.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { pino } from 'pino';
import { OptionsError, parseOptions, type GatewayOptions } from './options.js';
import { createContainer } from './container.js';
import { createApp } from './app.js';
import { TOKENS } from './tokens.js';
import type { CommandDispatcher } from './dispatch/dispatcher.js';
import { installHttpLimits } from './http/limits.js';
import type { InFlightRequests } from './http/in-flight.js';
import { GatewayError } from './errors.js';

/** A request's headers must arrive within this (then a JSON 408). */
const HEADERS_TIMEOUT_MS = 20_000;
/** Most milliseconds to release pools after the stop, before exiting anyway. */
const DISPOSE_MS = 1000;

async function main(argv: string[]): Promise<number> {
  let options: GatewayOptions | 'help';
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`scheduler-rest: ${error.message}\n`);
    return 2;
  }
  if (options === 'help') return 0;

  const logger = pino({ level: options.logLevel, redact: ['req.headers.authorization', 'req.headers["x-slurm-user-token"]'] });
  if (options.auth === 'none' && options.insecure) {
    logger.warn({ host: options.host }, `--auth=none --insecure: anyone who can reach ${options.host} acts as ${userName()} on the cluster`);
  }
  let container;
  try {
    container = createContainer(options, logger);
  } catch (error) {
    process.stderr.write(`scheduler-rest: cannot start with --executor=${options.executor} --application=${options.application} --auth=${options.auth}: ${(error as Error).message}\n`);
    return 1;
  }
  const dispatcher = container.resolve<CommandDispatcher>(TOKENS.Dispatcher);
  const inFlight = container.resolve<InFlightRequests>(TOKENS.InFlight);
  const app = createApp(container);
  // Node checks these timeouts every connectionsCheckingInterval (30 s by default): a slow client
  // would get its 408 up to 30 s late; checked every second, it gets it on time.
  const requestTimeout = options.timeoutMs * 2 + 5_000;
  const server = createServer({
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
    requestTimeout,
    connectionsCheckingInterval: 1_000,
  }, app.callback()).listen(options.port, options.host);
  installHttpLimits(server, logger); // JSON 431/400/408 for requests Node's parser refuses, 405 for CONNECT
  try {
    await once(server, 'listening');
  } catch (error) {
    process.stderr.write(`scheduler-rest: cannot listen on ${options.host}:${options.port}: ${(error as Error).message}\n`);
    await dispatcher.close(0);
    return 1;
  }
  const { port } = server.address() as AddressInfo;
  logger.info({ url: `http://${options.host}:${port}`, executor: options.executor, application: options.application, parallel: dispatcher.concurrency, auth: options.auth }, 'listening');

  // `on`, not `once`: execa's exit hook (signal-exit) re-raises a signal it believes nobody else
  // handles, which would kill the process in the middle of the graceful stop. A second signal
  // during the stop is ignored; SIGKILL stays available.
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.on('SIGINT', resolve);
    process.on('SIGTERM', resolve);
  });
  logger.info({ signal }, 'stopping: no new connections, finishing in-flight requests');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    closed.then(() => true),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), options.shutdownGraceMs); }),
  ]);
  clearTimeout(timer);
  if (!drained) {
    // Every request still waiting gets an answer: 503 (retry elsewhere), or, for a submission
    // whose command may still create the job, that its outcome is unknown.
    const answered = await inFlight.answerAll((ctx) => (ctx.method === 'POST' && ctx.path === '/v1/jobs'
      ? new GatewayError('submit_outcome_unknown', 'The gateway stopped before Slurm answered this submission; the job may exist: look for it (GET /v1/jobs?name=…) or retry with the same Idempotency-Key')
      : new GatewayError('shutting_down', 'The gateway stopped before this request was answered (its shutdown grace period passed); retry', { retryAfter: 5 })));
    logger.warn({ answered, running: dispatcher.running, waiting: dispatcher.waiting }, 'shutdown grace passed: answered the remaining requests, closing their connections');
    server.closeAllConnections();
  }
  // Threads and processes get a moment to end; a command stuck in Slurm must not hold the exit.
  await Promise.race([dispatcher.close(0), new Promise((resolve) => setTimeout(resolve, DISPOSE_MS).unref())]);
  // A worker thread waiting in a synchronous tool run cannot be stopped, and process.exit() joins
  // every worker thread: end the tools (and pool processes) still running, whose answers are given.
  const ended = killDescendants(process.pid);
  logger.info({ ended }, 'stopped');
  return 0;
}

/** SIGKILLs every process below `pid` (Linux /proc), deepest first; returns how many. */
function killDescendants(pid: number): number {
  const children = (parent: number): number[] => {
    try {
      return readdirSync(`/proc/${parent}/task`).flatMap((tid) => readFileSync(`/proc/${parent}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    } catch {
      return [];
    }
  };
  const all: number[] = [];
  const walk = (parent: number) => { for (const child of children(parent)) { walk(child); all.push(child); } };
  walk(pid);
  for (const child of all) {
    try { process.kill(child, 'SIGKILL'); } catch { /* already gone */ }
  }
  return all.length;
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.()}`;
  }
}

main(process.argv.slice(2)).then(
  // Exit now: a tool still retrying against a stuck controller must not keep a stopped gateway alive.
  (code) => process.exit(code),
  (error: unknown) => { process.stderr.write(`scheduler-rest: ${(error as Error)?.stack ?? String(error)}\n`); process.exitCode = 1; },
);
