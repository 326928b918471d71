import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { container as root, type DependencyContainer } from 'tsyringe';
import { pino, type Logger } from 'pino';
import { TOKENS } from './tokens.js';
import type { GatewayOptions, RuntimeInfo } from './options.js';
import { Coalescer, createStrategy, Dispatcher, ValidatedJobLists } from './dispatch/index.js';
import { createExecutor } from './executors/index.js';
import type { ExecutorOptions } from './executors/executor.js';
import { Authenticator, readAuthSettings } from './auth/jwt.js';
import { callerPolicy } from './auth/callers.js';
import { InFlightRequests } from './http/in-flight.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The composition root: the only place that registers anything, and the only one that knows both
 * the executor and the dispatch mode. A mode that cannot work (missing binding, missing tools)
 * fails here, at start-up, when the strategy makes its first executor.
 * @throws GatewayError when the chosen executor cannot be built on this machine.
 */
export function createContainer(options: GatewayOptions, logger: Logger = pino({ level: options.logLevel })): DependencyContainer {
  // Under --auth=jwt the gateway only ever acts through its callers' tokens: as root, a bug could
  // act as root on the host (files, --uid), which no token can bound. slurmrestd refuses root too.
  if (options.auth === 'jwt' && process.getuid?.() === 0) {
    throw new Error('--auth=jwt does not run as root: run the gateway as an unprivileged service user (see docs/SECURITY.md); it needs no privilege, Slurm checks every token');
  }
  const authenticator = options.auth === 'jwt'
    ? new Authenticator(readAuthSettings(options), callerPolicy({ minUid: options.minUid, denyUsers: options.denyUsers }))
    : undefined;
  const executorOptions: ExecutorOptions = { auth: options.auth, ...(options.slurmBinDir && { slurmBinDir: options.slurmBinDir }) };

  // The two axes meet here only: the strategy gets a way to make an executor, and pool workers the
  // plain configuration they make their own from. Making one fails at start-up where a mode cannot work.
  const strategy = createStrategy(options.application, {
    makeExecutor: () => createExecutor(options.executor, executorOptions),
    worker: { kind: options.executor, options: executorOptions },
    parallel: options.parallel,
    onWorkerError: (error) => logger.warn({ err: error }, 'a pool worker died with no request in flight; the pool replaces it'),
  });
  const runtime: RuntimeInfo = {
    version: VERSION,
    executor: options.executor,
    application: options.application,
    parallel: strategy.concurrency,
    timeoutMs: options.timeoutMs,
    bodyLimit: options.bodyLimit,
    auth: options.auth,
    defaultWorkingDirectory: homedir(),
  };

  const child = root.createChildContainer();
  child.register(TOKENS.Logger, { useValue: logger });
  child.register(TOKENS.Runtime, { useValue: runtime });
  child.register(TOKENS.Strategy, { useValue: strategy });
  child.register(TOKENS.InFlight, { useValue: new InFlightRequests() });
  if (authenticator) child.register(TOKENS.Authenticator, { useValue: authenticator });
  const dispatcher = new Dispatcher(strategy, { queueLimit: options.queueLimit });
  // Internal: job lists validated by slurmctld's last_update instead of reloaded (validated-lists.ts).
  const reads = options.executor === 'internal' ? new ValidatedJobLists(dispatcher) : dispatcher;
  child.register(TOKENS.Dispatcher, { useValue: options.coalesce ? new Coalescer(reads) : reads });
  return child;
}
