import Koa from 'koa';
import type { Gateway } from './compose.js';
import { requestContext } from './http/request-context.js';
import { errorBoundary } from './http/errors.js';
import { authenticate } from './http/auth.js';
import { createRouter } from './routes.js';
import { countRequests, serveMetrics } from './metrics/http.js';
import { cacheControl, compression, conditionalGet, corsFor } from './http/serving.js';

/** A Koa app that never listens: the entry point does, tests use `app.callback()`. */
export function createApp({ logger, dispatcher, runtime, inFlight, authenticator, metrics }: Gateway): Koa {
  const app = new Koa();
  app.silent = true; // the error boundary logs; koa's default handler would print stacks to stderr
  const router = createRouter(dispatcher, runtime);
  const { http } = runtime;
  const optional = (...middleware: Array<Koa.Middleware | undefined>) => { for (const m of middleware) if (m) app.use(m); };
  app.use(requestContext(logger, runtime.timeoutMs));
  // #13 (src/http/serving.ts, src/metrics/): /metrics ahead of everything (no token, not counted);
  // CORS ahead of the error boundary and auth, so a preflight is answered without a token.
  if (metrics && http.metrics === 'main') app.use(serveMetrics(metrics));
  optional(metrics && countRequests(metrics), corsFor(http.corsOrigins), compression(http.compressThreshold));
  app.use(errorBoundary(logger));
  app.use(inFlight.track());
  app.use(cacheControl(runtime.auth));
  for (const m of conditionalGet()) app.use(m);
  app.use(authenticate(authenticator));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
