/**
 * Start-up options: command line > environment (SCHEDULER_REST_*) > --config file > config/default.json.
 * Everything is validated here, before anything listens; a bad value is one line and exit code 2.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import yargs from 'yargs';
import { DISPATCH_MODES, type DispatchMode } from './dispatch/strategy.js';
import { EXECUTOR_KINDS, type ExecutorKind } from './executors/executor.js';
import { DEFAULT_DENIED_USERS } from './auth/callers.js';
import { AUTH_MODES, type AuthMode } from './slurm/identity.js';
import { LIMITS } from './http/limits.js';

export interface GatewayOptions {
  port: number;
  host: string;
  executor: ExecutorKind;
  /** --application: where commands run (inline, coroutine, thread, process). */
  dispatchMode: DispatchMode;
  parallel: number;
  /** Per scheduler command, milliseconds. */
  timeoutMs: number;
  queueLimit: number;
  shutdownGraceMs: number;
  bodyLimit: string;
  logLevel: string;
  slurmBinDir?: string;
  /** Share one scheduler call among identical reads in flight at the same time. */
  coalesce: boolean;
  /** The longest window GET /v1/history accepts, in days (each page reads accounting inside it). */
  historyMaxDays: number;
  /** none: every request acts as the gateway's own user; jwt: as the caller its token names. */
  auth: AuthMode;
  /** --auth=none on a non-loopback address, knowingly. */
  insecure: boolean;
  /** Slurm's jwt_hs256.key, to verify HS256 tokens. */
  jwtKey?: string;
  /** A JWKS file, to verify RS256 tokens (slurmctld must be given the same one). */
  jwks?: string;
  /** --auth=jwt: lowest uid acted for; undefined: UID_MIN of /etc/login.defs. */
  minUid?: number;
  /** --auth=jwt: users never acted for, besides the gateway's own and Slurm's daemon users. */
  denyUsers?: string[];
  /** Prometheus metrics, HTTP caching/compression/CORS and list pages (#13; src/http/serving.ts). */
  http: HttpOptions;
}

/** #13's serving options: GET /metrics, compression, CORS, the default page size of lists. */
export interface HttpOptions {
  /** off: no /metrics; main: GET /metrics on the API's port; a number: on that port, `metricsHost`. */
  metrics: 'off' | 'main' | number;
  metricsHost: string;
  /** Smallest body compressed (gzip, br), bytes; null: never compress. */
  compressThreshold: number | null;
  /** Origins allowed to call from a browser (CORS); empty: CORS off. */
  corsOrigins: string[];
  /** Page size of a list when the request gives no `limit`; null: whole lists, as before pages existed. */
  pageLimit: number | null;
}

export { AUTH_MODES, type AuthMode } from './slurm/identity.js';

/** What the app reports about itself (health, logs). */
export interface RuntimeInfo {
  version: string;
  executor: ExecutorKind;
  dispatchMode: DispatchMode;
  parallel: number;
  timeoutMs: number;
  bodyLimit: string;
  auth: AuthMode;
  historyMaxDays: number;
  /** Where submitted jobs run when the request names no working_directory. */
  defaultWorkingDirectory: string;
  http: HttpOptions;
}

export class OptionsError extends Error {
  override name = 'OptionsError';
}

/** Names accepted for --application, the dispatch mode (the Aurora gateway's names among them). */
const DISPATCH_MODE_NAMES: Record<string, DispatchMode> = {
  inline: 'inline', sync: 'inline', plain: 'inline', function: 'inline',
  coroutine: 'coroutine', promise: 'coroutine',
  thread: 'thread', process: 'process',
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DEFAULTS_FILE = new URL('../config/default.json', import.meta.url);

function readJson(path: string | URL, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new OptionsError(`${what}: cannot read ${String(path)}: ${(error as Error).message}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch { /* reported below */ }
  throw new OptionsError(`${what}: ${String(path)} must hold a JSON object`);
}

export function buildParser(argv: string[]) {
  const defaults = readJson(DEFAULTS_FILE, 'defaults');
  return yargs(argv)
    .scriptName('scheduler-rest')
    .usage('$0 [options]\n\nA REST gateway in front of the Slurm scheduler.')
    .env('SCHEDULER_REST')
    .config('config', 'JSON file of options (keys as the long option names)', (path) => readJson(path, '--config'))
    .option('port', { type: 'number', default: defaults.port, describe: 'TCP port (0: any free port)' })
    .option('host', { type: 'string', default: defaults.host, describe: 'Address to listen on' })
    .option('executor', { type: 'string', default: defaults.executor, describe: `How commands reach Slurm: ${EXECUTOR_KINDS.join(' | ')}` })
    .option('application', { alias: 'concurrency', type: 'string', default: defaults.application, describe: `Dispatch mode: ${DISPATCH_MODES.join(' | ')} (also sync, plain, function, promise)` })
    .option('parallel', { type: 'number', default: availableParallelism(), describe: 'Pool size or concurrency bound (default: number of CPUs)' })
    .option('timeout', { type: 'number', default: defaults.timeout, describe: 'Deadline per scheduler command, seconds' })
    .option('queue-limit', { type: 'number', default: defaults['queue-limit'], describe: 'Requests allowed to wait beyond the pool; then 503' })
    .option('shutdown-grace', { type: 'number', default: defaults['shutdown-grace'], describe: 'Seconds to finish in-flight requests on SIGINT/SIGTERM' })
    .option('body-limit', { type: 'string', default: defaults['body-limit'], describe: 'Largest JSON body accepted' })
    .option('log-level', { type: 'string', default: defaults['log-level'], describe: `Log level: ${LOG_LEVELS.join(' | ')}` })
    .option('coalesce', { type: 'boolean', default: defaults.coalesce, describe: 'Identical reads in flight at the same time share one scheduler call, and reads of single jobs one job-list call per caller (--no-coalesce: one call each)' })
    .option('history-max-days', { type: 'number', default: defaults['history-max-days'], describe: 'Longest time window GET /v1/history accepts, days' })
    .option('auth', { type: 'string', default: defaults.auth, describe: `Who requests act as: ${AUTH_MODES.join(' | ')} (none: the gateway's own user, loopback only)` })
    .option('insecure', { type: 'boolean', default: false, describe: 'Allow --auth=none on a non-loopback address (logs a warning at every start)' })
    .option('jwt-key', { type: 'string', describe: "Slurm's jwt_hs256.key: verify HS256 tokens (--auth=jwt)" })
    .option('jwks', { type: 'string', describe: 'JWKS file: verify RS256 tokens, e.g. an OIDC provider\'s (--auth=jwt; slurmctld needs the same jwks=)' })
    .option('min-uid', { type: 'number', describe: 'Lowest uid a token may act as (--auth=jwt; default: UID_MIN of /etc/login.defs, else 1000)' })
    .option('deny-users', { type: 'string', describe: `Comma list of users no token may act as (--auth=jwt; default: ${DEFAULT_DENIED_USERS.join(',')}); the gateway's own user and SlurmUser/SlurmdUser always` })
    // #13: metrics, compression, CORS, pages (src/http/serving.ts)
    .option('metrics', { type: 'string', default: defaults.metrics, describe: 'GET /metrics (Prometheus): main (on --port) | off | a port number (then on --metrics-host)' })
    .option('metrics-host', { type: 'string', default: defaults['metrics-host'], describe: 'Address of the metrics port (--metrics=<port>)' })
    .option('compress', { type: 'boolean', default: defaults.compress, describe: 'gzip/br answers from --compress-threshold bytes (--no-compress: never)' })
    .option('compress-threshold', { type: 'number', default: defaults['compress-threshold'], describe: 'Smallest answer compressed, bytes' })
    .option('cors-origins', { type: 'string', default: defaults['cors-origins'], describe: 'Comma list of origins browsers may call from (CORS; empty: off)' })
    .option('page-limit', { type: 'number', default: defaults['page-limit'], describe: 'Page size of lists without ?limit= (0: whole lists)' })
    .option('slurm-bin-dir', { type: 'string', describe: 'Directory of sbatch, squeue, … (default: PATH)' })
    .strictOptions()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false)
    .fail((message, error) => { throw new OptionsError(error?.message ?? message.replace(/\s+/g, ' ')); });
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OptionsError(`--${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function seconds(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new OptionsError(`--${name}: expected a number of seconds from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return Math.round(value * 1000);
}

function oneOf<T extends string>(name: string, value: unknown, table: Record<string, T> | readonly T[], accepted: readonly string[]): T {
  const key = String(value).toLowerCase();
  const found = Array.isArray(table) ? (table.includes(key as T) ? key as T : undefined) : (table as Record<string, T>)[key];
  if (found === undefined) throw new OptionsError(`--${name}: expected one of ${accepted.join(', ')}, got ${JSON.stringify(value)}`);
  return found;
}

/**
 * Parses and validates start-up options.
 * @throws OptionsError with a one-line message naming the option and the accepted values.
 */
export function parseOptions(argv: string[]): GatewayOptions | 'help' {
  const parser = buildParser(argv);
  const args = parser.parseSync();
  if (args.help) return 'help';
  const dispatchMode = oneOf('application', args.application, DISPATCH_MODE_NAMES, Object.keys(DISPATCH_MODE_NAMES));
  const host = String(args.host);
  const auth = oneOf('auth', args.auth, AUTH_MODES, AUTH_MODES);
  const insecure = args.insecure === true;
  const jwtKey = args['jwt-key'] ? String(args['jwt-key']) : undefined;
  const jwks = args.jwks ? String(args.jwks) : undefined;
  if (auth === 'none' && !isLoopback(host) && !insecure) {
    throw new OptionsError(`--auth=none lets every caller act as the gateway's own user, so it listens only on loopback; --host=${host} needs --auth=jwt (or --insecure, knowingly)`);
  }
  if (auth === 'none' && (jwtKey || jwks)) throw new OptionsError('--jwt-key and --jwks apply only with --auth=jwt');
  const minUid = args['min-uid'] === undefined ? undefined : integer('min-uid', args['min-uid'], 1, 4_294_967_293);
  const denyUsers = args['deny-users'] === undefined ? undefined : String(args['deny-users']).split(',').map((u) => u.trim()).filter(Boolean);
  if (auth === 'none' && (minUid !== undefined || denyUsers)) throw new OptionsError('--min-uid and --deny-users apply only with --auth=jwt');
  if (auth === 'jwt' && !jwtKey && !jwks) throw new OptionsError("--auth=jwt needs --jwt-key (Slurm's jwt_hs256.key, for HS256 tokens) or --jwks (RS256 tokens)");
  return {
    port: integer('port', args.port, 0, 65535),
    host,
    executor: oneOf('executor', args.executor, EXECUTOR_KINDS, EXECUTOR_KINDS),
    dispatchMode,
    parallel: integer('parallel', args.parallel, 1, 256),
    timeoutMs: seconds('timeout', args.timeout, 0.1, 3600),
    queueLimit: integer('queue-limit', args['queue-limit'], 0, 1_000_000),
    shutdownGraceMs: seconds('shutdown-grace', args['shutdown-grace'], 0, 600),
    bodyLimit: String(args['body-limit']),
    logLevel: oneOf('log-level', args['log-level'], LOG_LEVELS, LOG_LEVELS),
    coalesce: args.coalesce !== false,
    historyMaxDays: integer('history-max-days', args['history-max-days'], 1, 3660),
    auth,
    insecure,
    ...(jwtKey ? { jwtKey } : {}),
    ...(jwks ? { jwks } : {}),
    ...(minUid !== undefined ? { minUid } : {}),
    ...(denyUsers ? { denyUsers } : {}),
    http: httpOptions(args),
    ...(args['slurm-bin-dir'] ? { slurmBinDir: String(args['slurm-bin-dir']) } : {}),
  };
}


function httpOptions(args: Record<string, unknown>): HttpOptions {
  // --no-metrics (yargs' negation of any option) is off; --metrics alone, main.
  const metrics = ({ false: 'off', true: 'main', '': 'main' } as Record<string, string>)[String(args.metrics).toLowerCase()] ?? String(args.metrics).toLowerCase();
  const origins = String(args['cors-origins'] ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    let url: URL | undefined;
    try { url = new URL(origin); } catch { /* reported below */ }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== origin) {
      throw new OptionsError(`--cors-origins: expected origins such as https://portal.example.org (scheme, host, optional port; no path, no *), got ${JSON.stringify(origin)}`);
    }
  }
  const pageLimit = integer('page-limit', args['page-limit'], 0, LIMITS.pageItems);
  return {
    metrics: metrics === 'off' || metrics === 'main' ? metrics : integer('metrics', /^\d+$/.test(metrics) ? Number(metrics) : metrics, 1, 65535),
    metricsHost: String(args['metrics-host']),
    compressThreshold: args.compress === false ? null : integer('compress-threshold', args['compress-threshold'], 0, 1_073_741_824),
    corsOrigins: origins,
    pageLimit: pageLimit === 0 ? null : pageLimit,
  };
}

/** 127.0.0.0/8, ::1, ::ffff:127.x and the name localhost: nobody else can connect. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}
