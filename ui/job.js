/**
 * One job: its fields (live from the shared job list), cancel / hold / release, its output
 * (followed while it runs), its steps, and its accounting record once it has ended.
 */
import { h, say } from './dom.js';
import { api } from './api.js';
import { isFinished } from './store.js';
import { followOutput } from './output.js';
import { stateBadge } from './queue.js';
import { time, minutes, seconds, bytes } from './format.js';

const FIELDS = [
  ['state', 'State', (j) => stateBadge(j.state)], ['reason', 'Reason'], ['user', 'User'], ['account', 'Account'], ['partition', 'Partition'], ['qos', 'QOS'],
  ['submit_time', 'Submitted', (j) => time(j.submit_time)], ['start_time', 'Started', (j) => time(j.start_time)], ['end_time', 'Ended', (j) => time(j.end_time)],
  ['time_limit', 'Time limit', (j) => minutes(j.time_limit)], ['nodes', 'Nodes'], ['cpus', 'CPUs'], ['exit_code', 'Exit code'], ['dependency', 'Dependency'],
  ['working_directory', 'Working directory'], ['stdout_path', 'Output file'], ['stderr_path', 'Error file'], ['source', 'Read from'],
];
const HELD = ['JobHeldUser', 'JobHeldAdmin'];

export function render(container, app, id) {
  const abort = new AbortController();
  let job = app.jobs.get(id);
  let drawnState;
  const title = h('h1', { tabindex: '-1' }, `Job ${id}`);
  const fields = h('dl', { class: 'fields' });
  const message = h('p', { role: 'status', 'aria-live': 'polite', class: 'message' });
  const buttons = {
    cancel: h('button', { type: 'button', class: 'danger', onclick: () => act('cancel') }, 'Cancel job'),
    hold: h('button', { type: 'button', onclick: () => act('hold') }, 'Hold'),
    release: h('button', { type: 'button', onclick: () => act('release') }, 'Release'),
  };
  const outputState = h('span', { class: 'hint', role: 'status' });
  const pre = h('pre', { id: 'output', tabindex: '0', 'aria-label': `Output of job ${id}` });
  const follow = h('input', { type: 'checkbox', id: 'output-scroll', checked: true });
  const streamButtons = ['stdout', 'stderr'].map((stream) => h('button', { type: 'button', 'aria-pressed': String(stream === 'stdout'), onclick: () => showStream(stream) }, stream));
  const steps = h('div');
  const accounting = h('div');
  let outputAbort;

  container.append(
    h('p', {}, h('a', { href: '#/' }, '← Queue')),
    title,
    h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' }, buttons.cancel, buttons.hold, buttons.release),
    message,
    fields,
    h('section', { 'aria-labelledby': 'output-h' },
      h('h2', { id: 'output-h' }, 'Output'),
      h('div', { class: 'output-bar' }, h('span', { role: 'group', 'aria-label': 'Stream' }, streamButtons), ' ', outputState, ' ',
        h('span', {}, follow, h('label', { for: 'output-scroll' }, 'Keep scrolled to the end'))),
      pre),
    h('section', { 'aria-labelledby': 'steps-h' }, h('h2', { id: 'steps-h' }, 'Steps'), steps),
    h('section', { 'aria-labelledby': 'acct-h' }, h('h2', { id: 'acct-h' }, 'Accounting'), accounting),
  );
  pre.addEventListener('output', () => { if (follow.checked) pre.scrollTop = pre.scrollHeight; });

  async function act(action) {
    if (action === 'cancel' && !confirm(`Cancel job ${id}?`)) return;
    for (const b of Object.values(buttons)) b.disabled = true;
    say(message, `${action}: sending…`);
    try {
      if (action === 'cancel') await api('DELETE', `jobs/${id}`);
      else await api('POST', `jobs/${id}/${action}`);
      say(message, `${action === 'cancel' ? 'Cancel' : action === 'hold' ? 'Hold' : 'Release'} requested; the state below follows.`, 'ok');
      job = await api('GET', `jobs/${id}`); // shown at once, whether or not events are flowing
      if (job.source === 'controller' && job.job_id === Number(id)) app.jobs.upsert(job);
      draw(true);
    } catch (error) {
      say(message, `${action} failed: ${error.message}`, 'error');
      draw(true);
    }
  }

  function draw(force = false) {
    job = app.jobs.get(id) ?? job;
    if (!job) { fields.replaceChildren(h('dt', {}, 'State'), h('dd', {}, 'Loading…')); return; }
    if (!force && drawnState === JSON.stringify(job)) return;
    drawnState = JSON.stringify(job);
    title.replaceChildren(`Job ${id}`, job.name ? ' · ' : '', h('span', { class: 'name' }, job.name ?? ''));
    fields.replaceChildren(...FIELDS.filter(([key]) => job[key] !== null && job[key] !== undefined && job[key] !== '')
      .flatMap(([key, label, show]) => [h('dt', {}, label), h('dd', {}, show ? show(job) : String(job[key]))]));
    const ended = isFinished(job);
    buttons.cancel.disabled = ended;
    buttons.hold.disabled = job.state !== 'PENDING' || HELD.includes(job.reason);
    buttons.release.disabled = !(job.state === 'PENDING' && HELD.includes(job.reason));
    loadSteps();
    if (ended) loadAccounting();
  }

  async function loadSteps() {
    try {
      const { steps: list } = await api('GET', `jobs/${id}/steps`, { signal: abort.signal });
      steps.replaceChildren(list.length === 0 ? h('p', {}, 'No steps yet.') : h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, ['Step', 'Name', 'State', 'Exit', 'Started', 'Elapsed', 'Nodes', 'Max RSS'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, list.map((s) => h('tr', {}, h('td', {}, s.step_id), h('td', {}, s.name), h('td', {}, stateBadge(s.state)), h('td', {}, s.exit_code ?? ''),
          h('td', {}, time(s.start_time)), h('td', {}, seconds(s.elapsed)), h('td', {}, s.nodes ?? ''), h('td', {}, bytes(s.max_rss))))))));
    } catch (error) {
      if (!abort.signal.aborted) say(steps, `Steps not available: ${error.message}`, 'warn');
    }
  }

  let accountingLoaded = false;
  async function loadAccounting() {
    if (accountingLoaded) return;
    accountingLoaded = true;
    try {
      const { jobs } = await api('GET', 'history', { query: { job_id: id, start: job.submit_time ?? '-1d' }, signal: abort.signal });
      const record = jobs[0];
      if (!record) {
        say(accounting, 'Not in accounting yet (slurmdbd shows an end a few seconds late).');
        setTimeout(() => { accountingLoaded = false; if (!abort.signal.aborted) loadAccounting(); }, 10_000);
        return;
      }
      const rows = [['Elapsed', seconds(record.elapsed)], ['CPU time', seconds(record.total_cpu)], ['Max RSS', bytes(record.max_rss)],
        ['Exit code', record.exit_code], ['Derived exit code', record.derived_exit_code], ['Cluster', record.cluster]];
      accounting.replaceChildren(h('dl', { class: 'fields' }, rows.filter(([, v]) => v !== null && v !== undefined && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])));
    } catch (error) {
      if (!abort.signal.aborted) say(accounting, `Accounting not available: ${error.message}`, 'warn');
    }
  }

  function showStream(stream) {
    outputAbort?.abort();
    outputAbort = new AbortController();
    abort.signal.addEventListener('abort', () => outputAbort.abort(), { once: true });
    for (const b of streamButtons) b.setAttribute('aria-pressed', String(b.textContent === stream));
    pre.replaceChildren();
    pre.setAttribute('aria-label', `${stream} of job ${id}`);
    void followOutput({ jobId: id, stream, pre, live: app.mode !== 'polling', ended: () => { const j = app.jobs.get(id) ?? job; return j ? isFinished(j) : false; },
      onState: (text) => { outputState.textContent = `(${text})`; }, signal: outputAbort.signal });
  }

  draw(true);
  if (!job) api('GET', `jobs/${id}`, { signal: abort.signal }).then((j) => { job = j; draw(true); }, (e) => say(message, e.message, 'error'));
  showStream('stdout');
  return { update: (force) => draw(force === true), close: () => abort.abort() };
}
