/**
 * What a server costs while a load runs: peak resident memory (VmRSS every 100 ms) and CPU time,
 * both of the server process plus, optionally, its descendant node processes (the process pool).
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux

function read(path: string): string | undefined {
  try { return readFileSync(path, 'utf8'); } catch { return undefined; }
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** VmRSS split as the kernel accounts it (/proc/<pid>/status), MiB. */
export interface Resident { rss: number; anon: number; file: number }

/** The process's resident memory now; undefined once it is gone. */
export function resident(pid: number): Resident | undefined {
  const status = read(`/proc/${pid}/status`);
  if (!status) return undefined;
  const mib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rss: mib('VmRSS'), anon: mib('RssAnon'), file: mib('RssFile') };
}

/** utime + stime + cutime + cstime (reaped children, e.g. squeue) in ms. */
export function cpuMs(pid: number): number {
  const f = statFields(pid);
  if (!f) return 0;
  // After "pid (comm) ": state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / TICKS_PER_S;
}

/** Descendants of `root` whose command is `comm` (no /proc/<pid>/task/<tid>/children here: scan /proc). */
export function descendants(root: number, comm: string): number[] {
  const parent = new Map<number, number>();
  const name = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    name.set(pid, stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
    parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const isUnder = (pid: number): boolean => {
    for (let p = parent.get(pid), hops = 0; p && hops < 32; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => name.get(pid) === comm && isUnder(pid));
}

export interface Usage {
  peakRssMiB: number;
  cpuMs: number;
}

/** Samples one server during one run. `withChildren`: also its node descendants (the process pool). */
export class Sampler {
  private peakMiB = 0;
  /** Each process's sample with the highest VmRSS (the server's pid, then its children's). */
  readonly peaks = new Map<number, Resident>();
  private pids: number[];
  private cpuStart: Map<number, number>;
  private timer: NodeJS.Timeout;
  private refresh: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number, private readonly withChildren: boolean) {
    this.pids = [pid, ...(withChildren ? descendants(pid, 'node') : [])];
    this.cpuStart = new Map(this.pids.map((p) => [p, cpuMs(p)]));
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
    // Pool children can be replaced; the /proc scan is the costly part, so once a second only.
    if (withChildren) this.refresh = setInterval(() => this.track(descendants(pid, 'node')), 1000);
  }

  private track(children: number[]) {
    for (const p of children) if (!this.cpuStart.has(p)) this.cpuStart.set(p, 0);
    this.pids = [this.pid, ...children];
  }

  private sample(): number {
    let total = 0;
    for (const pid of this.pids) {
      const now = resident(pid);
      if (!now) continue;
      total += now.rss;
      if (now.rss > (this.peaks.get(pid)?.rss ?? 0)) this.peaks.set(pid, now);
    }
    if (total > this.peakMiB) this.peakMiB = total;
    return total;
  }

  /** RSS now, MiB (the server and, with children, its pool). */
  currentRssMiB(): number {
    return this.sample();
  }

  stop(): Usage {
    clearInterval(this.timer);
    if (this.refresh) clearInterval(this.refresh);
    this.sample();
    if (this.withChildren) this.track(descendants(this.pid, 'node'));
    const cpu = this.pids.reduce((sum, p) => sum + Math.max(0, cpuMs(p) - (this.cpuStart.get(p) ?? 0)), 0);
    return { peakRssMiB: this.peakMiB, cpuMs: cpu };
  }
}
