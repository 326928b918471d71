import Koa from 'koa';
import type { Gateway } from './compose.js';
import { requestContext } from './http/request-context.js';
import { errorBoundary } from './http/errors.js';
import { OutageLog } from './http/outage-log.js';
import { traceAnswers } from './http/call-trace.js';
import { authenticate } from './http/auth.js';
import { createRouter } from './routes.js';
import { openApiRouter } from './http/openapi/serve.js';
import { dashboardRouter } from './http/dashboard.js';
import { countRequests, serveMetrics } from './metrics/http.js';
import { cacheControl, compression, conditionalGet, corsFor, refuseCrossSite } from './http/serving.js';

/** A Koa app that never listens: the entry point does, tests use `app.callback()`. */
export function createApp({ logger, dispatcher, runtime, inFlight, authenticator, metrics, events }: Gateway): Koa {
  const app = new Koa();
  app.silent = true; // the error boundary logs; koa's default handler would print stacks to stderr
  const router = createRouter(dispatcher, runtime, events);
  const { http } = runtime;
  const optional = (...middleware: Array<Koa.Middleware | undefined>) => { for (const m of middleware) if (m) app.use(m); };
  app.use(requestContext(logger, runtime));
  // #13 (src/http/serving.ts, src/metrics/): /metrics ahead of everything (no token, not counted);
  // CORS ahead of the error boundary and auth, so a preflight is answered without a token.
  // Compression rewrites the answer for the wire, so it sits outside traceAnswers (it must see
  // the traced body); traceAnswers sits outside the error boundary (errors are traced too).
  if (metrics && http.metrics === 'main') app.use(serveMetrics(metrics));
  optional(metrics && countRequests(metrics), corsFor(http.corsOrigins), compression(http.compressThreshold));
  app.use(traceAnswers());
  app.use(errorBoundary(logger, new OutageLog()));
  app.use(inFlight.track());
  app.use(refuseCrossSite(http.corsOrigins)); // a browser's cross-site POST/PATCH/DELETE: 403, whatever the auth
  app.use(openApiRouter({ version: runtime.version, auth: runtime.auth }).routes()); // before authentication: the document is public
  app.use(dashboardRouter({ version: runtime.version, auth: runtime.auth }).routes()); // #15: static files, public too; the page sends the user's token
  app.use(cacheControl(runtime.auth));
  // The ETag is of the answer the routes gave; a traced answer drops it (src/http/call-trace.ts).
  for (const m of conditionalGet()) app.use(m);
  app.use(authenticate(authenticator));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
