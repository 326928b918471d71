/**
 * GET /v1/openapi.json, /v1/openapi.yaml and the reference page /v1/docs. The document is built
 * once, at start-up; the page is swagger-ui-dist's, served from node_modules (no CDN: it works on
 * an offline cluster), with a Content-Security-Policy that allows only this gateway's own files.
 * Mounted before authentication: the document is no secret (docs/SECURITY.md).
 */
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import { stringify } from 'yaml';
import { GatewayError } from '../../errors.js';
import { buildDocument, type DocumentSettings } from './document.js';
import { DOCS_ASSETS } from './assets.js';

const UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/**
 * Scripts and styles from this gateway only; Swagger UI sets inline style attributes and draws
 * icons as data: images. validatorUrl is off in init.js, so nothing leaves for swagger.io.
 */
export const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// Relative URLs: the page keeps working behind a proxy that mounts the gateway under a prefix.
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>scheduler-rest API</title><link rel="icon" href="docs/favicon-32x32.png"><link rel="stylesheet" href="docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="docs/swagger-ui-bundle.js"></script><script src="docs/init.js"></script></body>
</html>
`;
const INIT = `window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });\n`;

/** The router of the document and its page, with the document built now. */
export function openApiRouter(settings: DocumentSettings): Router {
  const document = buildDocument(settings);
  const json = Buffer.from(JSON.stringify(document));
  const yaml = stringify(document, { aliasDuplicateObjects: false });
  const send = (ctx: Context, type: string, body: string | Buffer | Readable) => { ctx.type = type; ctx.body = body; };

  const router = new Router({ prefix: '/v1' });
  router
    .get('/openapi.json', (ctx) => send(ctx, 'application/json', json))
    .get('/openapi.yaml', (ctx) => send(ctx, 'application/yaml; charset=utf-8', yaml))
    .get('/docs', (ctx) => {
      ctx.set('Content-Security-Policy', DOCS_CSP);
      send(ctx, 'text/html; charset=utf-8', PAGE);
    })
    .get('/docs/:asset', (ctx) => {
      const asset = ctx.params.asset!;
      if (asset === 'init.js') return send(ctx, 'text/javascript; charset=utf-8', INIT);
      if (!Object.hasOwn(DOCS_ASSETS, asset)) throw new GatewayError('not_found', `No file ${asset} in the reference page`);
      ctx.set('Cache-Control', 'public, max-age=86400');
      send(ctx, DOCS_ASSETS[asset as keyof typeof DOCS_ASSETS], createReadStream(join(UI_DIR, asset)));
    });
  return router;
}
