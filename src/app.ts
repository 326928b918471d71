import Koa from 'koa';
import type { Gateway } from './compose.js';
import { requestContext } from './http/request-context.js';
import { errorBoundary } from './http/errors.js';
import { OutageLog } from './http/outage-log.js';
import { traceAnswers } from './http/call-trace.js';
import { authenticate } from './http/auth.js';
import { createRouter } from './routes.js';
import { openApiRouter } from './http/openapi/serve.js';

/** A Koa app that never listens: the entry point does, tests use `app.callback()`. */
export function createApp({ logger, dispatcher, runtime, inFlight, authenticator }: Gateway): Koa {
  const app = new Koa();
  app.silent = true; // the error boundary logs; koa's default handler would print stacks to stderr
  const router = createRouter(dispatcher, runtime);
  app.use(requestContext(logger, runtime));
  // Middleware that rewrites the answer for the wire (compression, ETag) goes here, between the
  // two: it must see the traced body.
  app.use(traceAnswers());
  app.use(errorBoundary(logger, new OutageLog()));
  app.use(inFlight.track());
  app.use(openApiRouter({ version: runtime.version, auth: runtime.auth }).routes()); // before authentication: the document is public
  app.use(authenticate(authenticator));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
