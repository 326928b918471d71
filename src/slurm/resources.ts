/**
 * The cluster's resources as Slurm's tools print them (scontrol show node|reservation|licenses,
 * sdiag) and as libslurm hands them over once formatted the same way: GRES in use, load,
 * license counts, a reservation's state, sdiag's order of RPC statistics. Both executors read
 * these fields with these rules, so they answer alike. Pure.
 */
import { GatewayError } from '../errors.js';
import { optionalText } from './values.js';

/** 404 node_not_found: what both executors answer for a name no node has. */
export function noSuchNode(name: string): GatewayError {
  return new GatewayError('node_not_found', `No node ${name}`);
}

/** The node of that name in a node list. @throws GatewayError node_not_found */
export function nodeNamed<T extends { name: string }>(nodes: readonly T[], name: string): T {
  const node = nodes.find((n) => n.name === name);
  if (!node) throw noSuchNode(name);
  return node;
}

/**
 * Slurm's GresUsed ("gpu:fake:0(IDX:N/A)", "gpu:fake:1(IDX:0),mps:0"), with the "(IDX:N/A)"
 * placeholder dropped: "gpu:fake:0". Indexes in use are kept. None: null.
 */
export function gresUsed(value: string | null | undefined): string | null {
  const text = optionalText(value ?? undefined);
  return text === null ? null : optionalText(text.replace(/\(IDX:N\/A\)/g, ''));
}

/** scontrol's CPULoad ("0.53", "N/A"): the load average; libslurm's cpu_load is it times 100. */
export function cpuLoad(printed: string | undefined): number | null {
  const text = optionalText(printed);
  return text === null || !/^\d+(?:\.\d+)?$/.test(text) ? null : Number(text);
}

/** The same from libslurm's cpu_load (load x 100; NO_VAL: unknown), as scontrol prints it ("%.2f"). */
export function cpuLoadOf(hundredths: number, noVal: number): number | null {
  return hundredths === noVal ? null : Number((hundredths / 100).toFixed(2));
}

/** A license list ("matlab:1,abaqus:2", also "name*count"; a name alone is one) to counts by name. */
export function licenseCounts(value: string | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  const text = optionalText(value ?? undefined);
  if (text === null) return out;
  for (const item of text.split(',')) {
    const m = /^([^:*]+)(?:[:*](\d+))?$/.exec(item.trim());
    if (m) out[m[1]!] = (out[m[1]!] ?? 0) + (m[2] === undefined ? 1 : Number(m[2]));
  }
  return out;
}

/** scontrol's reservation State: ACTIVE from its start to its end (epoch seconds, both inclusive). */
export function reservationState(start: number, end: number, now = Math.floor(Date.now() / 1000)): 'ACTIVE' | 'INACTIVE' {
  return start <= now && end >= now ? 'ACTIVE' : 'INACTIVE';
}

/**
 * sdiag's order of RPC statistics (Slurm 22.05 `_sort_rpc`, by count, the most first): its own
 * exchange sort, whose order of ties the external executor sees printed.
 */
export function sdiagOrder<T extends { count: number }>(rows: readonly T[]): T[] {
  const out = [...rows];
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      if (out[i]!.count >= out[j]!.count) continue;
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
  }
  return out;
}
