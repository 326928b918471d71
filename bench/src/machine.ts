/** What the numbers were measured on. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import type { Machine } from './results.js';

export function loadAverage(): string {
  return loadavg().map((l) => l.toFixed(2)).join(', ');
}

export function describeMachine(loadBefore: string): Machine {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch { /* keep os.cpus() */ }
  return {
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel,
    kernel: release(),
    node: process.version,
    loadBefore,
    loadAfter: loadBefore,
  };
}

/** Busy CPU time of the whole machine (user, nice, system, irq, softirq) and time stolen by the hypervisor, ms. */
export function systemCpu(): { busyMs: number; stealMs: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  const ms = (ticks: number) => ticks * 10; // USER_HZ = 100
  return { busyMs: ms(user + nice + system + irq + softirq), stealMs: ms(steal) };
}
