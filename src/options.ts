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
  /** Send a Server-Timing header (each scheduler call's time) on every answer. @default true */
  serverTiming: boolean;
  /** Answer `?trace=1` with the request's scheduler calls in the body. @default false */
  allowTrace: boolean;
  /** Prometheus metrics, HTTP caching/compression/CORS and list pages (#13; src/http/serving.ts). */
  http: HttpOptions;
  /** GET /v1/events and output ?follow=true (#15; src/events/). */
  events: EventOptions;
}

/** #15's live streams (src/events/hub.ts). */
export interface EventOptions {
  /** Streams open at once, events and follows together; then 503 too_many_streams. */
  maxStreams: number;
  /** One user's streams open at once under --auth=jwt; then 429 too_many_user_streams. */
  maxStreamsPerUser: number;
  /** Milliseconds between two polls of a feed (one per identity with a stream open). */
  pollMs: number;
  /** Events each feed keeps, for Last-Event-ID and for readers that lag. */
  buffer: number;
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
  serverTiming: boolean;
  allowTrace: boolean;
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
const ENV_PREFIX = 'SCHEDULER_REST';

/** The gateway's version (package.json), for --version, /v1/health and the logs. */
export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

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
    .env(ENV_PREFIX)
    .config('config', 'JSON file of options (keys as the long option names)', (path) => readJson(path, '--config'))
    // Numbers are left untyped: yargs turns "abc" into NaN (then printed as null); untyped, numbers
    // still arrive as numbers and anything else as given, for the message below.
    .option('port', { default: defaults.port, describe: 'TCP port (0: any free port)' })
    .option('host', { type: 'string', default: defaults.host, describe: 'Address to listen on' })
    .option('executor', { type: 'string', default: defaults.executor, describe: `How commands reach Slurm: ${EXECUTOR_KINDS.join(' | ')}` })
    .option('application', { alias: 'concurrency', type: 'string', default: defaults.application, describe: `Dispatch mode: ${DISPATCH_MODES.join(' | ')} (also sync, plain, function, promise)` })
    .option('parallel', { default: availableParallelism(), describe: 'Pool size or concurrency bound (default: number of CPUs)' })
    .option('timeout', { default: defaults.timeout, describe: 'Deadline per scheduler command, seconds' })
    .option('queue-limit', { default: defaults['queue-limit'], describe: 'Requests allowed to wait beyond the pool; then 503' })
    .option('shutdown-grace', { default: defaults['shutdown-grace'], describe: 'Seconds to finish in-flight requests on SIGINT/SIGTERM' })
    .option('body-limit', { type: 'string', default: defaults['body-limit'], describe: 'Largest JSON body accepted' })
    .option('log-level', { type: 'string', default: defaults['log-level'], describe: `Log level: ${LOG_LEVELS.join(' | ')}` })
    .option('coalesce', { type: 'boolean', default: defaults.coalesce, describe: 'Identical reads in flight at the same time share one scheduler call, and reads of single jobs one job-list call per caller (--no-coalesce: one call each)' })
    .option('history-max-days', { default: defaults['history-max-days'], describe: 'Longest time window GET /v1/history accepts, days' })
    .option('auth', { type: 'string', default: defaults.auth, describe: `Who requests act as: ${AUTH_MODES.join(' | ')} (none: the gateway's own user, loopback only)` })
    .option('insecure', { type: 'boolean', default: false, describe: 'Allow --auth=none on a non-loopback address (logs a warning at every start)' })
    .option('jwt-key', { type: 'string', describe: "Slurm's jwt_hs256.key: verify HS256 tokens (--auth=jwt)" })
    .option('jwks', { type: 'string', describe: 'JWKS file: verify RS256 tokens, e.g. an OIDC provider\'s (--auth=jwt; slurmctld needs the same jwks=)' })
    .option('min-uid', { describe: 'Lowest uid a token may act as (--auth=jwt; default: UID_MIN of /etc/login.defs, else 1000)' })
    .option('deny-users', { type: 'string', describe: `Comma list of users no token may act as (--auth=jwt; default: ${DEFAULT_DENIED_USERS.join(',')}); the gateway's own user and SlurmUser/SlurmdUser always` })
    // #13: metrics, compression, CORS, pages (src/http/serving.ts)
    .option('metrics', { type: 'string', default: defaults.metrics, describe: 'GET /metrics (Prometheus): main (on --port) | off | a port number (then on --metrics-host)' })
    .option('metrics-host', { type: 'string', default: defaults['metrics-host'], describe: 'Address of the metrics port (--metrics=<port>)' })
    .option('compress', { type: 'boolean', default: defaults.compress, describe: 'gzip/br answers from --compress-threshold bytes (--no-compress: never)' })
    .option('compress-threshold', { type: 'number', default: defaults['compress-threshold'], describe: 'Smallest answer compressed, bytes' })
    .option('cors-origins', { type: 'string', default: defaults['cors-origins'], describe: 'Comma list of origins browsers may call from (CORS; empty: off)' })
    .option('page-limit', { type: 'number', default: defaults['page-limit'], describe: 'Page size of lists without ?limit= (0: whole lists)' })
    // #15: live streams (src/events/)
    .option('events-max-streams', { default: defaults['events-max-streams'], describe: 'Event and output-follow streams open at once; then 503' })
    .option('events-max-streams-per-user', { default: defaults['events-max-streams-per-user'], describe: "One user's event and output-follow streams open at once (--auth=jwt); then 429" })
    .option('events-poll', { default: defaults['events-poll'], describe: 'Seconds between two scheduler polls behind GET /v1/events (one poll per caller with a stream open)' })
    .option('events-buffer', { default: defaults['events-buffer'], describe: 'Events kept per caller for Last-Event-ID and for slow readers (a reader further behind is dropped)' })
    .option('slurm-bin-dir', { type: 'string', describe: 'Directory of sbatch, squeue, … (default: PATH)' })
    .option('server-timing', { type: 'boolean', default: defaults['server-timing'], describe: 'Send a Server-Timing header with each scheduler call\'s time (--no-server-timing: none)' })
    .option('allow-trace', { type: 'boolean', default: defaults['allow-trace'], describe: 'Let ?trace=1 add the request\'s scheduler calls (redacted) to its answer' })
    .strictOptions()
    .help()
    .version('version', 'Print the version and exit', `scheduler-rest ${VERSION}`)
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false)
    .fail((message, error) => { throw new OptionsError(error?.message ?? unknownOptions(message, argv) ?? message.replace(/\s+/g, ' ')); });
}

/**
 * yargs names an unknown flag twice (`Unknown arguments: bogus-flag, bogusFlag`, its camelCase
 * copy) and an unknown SCHEDULER_REST_ variable as a flag: name each once, as the operator wrote it.
 */
function unknownOptions(message: string, argv: readonly string[]): string | undefined {
  const match = /^Unknown arguments?: (.*)$/s.exec(message.trim());
  if (!match) return undefined;
  const names = match[1]!.split(',').map((name) => name.trim()).filter(Boolean);
  const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const once = names.filter((name) => !(/[A-Z]/.test(name) && names.includes(kebab(name))));
  const shown = once.map((name) => {
    const variable = `${ENV_PREFIX}_${kebab(name).toUpperCase().replace(/-/g, '_')}`;
    const onCommandLine = argv.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`) || arg === `--no-${name}` || arg === `-${name}`);
    return !onCommandLine && process.env[variable] !== undefined ? variable : `${name.length === 1 ? '-' : '--'}${name}`;
  });
  return `unknown option${shown.length > 1 ? 's' : ''} ${shown.join(', ')} (scheduler-rest --help lists them)`;
}

/** How the operator gave option `name`: the flag, or its environment variable when that is where it came from. */
function given(name: string, argv: readonly string[]): string {
  const onCommandLine = argv.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  const variable = `${ENV_PREFIX}_${name.toUpperCase().replace(/-/g, '_')}`;
  return !onCommandLine && process.env[variable] !== undefined ? variable : `--${name}`;
}

/** Boolean options, which yargs would quietly read as false from any word but "true". */
const BOOLEAN_OPTIONS = ['coalesce', 'insecure', 'server-timing', 'allow-trace'];

/** `--flag=value` and SCHEDULER_REST_FLAG=value must say true or false: `yes` or `maybe` would mean false. */
function checkBooleans(argv: readonly string[]): void {
  for (const name of BOOLEAN_OPTIONS) {
    const flag = argv.map((arg) => (arg.startsWith(`--${name}=`) ? arg.slice(name.length + 3) : undefined)).find((v) => v !== undefined);
    const variable = `${ENV_PREFIX}_${name.toUpperCase().replace(/-/g, '_')}`;
    const onCommandLine = argv.some((arg) => arg === `--${name}` || arg === `--no-${name}` || arg.startsWith(`--${name}=`));
    const value = flag ?? (onCommandLine ? undefined : process.env[variable]);
    if (value !== undefined && !/^(true|false)$/i.test(value)) {
      throw new OptionsError(`${flag !== undefined ? `--${name}` : variable}: ${JSON.stringify(value)} is not true or false (or use --${name} / --no-${name})`);
    }
  }
}

/** A number as given: a number, or a string that is one ("8", " 2.5 "); NaN otherwise. */
function numeric(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(value)) return Number(value);
  return Number.NaN;
}

/** The value as the operator wrote it, quoted. */
const shown = (value: unknown) => JSON.stringify(typeof value === 'string' ? value : String(value));


function integer(name: string, value: unknown, min: number, max: number, argv: readonly string[], what = 'a whole number'): number {
  const n = numeric(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new OptionsError(`${given(name, argv)}: ${shown(value)} is not ${what} from ${min} to ${max}`);
  }
  return n;
}

function seconds(name: string, value: unknown, min: number, max: number, argv: readonly string[]): number {
  const n = numeric(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new OptionsError(`${given(name, argv)}: ${shown(value)} is not a number of seconds from ${min} to ${max}`);
  }
  return Math.round(n * 1000);
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
export function parseOptions(argv: string[]): GatewayOptions | 'help' | 'version' {
  const parser = buildParser(argv);
  const args = parser.parseSync();
  if (args.help) return 'help';
  checkBooleans(argv);
  if (args.version) return 'version';
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
  const minUid = args['min-uid'] === undefined ? undefined : integer('min-uid', args['min-uid'], 1, 4_294_967_293, argv, 'a uid');
  const denyUsers = args['deny-users'] === undefined ? undefined : String(args['deny-users']).split(',').map((u) => u.trim()).filter(Boolean);
  if (auth === 'none' && (minUid !== undefined || denyUsers)) throw new OptionsError('--min-uid and --deny-users apply only with --auth=jwt');
  if (auth === 'jwt' && !jwtKey && !jwks) throw new OptionsError("--auth=jwt needs --jwt-key (Slurm's jwt_hs256.key, for HS256 tokens) or --jwks (RS256 tokens)");
  return {
    port: integer('port', args.port, 0, 65535, argv, 'a port number'),
    host,
    executor: oneOf('executor', args.executor, EXECUTOR_KINDS, EXECUTOR_KINDS),
    dispatchMode,
    parallel: integer('parallel', args.parallel, 1, 256, argv),
    timeoutMs: seconds('timeout', args.timeout, 0.1, 3600, argv),
    queueLimit: integer('queue-limit', args['queue-limit'], 0, 1_000_000, argv),
    shutdownGraceMs: seconds('shutdown-grace', args['shutdown-grace'], 0, 600, argv),
    bodyLimit: String(args['body-limit']),
    logLevel: oneOf('log-level', args['log-level'], LOG_LEVELS, LOG_LEVELS),
    coalesce: args.coalesce !== false,
    historyMaxDays: integer('history-max-days', args['history-max-days'], 1, 3660, argv),
    serverTiming: args['server-timing'] !== false,
    allowTrace: args['allow-trace'] === true,
    auth,
    insecure,
    ...(jwtKey ? { jwtKey } : {}),
    ...(jwks ? { jwks } : {}),
    ...(minUid !== undefined ? { minUid } : {}),
    ...(denyUsers ? { denyUsers } : {}),
    http: httpOptions(args, argv),
    events: {
      maxStreams: integer('events-max-streams', args['events-max-streams'], 1, 1_000_000, argv),
      maxStreamsPerUser: integer('events-max-streams-per-user', args['events-max-streams-per-user'], 1, 1_000_000, argv),
      pollMs: seconds('events-poll', args['events-poll'], 0.1, 3600, argv),
      buffer: integer('events-buffer', args['events-buffer'], 1, 1_000_000, argv),
    },
    ...(args['slurm-bin-dir'] ? { slurmBinDir: String(args['slurm-bin-dir']) } : {}),
  };
}


function httpOptions(args: Record<string, unknown>, argv: readonly string[]): HttpOptions {
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
  const pageLimit = integer('page-limit', args['page-limit'], 0, LIMITS.pageItems, argv);
  return {
    metrics: metrics === 'off' || metrics === 'main' ? metrics : integer('metrics', /^\d+$/.test(metrics) ? Number(metrics) : metrics, 1, 65535, argv, 'off, main or a port number'),
    metricsHost: String(args['metrics-host']),
    compressThreshold: args.compress === false ? null : integer('compress-threshold', args['compress-threshold'], 0, 1_073_741_824, argv, 'a number of bytes'),
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
