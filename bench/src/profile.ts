/** Summaries of `node --cpu-prof` profiles: top functions by self time, and self time by package. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Summary {
  file: string;
  totalMs: number;
  functions: { name: string; selfMs: number }[];
  packages: { name: string; selfMs: number }[];
}

/** node_modules/<pkg>, node:<internal>, the project's own dist/, or (program)/(garbage collector)/(idle). */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?([^/]+).*$/, 'node:$2');
  const own = /\/dist\/(.*)$/.exec(url);
  return own ? `gateway dist/${own[1]}` : url;
}

function top(map: Map<string, number>, n: number) {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, selfMs: us / 1000 }));
}

export function summarise(file: string, n = 25): Summary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const fns = new Map<string, number>();
  const pkgs = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    total += us;
    const where = frame.url ? ` ${frame.url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const pkg = packageOf(frame.url, frame.functionName);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  });
  return { file, totalMs: total / 1000, functions: top(fns, n), packages: top(pkgs, 15) };
}

export function summariseDir(dir: string): Summary[] {
  return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().map((f) => summarise(join(dir, f)));
}

export function renderSummaries(title: string, summaries: Summary[]): string {
  const out = [`# ${title}`, ''];
  for (const s of summaries) {
    const pct = (ms: number) => ((100 * ms) / (s.totalMs || 1)).toFixed(1);
    out.push(`## ${s.file.split('/').pop()} (${(s.totalMs / 1000).toFixed(1)} s sampled)`, '', '| self ms | % | package |', '| --: | --: | --- |');
    for (const p of s.packages) out.push(`| ${p.selfMs.toFixed(0)} | ${pct(p.selfMs)} | ${p.name} |`);
    out.push('', '| self ms | % | function |', '| --: | --: | --- |');
    for (const fn of s.functions) out.push(`| ${fn.selfMs.toFixed(0)} | ${pct(fn.selfMs)} | \`${fn.name.replace(/\|/g, '\\|')}\` |`);
    out.push('');
  }
  return out.join('\n');
}
