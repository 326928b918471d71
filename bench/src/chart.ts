/** bench/results/rps.svg: requests per second by mode, one panel per workload and concurrency (vega-lite -> SVG). */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { JWT_SUFFIX, WORKLOAD_TITLES } from './modes.js';
import type { BenchResults } from './results.js';

export function chartSpec(results: BenchResults): TopLevelSpec {
  const order = results.systems.filter((s) => s.available).map((s) => s.mode);
  const values = results.runs.map((r) => ({
    mode: r.mode,
    system: r.mode === 'slurmrestd' ? 'slurmrestd' : `gateway, ${r.mode.split(':')[0]} executor${r.mode.endsWith(JWT_SUFFIX) ? ', --auth=jwt' : ''}`,
    workload: WORKLOAD_TITLES[r.workload].replace(/ \(.*\)$/, ''),
    connections: `${r.connections} connection${r.connections === 1 ? '' : 's'}`,
    rps: Math.max(r.rps, 0.1),
    label: `${r.rps >= 100 ? r.rps.toFixed(0) : r.rps.toFixed(1)}${r.errors ? ' !' : ''}`,
    outcome: r.errors ? 'with errors' : 'no errors',
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Requests per second by mode (${results.jobs} jobs queued, ${results.durationS} s per run)`, subtitle: 'log scale; higher is better; pale bars marked ! had non-2xx answers or errors' },
    data: { values },
    facet: {
      row: { field: 'workload', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top', labelFontWeight: 'bold' } },
      column: { field: 'connections', type: 'ordinal', title: null, sort: results.connections.map((c) => `${c} connection${c === 1 ? '' : 's'}`) },
    },
    spec: {
      width: 260,
      height: 180,
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'mode', type: 'nominal', sort: order, title: null, axis: { labelAngle: -45 } },
            // stack: null, or the bar's baseline puts zero into the log scale's domain.
            y: { field: 'rps', type: 'quantitative', scale: { type: 'log' }, stack: null, title: 'requests/s' },
            opacity: { field: 'outcome', type: 'ordinal', legend: null, scale: { domain: ['no errors', 'with errors'], range: [1, 0.35] } },
            color: { field: 'system', type: 'nominal', title: null, scale: { range: ['#d62728', '#1f77b4', '#2ca02c', '#aec7e8', '#98df8a'], domain: ['slurmrestd', 'gateway, internal executor', 'gateway, external executor', 'gateway, internal executor, --auth=jwt', 'gateway, external executor, --auth=jwt'] } },
          },
        },
        {
          mark: { type: 'text', dy: -6, fontSize: 9 },
          encoding: {
            x: { field: 'mode', type: 'nominal', sort: order },
            y: { field: 'rps', type: 'quantitative', scale: { type: 'log' }, stack: null },
            text: { field: 'label', type: 'nominal' },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
    config: { legend: { orient: 'top', labelLimit: 300 } },
  };
}

export async function renderChart(results: BenchResults): Promise<string> {
  const view = new vega.View(vega.parse(compile(chartSpec(results)).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
