/**
 * Entry point: options -> compose() -> app -> listen; SIGINT/SIGTERM -> graceful stop.
 * Exit codes: 0 after a clean stop, 1 when the gateway cannot start, 2 for invalid options.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { pino, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { OptionsError, parseOptions, type GatewayOptions } from './options.js';
import { compose, type Gateway } from './compose.js';
import { createApp } from './app.js';
import { installHttpLimits } from './http/limits.js';
import { gracefulStop } from './shutdown.js';
import { EXECUTORS } from './executors/index.js';
import { metricsServer } from './metrics/http.js';

/** A request's headers must arrive within this (then a JSON 408). */
const HEADERS_TIMEOUT_MS = 20_000;
/**
 * How long an idle keep-alive connection stays open. Longer than the idle timeout of the clients
 * and proxies in front of us (nginx's upstream keepalive_timeout is 60 s, Node's fetch 4 s): the
 * client must be the one to close an idle connection. With Node's default of 5 s, a client reusing
 * a connection the gateway was closing at that moment got "other side closed" (seen in CI, and
 * what nginx reports as a 502). The graceful stop does not wait for idle connections (src/shutdown.ts).
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;


async function main(argv: string[]): Promise<number> {
  let options: GatewayOptions | 'help' | 'version';
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`scheduler-rest: ${error.message}\n`);
    return 2;
  }
  if (options === 'help' || options === 'version') return 0; // yargs printed them

  const logger = makeLogger({ level: options.logLevel, redact: ['req.headers.authorization', 'req.headers["x-slurm-user-token"]'] });
  if (options.auth === 'none' && options.insecure) {
    logger.warn({ host: options.host }, `--auth=none --insecure: anyone who can reach ${options.host} acts as ${userName()} on the cluster`);
  }
  let gateway: Gateway;
  try {
    gateway = compose(options, logger);
  } catch (error) {
    process.stderr.write(`scheduler-rest: cannot start with --executor=${options.executor} --application=${options.dispatchMode} --auth=${options.auth}: ${(error as Error).message}\n`);
    return 1;
  }
  const { dispatcher, inFlight } = gateway;
  // Listening for the stop signals before listening for requests: a SIGTERM that arrives as soon
  // as the 'listening' line is out (a supervisor stopping at once) still gets the graceful stop;
  // registered after that line, such a signal could find no handler and kill the process.
  // `on`, not `once`: execa's exit hook (signal-exit) re-raises a signal it believes nobody else
  // handles, which would kill the process in the middle of the graceful stop. A second signal
  // during the stop is ignored; SIGKILL stays available.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.on('SIGINT', resolve);
    process.on('SIGTERM', resolve);
  });
  const app = createApp(gateway);
  // Node checks these timeouts every connectionsCheckingInterval (30 s by default): a slow client
  // would get its 408 up to 30 s late; checked every second, it gets it on time.
  const requestTimeout = options.timeoutMs * 2 + 5_000;
  const server = createServer({
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
    requestTimeout,
    connectionsCheckingInterval: 1_000,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
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
  // --metrics=<port>: GET /metrics alone, on its own address (src/metrics/http.ts).
  const metricsPort = options.http.metrics;
  const metrics = gateway.metrics && typeof metricsPort === 'number' ? metricsServer(gateway.metrics).listen(metricsPort, options.http.metricsHost) : undefined;
  if (metrics) {
    try {
      await once(metrics, 'listening');
    } catch (error) {
      process.stderr.write(`scheduler-rest: cannot listen for metrics on ${options.http.metricsHost}:${metricsPort}: ${(error as Error).message}\n`);
      server.close();
      await dispatcher.close(0);
      return 1;
    }
    logger.info({ url: `http://${options.http.metricsHost}:${metricsPort}/metrics` }, 'metrics listening');
  }
  // threadPool: libuv's pool, where coroutine mode's libslurm calls run (bin/scheduler-rest.js sizes it).
  logger.info({ url: `http://${options.host}:${port}`, executor: options.executor, application: options.dispatchMode, parallel: dispatcher.concurrency, auth: options.auth, threadPool: Number(process.env.UV_THREADPOOL_SIZE ?? 4) }, 'listening');

  const signal = await stopSignal;
  logger.info({ signal }, 'stopping: finishing in-flight requests, answering new ones 503');
  metrics?.close();
  await gracefulStop({ server, inFlight, dispatcher, graceMs: options.shutdownGraceMs, logger, streams: gateway.events });
  // Exit now: a tool or a libslurm call still retrying against a stuck controller must not keep a
  // stopped gateway alive (every answer has been given).
  return EXECUTORS[options.executor].exitProcess(0);
}

/**
 * JSON lines for a log collector (journald, a file, a pipe); on a terminal, pino-pretty's readable
 * lines. Both are written synchronously, each line as it is logged: the process ends with _exit
 * after a stop (the internal executor's exit), which loses a line still being written. pino's
 * default destination writes asynchronously, and lost the "stopped" line in 7 of 32 stops measured
 * by hand. A log reader that stops reading holds the gateway up rather than letting lines pile up
 * in its memory.
 */
function makeLogger(options: LoggerOptions): Logger {
  if (!process.stdout.isTTY) return pino(options, pino.destination({ dest: process.stdout.fd ?? 1, sync: true }));
  return pino(options, pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
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
