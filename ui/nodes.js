/** Partitions and nodes: state, CPUs and memory in use, load; live from events or polling. */
import { h } from './dom.js';
import { minutes, mib } from './format.js';

const meter = (used, total, label) => (total ? h('span', { class: 'use' }, h('meter', { min: '0', max: String(total), value: String(used ?? 0), 'aria-label': label }), ` ${used ?? 0}/${total}`) : '');

export function render(container, app) {
  let drawn = -1;
  const partitions = h('tbody');
  const nodes = h('tbody');
  container.append(
    h('h1', { tabindex: '-1' }, 'Nodes and partitions'),
    h('h2', { id: 'parts-h' }, 'Partitions'),
    h('div', { class: 'table-wrap' }, h('table', { 'aria-labelledby': 'parts-h', id: 'partitions' },
      h('thead', {}, h('tr', {}, ['Partition', 'State', 'Nodes', 'CPUs', 'Max time', 'Jobs running', 'Jobs pending'].map((t) => h('th', { scope: 'col' }, t)))), partitions)),
    h('h2', { id: 'nodes-h' }, 'Nodes'),
    h('div', { class: 'table-wrap' }, h('table', { 'aria-labelledby': 'nodes-h', id: 'nodes' },
      h('thead', {}, h('tr', {}, ['Node', 'State', 'CPUs allocated', 'Load', 'Memory allocated', 'Partitions', 'Reason'].map((t) => h('th', { scope: 'col' }, t)))), nodes)),
  );

  function draw() {
    const version = app.resourcesVersion * 1e9 + app.jobs.version;
    if (drawn === version) return;
    drawn = version;
    const counts = new Map();
    for (const job of app.jobs.values()) {
      const c = counts.get(job.partition) ?? { RUNNING: 0, PENDING: 0 };
      if (job.state in c) c[job.state] += 1;
      counts.set(job.partition, c);
    }
    partitions.replaceChildren(...[...app.partitions.values()].map((p) => h('tr', {},
      h('th', { scope: 'row' }, p.name, p.default ? ' (default)' : ''), h('td', {}, p.state), h('td', {}, `${p.node_count} ${p.nodes ? `(${p.nodes})` : ''}`),
      h('td', {}, p.cpus_total ?? ''), h('td', {}, minutes(p.max_time)), h('td', {}, counts.get(p.name)?.RUNNING ?? 0), h('td', {}, counts.get(p.name)?.PENDING ?? 0))));
    nodes.replaceChildren(...[...app.nodes.values()].map((n) => h('tr', {},
      h('th', { scope: 'row' }, n.name),
      h('td', {}, [n.state, ...(n.state_flags ?? [])].join('+')),
      h('td', {}, meter(n.cpus?.allocated, n.cpus?.total, `CPUs allocated on ${n.name}`)),
      h('td', {}, n.cpu_load ?? ''),
      h('td', {}, n.memory_mib ? h('span', {}, h('meter', { min: '0', max: String(n.memory_mib.total), value: String(n.memory_mib.allocated ?? 0), 'aria-label': `Memory allocated on ${n.name}` }), ` ${mib(n.memory_mib.allocated)} of ${mib(n.memory_mib.total)}`) : ''),
      h('td', {}, (n.partitions ?? []).join(', ')),
      h('td', {}, n.reason ?? ''))));
    if (!app.nodes.size) nodes.append(h('tr', {}, h('td', { colspan: '7' }, 'Loading…')));
  }

  draw();
  return { update: draw, close() {} };
}
