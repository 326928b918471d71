import type { Node } from '../../../model.js';
import { FIELD_SEP, NODE_FIELDS, RECORD_SEP } from '../formats.js';
import { records } from './values.js';
import { list, optionalInt, optionalText } from '../../../slurm/values.js';

type Field = (typeof NODE_FIELDS)[number];

/**
 * Parses `sinfo --Node --Format=<NODE_FIELDS>`: one row per node and partition, merged into one
 * Node each, in the order sinfo printed them. Pure.
 */
export function parseNodes(stdout: string): Node[] {
  const byName = new Map<string, Node>();
  for (const values of records(stdout, FIELD_SEP, RECORD_SEP, NODE_FIELDS.length, 'sinfo')) {
    const f = Object.fromEntries(NODE_FIELDS.map((name, i) => [name, values[i]!])) as Record<Field, string>;
    const partition = f.Partition.replace(/\*$/, '');
    const known = byName.get(f.NodeList);
    if (known) {
      if (partition && !known.partitions.includes(partition)) known.partitions.push(partition);
      continue;
    }
    byName.set(f.NodeList, toNode(f, partition));
  }
  return [...byName.values()];
}

function toNode(f: Record<Field, string>, partition: string): Node {
  // StateComplete: "idle", "mixed+drain", "down*+not_responding" ("*": not responding).
  const [base = '', ...flags] = f.StateComplete.replace(/[*~#!%$@^-]+(?=\+|$)/g, '').split('+');
  const [allocated = 0, idle = 0, , total = 0] = f.CPUsState.split('/').map(Number);
  return {
    name: f.NodeList,
    state: base.toUpperCase(),
    state_flags: flags.map((s) => s.toUpperCase()),
    cpus: { total, allocated, idle },
    memory_mib: { total: optionalInt(f.Memory) ?? 0, allocated: optionalInt(f.AllocMem), free: optionalInt(f.FreeMem) },
    partitions: partition ? [partition] : [],
    features: list(f.Features),
    reason: optionalText(f.Reason),
  };
}
