/**
 * #15: the dashboard in a real browser (Debian's chromium, driven by playwright-core) against the
 * real gateway on the private cluster: a job submitted through the API appears and changes state
 * without a reload, its output is followed, another job is cancelled with its button, the page
 * works by keyboard and on a phone-sized window, under --auth=jwt with a token typed into it, and
 * 10,000 jobs (served by the test in place of the gateway's list) are measured. Screenshots go to
 * .test-output/ (git-ignored), or to docs/ with SR_SCREENSHOTS=docs (the README shows docs/dashboard.png).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, startGateway, type Gateway } from '../support/gateway.js';
import { availableExecutors } from '../support/executors.js';
import { FINISHED, uniqueName, waitForJob } from '../support/slurm.js';
import { startServiceGateway, token, ensureAssociations } from '../support/identity.js';

/** Debian's chromium (scripts/cluster.sh install puts it there); SR_CHROMIUM names another. */
const CHROMIUM = process.env.SR_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.SR_SCREENSHOTS === 'docs' ? join(ROOT, 'docs') : join(ROOT, '.test-output');
const executor = availableExecutors().includes('internal') ? 'internal' : 'external';

let gateway: Gateway;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];
/** The job the cancel test made, which the keyboard test finds by its name. */
let cancelled: { id: number; name: string };

/** Every page error and CSP refusal fails the test that caused it (watched on every page). */
function watch(p: Page): Page {
  p.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  p.on('console', (message) => { if (/Content.Security.Policy|Trusted Type/i.test(message.text())) problems.push(`console: ${message.text()}`); });
  return p;
}

/** Jobs the tests submitted: afterAll cancels those a failed test left queued. */
const submitted: number[] = [];

async function api(method: string, path: string, body?: object): Promise<any> {
  const res = await fetch(`${gateway.url}${path}`, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body && JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  const answer = text ? JSON.parse(text) : null;
  if (method === 'POST' && path === '/v1/jobs') submitted.push(answer.job_id);
  return answer;
}

// The functions given to page.evaluate run in the page; these names are the page's (this file is
// type-checked with Node's types, not the DOM's, like the rest of the project).
declare const window: any, document: any, location: any, sessionStorage: any, localStorage: any, getComputedStyle: any;

const row = (p: Page, id: number) => p.locator(`#queue tbody tr[data-job="${id}"]`);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: the dashboard's browser test needs Debian's chromium package (bash scripts/cluster.sh install installs it; or apt-get install chromium), or SR_CHROMIUM=<path to a Chromium>`);
  }
  mkdirSync(SHOTS, { recursive: true });
  gateway = await startGateway([`--executor=${executor}`, '--application=thread', '--parallel=2']);
  // --no-sandbox only here: CI runs the tests as root, and Chromium refuses to start its sandbox as root.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  page = watch(await context.newPage());
}, 60_000);

afterAll(async () => {
  for (const id of submitted) await fetch(`${gateway.url}/v1/jobs/${id}`, { method: 'DELETE' }).catch(() => undefined); // 409 when it ended: fine
  await browser?.close();
  await gateway?.stop();
});

afterEach(() => { expect(problems.splice(0)).toEqual([]); });

describe('the dashboard in Chromium', () => {
  it('opens at /, lands on ui/ with the queue, and says how it gets updates', async () => {
    const answer = await page.goto(`${gateway.url}/`);
    expect(page.url()).toBe(`${gateway.url}/ui/`);
    expect(answer!.headers()['content-security-policy']).toMatch(/script-src 'self'; style-src 'self';.*require-trusted-types-for 'script'/);
    await page.locator('#queue-count').waitFor();
    // The event stream answers once its feed has polled the scheduler: wait for the page to say so.
    await page.locator('#live', { hasText: /^Live: / }).waitFor({ timeout: 20_000 });
    await expect(page.locator('#live').textContent()).resolves.toBe("Live: following the gateway's event stream");
    await page.evaluate(() => { window.srNotReloaded = true; });
  });

  it('shows a job submitted through the API, its name as text, its state changing without a reload, and follows its output', async () => {
    const name = `<img src=x onerror="window.srPwned=1">${uniqueName('watch')}`;
    // The job writes its first line, then waits for the test to create \`go\` (at most 90 s): the
    // page must show that line while the job still runs, however slow the machine is.
    const go = join(mkdtempSync(join(tmpdir(), 'sr-dashboard-')), 'go');
    chmodSync(dirname(go), 0o755);
    const script = `#!/bin/bash\necho "line 1"\nfor i in $(seq 900); do [ -e ${go} ] && break; sleep 0.1; done\necho "line 2"\necho finished\n`;
    const { job_id: id } = await api('POST', '/v1/jobs', { script, name, time_limit: 2, hold: true });
    await row(page, id).locator('td', { hasText: 'PENDING' }).waitFor({ timeout: 20_000 });
    await expect(row(page, id).locator('td.name').textContent()).resolves.toBe(name);
    expect(await page.locator('#queue img').count()).toBe(0);
    await api('POST', `/v1/jobs/${id}/release`);
    await row(page, id).locator('td', { hasText: 'RUNNING' }).waitFor({ timeout: 30_000 });

    await row(page, id).getByRole('link').click();
    await expect(page.locator('h1').textContent()).resolves.toBe(`Job ${id} · ${name}`);
    const output = page.locator('#output');
    await output.filter({ hasText: 'line 1' }).waitFor({ timeout: 30_000 });
    expect(await output.textContent()).toBe('line 1\n'); // followed while it runs, not read once at the end
    writeFileSync(go, '');
    await output.filter({ hasText: 'finished' }).waitFor({ timeout: 40_000 });
    expect(await output.textContent()).toBe('line 1\nline 2\nfinished\n');
    await page.locator('dl.fields dd', { hasText: 'COMPLETED' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, 'dashboard-job.png'), fullPage: true });
    expect(await page.evaluate(() => ({ notReloaded: window.srNotReloaded, pwned: window.srPwned }))).toEqual({ notReloaded: true, pwned: undefined });
  }, 120_000);

  it('cancels another job with its button', async () => {
    const name = uniqueName('cancel-me');
    const { job_id: id } = await api('POST', '/v1/jobs', { script: '#!/bin/bash\nsleep 300\n', name, time_limit: 5, hold: true });
    cancelled = { id, name };
    await page.evaluate((jobId) => { location.hash = `#/jobs/${jobId}`; }, id);
    const cancel = page.getByRole('button', { name: 'Cancel job' });
    await page.locator('dl.fields dd', { hasText: 'PENDING' }).waitFor({ timeout: 20_000 });
    page.once('dialog', (dialog) => { expect(dialog.message()).toBe(`Cancel job ${id}?`); void dialog.accept(); });
    await cancel.click();
    await page.locator('dl.fields dd', { hasText: 'CANCELLED' }).waitFor({ timeout: 20_000 });
    await expect(cancel.isDisabled()).resolves.toBe(true);
    expect((await waitForJob(gateway.url, id, (job) => FINISHED.includes(job.state))).state).toBe('CANCELLED');
    expect(await page.evaluate(() => window.srNotReloaded)).toBe(true);

    await page.evaluate(() => { location.hash = '#/'; });
    await row(page, id).locator('td', { hasText: 'CANCELLED' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, 'dashboard.png') });
  }, 60_000);

  it('works by keyboard: skip link first, every control labelled, focus visible, a job opened with Enter', async () => {
    const keyboard = watch(await context.newPage());
    await keyboard.goto(`${gateway.url}/ui/#/`);
    await keyboard.locator('#queue-count').waitFor();
    await keyboard.keyboard.press('Tab');
    expect(await keyboard.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    for (let i = 0; i < 30 && await keyboard.evaluate(() => document.activeElement?.id) !== 'q-search'; i += 1) await keyboard.keyboard.press('Tab');
    expect(await keyboard.evaluate(() => ({ id: document.activeElement?.id, outline: getComputedStyle(document.activeElement!).outlineStyle }))).toEqual({ id: 'q-search', outline: 'solid' });
    const first = cancelled.id;
    await keyboard.keyboard.type(cancelled.name);
    await keyboard.locator('#queue-count', { hasText: /^1 of / }).waitFor();
    for (let i = 0; i < 30 && !(await keyboard.evaluate(() => document.activeElement?.closest('tbody') !== null)); i += 1) await keyboard.keyboard.press('Tab');
    await keyboard.keyboard.press('Enter');
    await keyboard.waitForURL(`**/ui/#/jobs/${first}`);
    for (const view of ['#/', '#/nodes', '#/history', '#/submit', `#/jobs/${first}`]) {
      await keyboard.evaluate((hash) => { location.hash = hash; }, view);
      await keyboard.locator('main h1').waitFor();
      const unlabelled = await keyboard.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
        .filter((e: any) => (e as { labels?: { length: number } }).labels?.length === 0 && !e.getAttribute('aria-label') && !e.closest('[hidden]')).map((e: any) => e.outerHTML));
      expect([view, unlabelled]).toEqual([view, []]);
    }
    await keyboard.close();
  }, 60_000);

  it('fits a phone-sized window: no sideways scrolling, the navigation reachable, the queue and a job readable', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const p = watch(await phone.newPage());
    await p.goto(`${gateway.url}/ui/#/`);
    await p.locator('#queue tbody tr').first().waitFor();
    const overflow = () => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    for (const name of ['Queue', 'Nodes', 'History', 'Submit']) await expect(p.getByRole('link', { name, exact: true }).isVisible()).resolves.toBe(true);
    await p.screenshot({ path: join(SHOTS, 'dashboard-phone.png') });
    await p.locator('#queue tbody tr a').first().tap();
    await p.locator('#output').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await phone.close();
  }, 60_000);

  it('stays responsive on 10,000 jobs: one page in the DOM, search, sort and filter timed (printed, not asserted)', async () => {
    const states = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
    const jobs = Array.from({ length: 10_000 }, (_, i) => ({
      job_id: 500_000 + i, array_job_id: null, array_task_id: null, name: `bulk-${(i * 7919) % 10_000}`, user: ['alice', 'bob', 'carol'][i % 3], account: 'root',
      partition: i % 4 ? 'debug' : 'long', qos: 'normal', state: states[i % 5], reason: i % 5 ? 'None' : 'Priority', priority: 1,
      submit_time: new Date(Date.UTC(2026, 11, 1) + i * 1000).toISOString(), start_time: null, end_time: null, time_limit: (i % 60) + 1,
      nodes: i % 5 === 1 ? 'vm' : null, node_count: 1, cpus: 1, exit_code: 0, working_directory: '/home/alice', stdout_path: null, stderr_path: null,
    }));
    const body = JSON.stringify({ jobs });
    const bulk = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    // The gateway's job list and event stream are replaced by the test's; the files and the other lists are real.
    await bulk.route(/\/v1\/events/, (route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"not_found","message":"test"}}' }));
    await bulk.route(/\/v1\/jobs(\?|$)/, (route) => (route.request().headers()['if-none-match'] === '"bulk"'
      ? route.fulfill({ status: 304, headers: { ETag: '"bulk"' } })
      : route.fulfill({ status: 200, contentType: 'application/json', headers: { ETag: '"bulk"' }, body })));
    const p = watch(await bulk.newPage());
    const started = Date.now();
    await p.goto(`${gateway.url}/ui/#/`);
    await p.locator('#queue-count', { hasText: '10,000 of 10,000 jobs' }).waitFor({ timeout: 30_000 });
    const firstShown = Date.now() - started;
    expect(await p.locator('#queue tbody tr').count()).toBe(100);
    const measures = () => p.evaluate(() => performance.getEntriesByName('sr:queue').map((e: { duration: number }) => e.duration));
    const last = async () => (await measures()).at(-1)!;
    const figures: Record<string, number> = { 'first draw of the 10,000': await last() };

    await p.fill('#q-search', 'bulk-4242');
    await p.locator('#queue-count', { hasText: /^1 of 10,000 jobs/ }).waitFor();
    figures['search "bulk-4242"'] = await last();
    expect(await p.locator('#queue tbody td.name').allTextContents()).toEqual(['bulk-4242']);
    await p.fill('#q-search', '');
    await p.locator('#queue-count', { hasText: /^10,000 of 10,000 jobs/ }).waitFor();
    await p.getByRole('button', { name: /^Name/ }).click();
    await p.locator('th[aria-sort="ascending"]', { hasText: 'Name' }).waitFor();
    figures['sort by name'] = await last();
    expect(await p.locator('#queue tbody td.name').first().textContent()).toBe('bulk-0');
    await p.selectOption('#q-state', 'RUNNING');
    await p.locator('#queue-count', { hasText: /^2,000 of 10,000 jobs/ }).waitFor();
    figures['filter state=RUNNING'] = await last();
    await p.getByRole('button', { name: 'Next page' }).click();
    await p.locator('.pager', { hasText: 'Page 2 of 20' }).waitFor();
    figures['next page'] = await last();
    expect(await p.locator('#queue tbody tr').count()).toBe(100);
    console.log(`dashboard, 10,000 jobs in Chromium: list shown ${firstShown} ms after navigation (3 MB of JSON); redraws (filter + sort + one page of rows): ${Object.entries(figures).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}`);
    await bulk.close();
  }, 60_000);

  it('under --auth=jwt asks for a token, keeps it in sessionStorage for the tab, and sends it as Authorization: Bearer', async () => {
    ensureAssociations();
    const secured = await startServiceGateway(executor, 'coroutine');
    const tabs = await browser.newContext();
    try {
      const p = watch(await tabs.newPage());
      const authorizations = new Set<string>();
      p.on('request', (r) => { if (r.url().includes('/v1/jobs')) authorizations.add(r.headers().authorization ?? 'none'); });
      await p.goto(`${secured.url}/`);
      await p.locator('#live', { hasText: 'Not signed in' }).waitFor({ timeout: 20_000 });
      await expect(p.getByLabel('Slurm token').isVisible()).resolves.toBe(true);
      const alice = await token('alice');
      await p.getByLabel('Slurm token').fill(alice);
      await p.getByRole('button', { name: 'Use token' }).click();
      await p.locator('#queue-count').waitFor({ timeout: 20_000 });
      await p.locator('#live', { hasText: /^Live: / }).waitFor();
      expect(await p.evaluate(() => ({ session: sessionStorage.getItem('scheduler-rest.token'), local: localStorage.length }))).toEqual({ session: alice, local: 0 });
      expect(await p.getByLabel('Slurm token').inputValue()).toBe('');
      expect([...authorizations]).toContain(`Bearer ${alice}`);
      await p.getByRole('button', { name: 'Forget' }).click();
      expect(await p.evaluate(() => sessionStorage.getItem('scheduler-rest.token'))).toBeNull();
    } finally {
      await tabs.close();
      await secured.stop();
    }
  }, 60_000);
});
