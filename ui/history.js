/** Jobs that ended (GET /v1/history): a window, filters, and pages by next_cursor. */
import { h, select, say } from './dom.js';
import { api } from './api.js';
import { stateBadge } from './queue.js';
import { time, seconds } from './format.js';

const WINDOWS = [['-1h', 'last hour'], ['-24h', 'last 24 hours'], ['-7d', 'last 7 days']];
const ENDED = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'DEADLINE', 'BOOT_FAIL'];

export function render(container, app) {
  const abort = new AbortController();
  const query = { start: '-24h', state: '', user: '' };
  const tbody = h('tbody');
  const message = h('p', { role: 'status', 'aria-live': 'polite', class: 'message' });
  const more = h('button', { type: 'button', hidden: true, onclick: () => load(cursor) }, 'Load more');
  const user = h('input', { id: 'h-user', type: 'text', autocomplete: 'off', spellcheck: 'false' });
  let cursor = null;
  container.append(
    h('h1', { tabindex: '-1' }, 'History'),
    h('form', { class: 'filters', 'aria-label': 'Filter the history', onsubmit: (e) => { e.preventDefault(); query.user = user.value.trim(); load(); } },
      h('div', {}, h('label', { for: 'h-start' }, 'Ended in the'), select('h-start', WINDOWS, query.start, (e) => { query.start = e.target.value; load(); })),
      h('div', {}, h('label', { for: 'h-state' }, 'State'), select('h-state', [['', 'any'], ...ENDED.map((s) => [s, s])], '', (e) => { query.state = e.target.value; load(); })),
      h('div', {}, h('label', { for: 'h-user' }, 'User'), user),
      h('div', {}, h('button', { type: 'submit' }, 'Apply'))),
    message,
    h('div', { class: 'table-wrap' }, h('table', { id: 'history' }, h('caption', { class: 'visually-hidden' }, 'Ended jobs, most recent first'),
      h('thead', {}, h('tr', {}, ['ID', 'Name', 'User', 'State', 'Exit', 'Ended', 'Elapsed', 'Nodes'].map((t) => h('th', { scope: 'col' }, t)))), tbody)),
    more,
  );

  async function load(from) {
    if (!from) tbody.replaceChildren();
    say(message, 'Loading…');
    try {
      const page = await api('GET', 'history', { query: from ? { cursor: from, user: query.user, state: query.state, limit: 100 } : { ...query, limit: 100 }, signal: abort.signal });
      tbody.append(...page.jobs.map((j) => h('tr', {}, h('td', {}, h('a', { href: `#/jobs/${j.job_id}` }, j.job_id)), h('td', { class: 'name' }, j.name), h('td', {}, j.user),
        h('td', {}, stateBadge(j.state)), h('td', {}, j.exit_code ?? ''), h('td', {}, time(j.end_time)), h('td', {}, seconds(j.elapsed)), h('td', {}, j.nodes ?? ''))));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      say(message, `${tbody.children.length} jobs ended between ${time(page.window.start)} and ${time(page.window.end)}${cursor ? ' (more below)' : ''}.`);
    } catch (error) {
      if (!abort.signal.aborted) say(message, `History not available: ${error.message}`, 'warn');
    }
  }

  load();
  return { update: (force) => { if (force === true) load(); }, close: () => abort.abort() };
}
