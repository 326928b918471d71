/**
 * #15: the dashboard's files as the app serves them: the redirects to ui/, every file the page
 * and its modules load (found by reading them, not from a list kept here), their types and
 * Content-Security-Policy, 304 on a known ETag, nothing outside the allow-list, config.json,
 * and the same without a token under --auth=jwt. Also what the files may not contain: inline
 * scripts or styles, remote URLs, HTML sinks, eval.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { compose } from '../../src/compose.js';
import { createApp } from '../../src/app.js';
import { parseOptions, type GatewayOptions } from '../../src/options.js';
import { Authenticator } from '../../src/auth/jwt.js';
import { DASHBOARD_CSP, UI_DIR } from '../../src/http/dashboard.js';

if (!process.env.SLURM_CONF) {
  const dir = mkdtempSync(join(tmpdir(), 'sr-dashboard-'));
  writeFileSync(join(dir, 'slurm.conf'), '# stands in for a configuration: nothing here reaches Slurm\n');
  process.env.SLURM_CONF = join(dir, 'slurm.conf');
}

const gateway = compose(parseOptions(['--executor=external', '--application=coroutine', '--parallel=2', '--log-level=silent']) as GatewayOptions);
afterAll(() => gateway.dispatcher.close(0));
const none = createApp(gateway).callback();
const jwt = createApp({ ...gateway, runtime: { ...gateway.runtime, auth: 'jwt' }, authenticator: new Authenticator({ hs256Key: new Uint8Array(32).fill(7) }) }).callback();

/** Every file the page loads: index.html's src/href, then each module's static imports, transitively. */
function pageFiles(): string[] {
  const html = readFileSync(join(UI_DIR, 'index.html'), 'utf8');
  const files = new Set([...html.matchAll(/(?:src|href)="([^"#:]+)"/g)].map((m) => m[1]!));
  const queue = [...files].filter((f) => f.endsWith('.js'));
  while (queue.length) {
    const source = readFileSync(join(UI_DIR, queue.pop()!), 'utf8');
    for (const [, name] of source.matchAll(/^import [^;]*?from '\.\/([^']+)';$/gm)) {
      if (!files.has(name!)) { files.add(name!); queue.push(name!); }
    }
  }
  return [...files].sort();
}

describe('the dashboard\'s files', () => {
  it('/ and /ui redirect to ui/ (relative: the page keeps working under a proxy\'s prefix)', async () => {
    await request(none).get('/').expect(302).expect('Location', 'ui/');
    await request(none).get('/ui').expect(301).expect('Location', 'ui/');
  });

  it('serves the page with its CSP and security headers, and every file it loads with its type', async () => {
    const page = await request(none).get('/ui/').expect(200).expect('Content-Type', /^text\/html/);
    expect(page.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const files = pageFiles();
    expect(files).toEqual(expect.arrayContaining(['dashboard.css', 'main.js', 'sse.js', 'live.js', 'store.js', 'queue.js', 'job.js', 'output.js', 'nodes.js', 'history.js', 'submit.js']));
    for (const file of files) {
      const res = await request(none).get(`/ui/${file}`).buffer(true).expect(200);
      expect(res.headers['content-type']).toMatch(file.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(res.text ?? String(res.body)).toBe(readFileSync(join(UI_DIR, file), 'utf8'));
    }
    // Every file in ui/ the page does not load is a type declaration for the unit tests: nothing is dead.
    const loose = readdirSync(UI_DIR).filter((f) => f !== 'index.html' && !files.includes(f));
    expect(loose.every((f) => f.endsWith('.d.ts'))).toBe(true);
  });

  it('answers 304 to a known ETag, and 404 outside the allow-list', async () => {
    const first = await request(none).get('/ui/main.js').expect(200);
    await request(none).get('/ui/main.js').set('If-None-Match', first.headers.etag!).expect(304);
    for (const path of ['/ui/sse.d.ts', '/ui/..%2Fpackage.json', '/ui/nope.js', '/ui/index.html', '/ui/js/main.js', '/ui/.', '/uix/']) {
      const res = await request(none).get(path);
      expect([path, res.status]).toEqual([path, 404]);
    }
  });

  it('tells the page the auth mode, and serves it without a token under --auth=jwt while the API needs one', async () => {
    expect((await request(none).get('/ui/config.json').expect(200)).body).toEqual({ version: gateway.runtime.version, auth: 'none' });
    expect((await request(jwt).get('/ui/config.json').expect(200)).body).toMatchObject({ auth: 'jwt' });
    await request(jwt).get('/ui/').expect(200);
    await request(jwt).get('/ui/main.js').expect(200);
    await request(jwt).get('/').expect(302);
    await request(jwt).get('/v1/jobs').expect(401);
  });

  it('hold no inline script or style, no remote URL, no HTML sink and no eval (the CSP would refuse them; this says where)', () => {
    const html = readFileSync(join(UI_DIR, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=|<style/i);
    for (const file of pageFiles()) {
      const source = readFileSync(join(UI_DIR, file), 'utf8');
      expect([file, source.match(/https?:\/\/|innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\('style'|\.style\b/g)]).toEqual([file, null]);
    }
  });
});
