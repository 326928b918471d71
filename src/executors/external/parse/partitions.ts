import type { Partition } from '../../../model.js';
import { parseKeyValues } from './keyvalue.js';
import { parseTres } from '../../../slurm/accounting.js';
import { durationToMinutes, optionalInt, optionalText } from '../../../slurm/values.js';

/** Parses `scontrol --oneliner show partition`. Pure. */
export function parsePartitions(stdout: string): Partition[] {
  return stdout.split('\n').filter((line) => line.startsWith('PartitionName=')).map((line) => {
    const kv = parseKeyValues(line);
    return {
      name: kv.PartitionName ?? '',
      state: (kv.State ?? 'UNKNOWN').toUpperCase(),
      default: kv.Default === 'YES',
      nodes: optionalText(kv.Nodes),
      node_count: optionalInt(kv.TotalNodes) ?? 0,
      cpus_total: optionalInt(kv.TotalCPUs),
      max_time: durationToMinutes(kv.MaxTime),
      default_time: durationToMinutes(kv.DefaultTime),
      max_nodes: kv.MaxNodes === 'UNLIMITED' ? null : optionalInt(kv.MaxNodes),
      min_nodes: optionalInt(kv.MinNodes) ?? 0,
      tres: parseTres(kv.TRES),
    };
  });
}
