/**
 * The queue: filters, search, sort and pages over the dashboard's copy of the job list. Only the
 * current page is in the DOM (100 rows by default), so 10,000 jobs cost a filter and a sort in
 * JavaScript per change (a few ms), not 10,000 table rows. Each redraw is timed with the User
 * Timing API ("sr:queue"), which the browser test reads.
 */
import { h, select } from './dom.js';
import { queryJobs, distinct } from './store.js';
import { time, minutes } from './format.js';

const COLUMNS = [
  ['job_id', 'ID', ''],
  ['name', 'Name', ''],
  ['user', 'User', ''],
  ['partition', 'Partition', 'wide'],
  ['state', 'State', ''],
  ['submit_time', 'Submitted', 'wide'],
  ['time_limit', 'Time limit', 'wide'],
  ['nodes', 'Nodes or reason', 'wide'],
];
const STATES = ['PENDING', 'RUNNING', 'SUSPENDED', 'COMPLETING', 'COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED'];
const SIZES = ['50', '100', '250'];

/** Kept across visits to the queue (not across reloads). */
const query = { state: '', user: '', partition: '', search: '', sort: 'job_id', descending: true, page: 0, pageSize: 100 };

export const stateBadge = (state) => h('span', { class: `state state-${String(state).toLowerCase()}` }, state);

export function render(container, app) {
  let drawn = -1;
  let searchTimer;
  const filters = { user: h('span'), partition: h('span') };
  const status = h('p', { id: 'queue-count', role: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const headRow = h('tr');
  const previous = h('button', { type: 'button', onclick: () => { query.page -= 1; draw(true); } }, 'Previous page');
  const next = h('button', { type: 'button', onclick: () => { query.page += 1; draw(true); } }, 'Next page');
  const pageLabel = h('span');
  const pager = h('div', { class: 'pager' }, previous, pageLabel, next);
  const search = h('input', { id: 'q-search', type: 'search', value: query.search, placeholder: 'id, name, user, node…', autocomplete: 'off',
    oninput: () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => { query.search = search.value; query.page = 0; draw(true); }, 120); } });
  const choose = (key) => (event) => { query[key] = event.target.value; query.page = 0; draw(true); };

  container.append(
    h('h1', { tabindex: '-1' }, 'Queue'),
    h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the queue', onsubmit: (e) => e.preventDefault() },
      h('div', {}, h('label', { for: 'q-search' }, 'Search'), search),
      h('div', {}, h('label', { for: 'q-state' }, 'State'), select('q-state', [['', 'any'], ...STATES.map((s) => [s, s])], query.state, choose('state'))),
      h('div', {}, h('label', { for: 'q-user' }, 'User'), filters.user),
      h('div', {}, h('label', { for: 'q-partition' }, 'Partition'), filters.partition),
      h('div', {}, h('label', { for: 'q-size' }, 'Rows per page'), select('q-size', SIZES.map((s) => [s, s]), String(query.pageSize), (e) => { query.pageSize = Number(e.target.value); query.page = 0; draw(true); }))),
    status,
    h('div', { class: 'table-wrap' }, h('table', { id: 'queue' }, h('caption', { class: 'visually-hidden' }, 'Jobs, one page'), h('thead', {}, headRow), tbody)),
    pager,
  );

  // Built once and updated in place, so a sort button keeps keyboard focus after its click.
  const arrows = {};
  headRow.append(...COLUMNS.map(([key, label, wide]) => {
    arrows[key] = h('span', { 'aria-hidden': 'true' });
    return h('th', { scope: 'col', class: wide, 'data-key': key },
      h('button', { type: 'button', class: 'sort', onclick: () => { query.descending = query.sort === key ? !query.descending : false; query.sort = key; query.page = 0; draw(true); } },
        label, arrows[key]));
  }));
  function header() {
    for (const th of headRow.children) {
      const key = th.dataset.key;
      const sorted = query.sort === key;
      if (sorted) th.setAttribute('aria-sort', query.descending ? 'descending' : 'ascending'); else th.removeAttribute('aria-sort');
      arrows[key].textContent = sorted ? (query.descending ? ' ▼' : ' ▲') : '';
    }
  }

  function filterOptions(jobs) {
    for (const key of ['user', 'partition']) {
      const values = distinct(jobs, key);
      if (query[key] && !values.includes(query[key])) values.push(query[key]);
      const current = filters[key].firstChild;
      const same = current && current.options.length === values.length + 1 && values.every((v, i) => current.options[i + 1].value === v);
      if (!same) filters[key].replaceChildren(select(`q-${key}`, [['', 'any'], ...values.map((v) => [v, v])], query[key], choose(key)));
    }
  }

  function row(job) {
    return h('tr', { 'data-job': job.job_id },
      h('td', {}, h('a', { href: `#/jobs/${job.job_id}` }, job.job_id)),
      h('td', { class: 'name' }, job.name),
      h('td', {}, job.user),
      h('td', { class: 'wide' }, job.partition),
      h('td', {}, stateBadge(job.state)),
      h('td', { class: 'wide' }, time(job.submit_time)),
      h('td', { class: 'wide' }, minutes(job.time_limit)),
      h('td', { class: 'wide' }, job.state === 'PENDING' ? `(${job.reason ?? ''})` : job.nodes ?? ''));
  }

  function draw(force = false) {
    if (!force && drawn === app.jobs.version) return;
    performance.mark('sr:queue-start');
    drawn = app.jobs.version;
    const jobs = app.jobs.values();
    const result = queryJobs(jobs, query);
    query.page = result.page;
    // Keep keyboard focus on the same job's link across a redraw.
    const focused = document.activeElement?.closest?.('tr[data-job]')?.dataset.job;
    header();
    filterOptions(jobs);
    tbody.replaceChildren(...result.rows.map(row));
    if (result.rows.length === 0) tbody.append(h('tr', {}, h('td', { colspan: String(COLUMNS.length) }, jobs.length ? 'No job matches these filters.' : 'The queue is empty.')));
    if (focused) tbody.querySelector(`tr[data-job="${CSS.escape(focused)}"] a`)?.focus();
    const first = result.total ? result.page * query.pageSize + 1 : 0;
    status.textContent = `${result.total.toLocaleString('en')} of ${jobs.length.toLocaleString('en')} jobs; showing ${first}-${first + result.rows.length - (result.total ? 1 : 0)}`;
    previous.disabled = result.page === 0;
    next.disabled = result.page >= result.pages - 1;
    pageLabel.textContent = `Page ${result.page + 1} of ${result.pages}`;
    performance.measure('sr:queue', 'sr:queue-start');
  }

  draw(true);
  return { update: () => draw(), close: () => clearTimeout(searchTimer) };
}
