/**
 * The dashboard's entry: the shared state (jobs, nodes, partitions), the live feed, the token
 * field and the hash routes (#/, #/jobs/<id>, #/nodes, #/history, #/submit). Each view is a
 * module whose render(container, app) returns an object with update() (called when the state
 * changed) and close().
 */
import { api, apiEvents, apiUrl, authHeaders, getIfChanged, token } from './api.js';
import { runLive } from './live.js';
import { JobStore } from './store.js';
import { say } from './dom.js';
import * as queue from './queue.js';
import * as job from './job.js';
import * as nodes from './nodes.js';
import * as history from './history.js';
import * as submit from './submit.js';

const app = {
  config: { auth: 'none', version: '' },
  jobs: new JobStore(),
  nodes: new Map(),
  partitions: new Map(),
  /** Grows with every change of nodes or partitions. */
  resourcesVersion: 0,
  etags: {},
  /** 'events' or 'polling' once the live feed knows which the gateway offers. */
  mode: undefined,
  changed: () => scheduleUpdate(),
};

let view;
let liveAbort;
let frame = 0;

/** Redraws at most once a frame, however many events arrived. */
function scheduleUpdate() {
  if (frame) return;
  frame = requestAnimationFrame(() => { frame = 0; view?.update(); });
}

async function readList(path, field, apply) {
  const answer = await getIfChanged(path, app.etags[path]);
  if (!answer) return false;
  app.etags[path] = answer.etag;
  apply(answer.body[field]);
  return true;
}

/** Reads the lists again; unchanged ones answer 304 and cost nothing to apply. */
async function refresh() {
  const results = await Promise.allSettled([
    readList('jobs', 'jobs', (list) => app.jobs.replace(list)),
    readList('nodes', 'nodes', (list) => { app.nodes = new Map(list.map((n) => [n.name, n])); app.resourcesVersion += 1; }),
    readList('partitions', 'partitions', (list) => { app.partitions = new Map(list.map((p) => [p.name, p])); app.resourcesVersion += 1; }),
  ]);
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  scheduleUpdate();
}

function applyEvent(event) {
  if (event.type === 'node.state' && event.node) { app.nodes.set(event.name, event.node); app.resourcesVersion += 1; }
  else if (event.type === 'partition.changed' && event.partition) { app.partitions.set(event.name, event.partition); app.resourcesVersion += 1; }
  else if (!app.jobs.apply(event)) return;
  scheduleUpdate();
}

const live = document.getElementById('live');
function onMode(mode, detail) {
  if (mode === 'events' || mode === 'polling') app.mode = mode;
  if (mode === 'events') say(live, 'Live: following the gateway\'s event stream', 'ok');
  else if (mode === 'polling') say(live, `Live: checking for changes every ${Math.round(detail / 1000)} s`, 'ok');
  else if (mode === 'reconnecting') say(live, `Reconnecting to the event stream${detail ? ` (${detail})` : ''}…`, 'warn');
  else if (mode === 'connecting') say(live, 'Connecting…');
  else if (mode === 'unauthorized') say(live, 'Not signed in: enter a Slurm token above.', 'error');
  else if (mode === 'error') say(live, `Could not read the queue: ${detail?.message ?? detail}`, 'error');
}

function startLive() {
  liveAbort?.abort();
  liveAbort = new AbortController();
  app.etags = {};
  void runLive({ fetch: (...args) => fetch(...args), eventsUrl: apiUrl('events'), headers: () => authHeaders(), refresh, onEvent: applyEvent, onMode, signal: liveAbort.signal });
}

const ROUTES = [
  [/^#?\/?$/, () => [queue]],
  [/^#\/jobs\/(\d+(?:_\d+)?)$/, (m) => [job, m[1]]],
  [/^#\/nodes$/, () => [nodes]],
  [/^#\/history$/, () => [history]],
  [/^#\/submit$/, () => [submit]],
];

function route() {
  const hash = location.hash || '#/';
  let found;
  for (const [pattern, make] of ROUTES) {
    const match = pattern.exec(hash);
    if (match) { found = make(match); break; }
  }
  view?.close?.();
  const main = document.getElementById('view');
  main.replaceChildren();
  for (const link of document.querySelectorAll('nav a')) {
    if (link.getAttribute('href') === (found?.[0] === job ? '#/' : hash)) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  if (!found) { view = undefined; say(main, 'No such page.', 'error'); return; }
  const [module, argument] = found;
  view = module.render(main, app, argument);
  // Focus the new view's heading (screen readers announce it), except on first load.
  if (route.done) main.querySelector('h1')?.focus();
  route.done = true;
}

function setupToken() {
  const form = document.getElementById('token-form');
  const input = document.getElementById('token');
  const state = document.getElementById('token-state');
  const show = () => say(state, token.get() ? 'A token is set for this tab.' : 'No token: the API will answer 401.', token.get() ? 'ok' : 'warn');
  // Shown once the API asks for a token (or one is set): behind a proxy that adds the user's
  // Authorization (docs/deploy/dashboard-sso.md) the API never answers 401 and the field stays away.
  form.hidden = !(app.config.auth === 'jwt' && token.get());
  form.addEventListener('submit', (event) => { event.preventDefault(); token.set(input.value); input.value = ''; });
  document.getElementById('token-forget').addEventListener('click', () => token.set(''));
  apiEvents.addEventListener('token', () => { show(); startLive(); view?.update(true); });
  apiEvents.addEventListener('unauthorized', () => { form.hidden = false; show(); });
  show();
}

async function start() {
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    if (response.ok) app.config = await response.json();
  } catch { /* the defaults: --auth=none */ }
  setupToken();
  api('GET', 'cluster').then((c) => { document.getElementById('cluster').textContent = `· ${c.name ?? ''} · Slurm ${c.slurm_version ?? ''}`; }, () => {});
  window.addEventListener('hashchange', route);
  route();
  startLive();
}

void start();
