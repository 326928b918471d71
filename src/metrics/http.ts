import { createServer, type Server } from 'node:http';
import type { Context, Next } from 'koa';
import type { GatewayMetrics } from './registry.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Counts each request by the route template @koa/router matched (`/v1/jobs/:id`), never the raw
 * path, so the label's values are the route table's and no more; a path no route matched is
 * `unmatched`. Outside the error boundary: the status is the one sent.
 */
export function countRequests(metrics: GatewayMetrics) {
  return async function countRequest(ctx: Context, next: Next): Promise<void> {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
      metrics.request(typeof route === 'string' ? route : 'unmatched', METHODS.has(ctx.method) ? ctx.method : 'other', ctx.status, (performance.now() - started) / 1000);
    }
  };
}

/** GET /metrics on the API's own port (`--metrics=main`); not counted itself, and needs no token. */
export function serveMetrics(metrics: GatewayMetrics) {
  return async function metricsRoute(ctx: Context, next: Next): Promise<void> {
    if (ctx.path !== '/metrics') return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      ctx.body = { error: { code: 'method_not_allowed', message: `${ctx.method} is not allowed on /metrics; allowed: GET, HEAD` } };
      return;
    }
    const { type, body } = await metrics.render();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = type;
    ctx.body = body;
  };
}

/** `--metrics=<port>`: GET /metrics alone on its own address (loopback by default), apart from the API. */
export function metricsServer(metrics: GatewayMetrics): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(path === '/metrics' ? 405 : 404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(path === '/metrics' ? 'GET /metrics\n' : 'Not found: this port serves GET /metrics only\n');
      return;
    }
    metrics.render().then(
      ({ type, body }) => res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body),
      () => res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n'),
    );
  });
}
