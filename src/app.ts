import Koa from 'koa';
import type { DependencyContainer } from 'tsyringe';
import type { Logger } from 'pino';
import { TOKENS } from './tokens.js';
import type { CommandDispatcher } from './dispatch/dispatcher.js';
import type { RuntimeInfo } from './options.js';
import { requestContext } from './http/request-context.js';
import { errorBoundary } from './http/errors.js';
import { authenticate } from './http/auth.js';
import type { Authenticator } from './auth/jwt.js';
import { createRouter } from './routes.js';
import type { InFlightRequests } from './http/in-flight.js';

/** A Koa app that never listens: the entry point does, tests use `app.callback()`. */
export function createApp(container: DependencyContainer): Koa {
  const logger = container.resolve<Logger>(TOKENS.Logger);
  const dispatcher = container.resolve<CommandDispatcher>(TOKENS.Dispatcher);
  const runtime = container.resolve<RuntimeInfo>(TOKENS.Runtime);
  const inFlight = container.resolve<InFlightRequests>(TOKENS.InFlight);
  const authenticator = container.isRegistered(TOKENS.Authenticator) ? container.resolve<Authenticator>(TOKENS.Authenticator) : undefined;

  const app = new Koa();
  app.silent = true; // the error boundary logs; koa's default handler would print stacks to stderr
  const router = createRouter(dispatcher, runtime);
  app.use(requestContext(logger, runtime.timeoutMs));
  app.use(errorBoundary(logger));
  app.use(inFlight.track());
  app.use(authenticate(authenticator));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
