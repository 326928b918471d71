/**
 * The dashboard (#15): GET / and /ui redirect to /ui/, which answers ui/index.html; /ui/<file>
 * answers the other files of the repository's ui/ directory. They are plain ES modules and a style
 * sheet, served as they are in the checkout (no build step), read once at start-up into an
 * allow-list: a request names a key of that map, never a path. Mounted before authentication, like
 * /v1/docs: the files hold nothing of the cluster; the page asks the API with the user's token.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import type { Context } from 'koa';
import etag from 'etag';
import { GatewayError } from '../errors.js';
import type { AuthMode } from '../slurm/identity.js';

/** ui/ at the repository's root: the same directory from src/http/ (tests) and dist/http/ (the bin). */
export const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

/**
 * This gateway's own scripts, styles and API only; no inline script or style, no eval, and
 * Trusted Types with no policy, so assigning a string to innerHTML (or any other HTML sink) throws:
 * user-controlled text can only reach the page as text (docs/SECURITY.md).
 */
export const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

interface Asset { body: Buffer; type: string; tag: string }

const asset = (body: Buffer, type: string): Asset => ({ body, type, tag: etag(body) });

/**
 * The files under `dir` the page may load (.html, .css, .js; not the .d.ts files that type the
 * modules for the unit tests), plus config.json: what the page must know of this gateway.
 */
export function dashboardAssets(dir: string, settings: { version: string; auth: AuthMode }): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir).sort()) {
    const type = TYPES[extname(name)];
    if (type && !name.endsWith('.d.ts')) assets.set(name, asset(readFileSync(join(dir, name)), type));
  }
  if (!assets.has('index.html')) throw new Error(`The dashboard's files are missing: no index.html in ${dir}`);
  assets.set('config.json', asset(Buffer.from(JSON.stringify({ version: settings.version, auth: settings.auth })), 'application/json'));
  return assets;
}

function send(ctx: Context, file: Asset): void {
  ctx.set('Content-Security-Policy', DASHBOARD_CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-cache'); // revalidated each load (ETag): a new version shows at once
  ctx.type = file.type;
  ctx.response.etag = file.tag;
  ctx.status = 200;
  if (ctx.fresh) { ctx.status = 304; return; }
  ctx.body = file.body;
}

/** The dashboard's routes; the files are read now. Relative redirects keep working under a proxy's prefix. */
export function dashboardRouter(settings: { version: string; auth: AuthMode }, dir = UI_DIR): Router {
  const assets = dashboardAssets(dir, settings);
  const router = new Router({ strict: true }); // '/ui' and '/ui/' are two routes
  router
    .get('/', (ctx) => { ctx.status = 302; ctx.redirect('ui/'); })
    .get('/ui', (ctx) => { ctx.status = 301; ctx.redirect('ui/'); })
    .get('/ui/', (ctx) => send(ctx, assets.get('index.html')!))
    .get('/ui/:file', (ctx) => {
      const file = assets.get(ctx.params.file!);
      if (!file || ctx.params.file === 'index.html') throw new GatewayError('not_found', `No file ${ctx.params.file} in the dashboard`);
      send(ctx, file);
    });
  return router;
}
