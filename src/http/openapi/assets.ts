/** The reference page's files, named in the document (./operations.ts) and served by ./serve.ts. */

/** swagger-ui-dist's files the page loads, and their types; nothing else is served from it. */
export const DOCS_ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
} as const;
