import type { Node } from '../../../model.js';
import { FIELD_SEP, NODE_FIELDS, RECORD_SEP } from '../formats.js';
import { records } from './values.js';
import { parseKeyValues } from './keyvalue.js';
import { parseTres } from '../../../slurm/accounting.js';
import { cpuLoad, gresUsed } from '../../../slurm/resources.js';
import { epochToIso, list, optionalInt, optionalText } from '../../../slurm/values.js';

type Field = (typeof NODE_FIELDS)[number];

/** What sinfo does not print of a node: read from `scontrol --details --oneliner show node`. */
export type NodeDetails = Pick<Node, 'cpu_load' | 'active_features' | 'gres' | 'gres_used' | 'tres' | 'tres_allocated' | 'address' | 'hostname' | 'os' | 'boot_time' | 'slurmd_start_time'>;

const UNKNOWN: NodeDetails = {
  cpu_load: null, active_features: [], gres: null, gres_used: null, tres: null, tres_allocated: null,
  address: null, hostname: null, os: null, boot_time: null, slurmd_start_time: null,
};

/**
 * Parses `sinfo --Node --Format=<NODE_FIELDS>`: one row per node and partition, merged into one
 * Node each, in the order sinfo printed them, with each node's `details` (parseNodeDetails;
 * unknown fields are null when scontrol did not list the node). Pure.
 */
export function parseNodes(stdout: string, details: ReadonlyMap<string, NodeDetails> = new Map()): Node[] {
  const byName = new Map<string, Node>();
  for (const values of records(stdout, FIELD_SEP, RECORD_SEP, NODE_FIELDS.length, 'sinfo')) {
    const f = Object.fromEntries(NODE_FIELDS.map((name, i) => [name, values[i]!])) as Record<Field, string>;
    const partition = f.Partition.replace(/\*$/, '');
    const known = byName.get(f.NodeList);
    if (known) {
      if (partition && !known.partitions.includes(partition)) known.partitions.push(partition);
      continue;
    }
    byName.set(f.NodeList, toNode(f, partition, details.get(f.NodeList) ?? UNKNOWN));
  }
  return [...byName.values()];
}

function toNode(f: Record<Field, string>, partition: string, d: NodeDetails): Node {
  // StateComplete: "idle", "mixed+drain", "down*+not_responding" ("*": not responding).
  const [base = '', ...flags] = f.StateComplete.replace(/[*~#!%$@^-]+(?=\+|$)/g, '').split('+');
  const [allocated = 0, idle = 0, , total = 0] = f.CPUsState.split('/').map(Number);
  return {
    name: f.NodeList,
    state: base.toUpperCase(),
    state_flags: flags.map((s) => s.toUpperCase()),
    cpus: { total, allocated, idle },
    memory_mib: { total: optionalInt(f.Memory) ?? 0, allocated: optionalInt(f.AllocMem), free: optionalInt(f.FreeMem) },
    cpu_load: d.cpu_load,
    partitions: partition ? [partition] : [],
    features: list(f.Features),
    active_features: [...d.active_features],
    gres: d.gres,
    gres_used: d.gres_used,
    tres: d.tres,
    tres_allocated: d.tres_allocated,
    address: d.address,
    hostname: d.hostname,
    os: d.os,
    boot_time: d.boot_time,
    slurmd_start_time: d.slurmd_start_time,
    reason: optionalText(f.Reason),
  };
}

/**
 * Parses `scontrol --details --oneliner show node [name]` (SLURM_TIME_FORMAT=%s): one line per
 * node, "NodeName=vm Arch=… CPULoad=0.10 … OS=Linux 6.1.0 #1 SMP … RealMemory=…". OS is free text
 * with spaces, read up to the next key. Pure.
 */
export function parseNodeDetails(stdout: string): Map<string, NodeDetails> {
  const out = new Map<string, NodeDetails>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('NodeName=')) continue;
    // Free text (Reason, Comment, Extra) comes after every field read here: a "Gres=" inside it must not win.
    const kv = parseKeyValues(line, { firstWins: true });
    out.set(kv.NodeName ?? '', {
      cpu_load: cpuLoad(kv.CPULoad),
      active_features: list(kv.ActiveFeatures),
      gres: optionalText(kv.Gres),
      gres_used: gresUsed(kv.GresUsed),
      tres: parseTres(kv.CfgTRES),
      tres_allocated: parseTres(kv.AllocTRES),
      address: optionalText(kv.NodeAddr),
      hostname: optionalText(kv.NodeHostName),
      os: optionalText(kv.OS),
      boot_time: epochToIso(kv.BootTime),
      slurmd_start_time: epochToIso(kv.SlurmdStartTime),
    });
  }
  return out;
}
