import type { BackfillStats, ControllerStats } from '../../../model.js';
import { epochToIso } from '../../../slurm/values.js';

/** Parses `sdiag` (controller statistics). Pure; missing lines read as null (backfill counters as 0, as sdiag prints them). */
export function parseSdiag(stdout: string): ControllerStats {
  const lines = stdout.split('\n');
  const top = (label: string): number | null => {
    const line = lines.find((l) => l.startsWith(`${label}:`));
    const m = line && /:\s*(-?\d+)/.exec(line);
    return m ? Number(m[1]) : null;
  };
  const mainStart = lines.findIndex((l) => l.startsWith('Main schedule statistics'));
  const inMain = (label: string): number | null => {
    if (mainStart < 0) return null;
    for (const line of lines.slice(mainStart + 1)) {
      if (!/^\s/.test(line)) break;
      const m = new RegExp(`^\\s*${label}:\\s*(-?\\d+)`).exec(line);
      if (m) return Number(m[1]);
    }
    return null;
  };
  const rpcStart = lines.findIndex((l) => l.startsWith('Remote Procedure Call statistics by message type'));
  const rpc: ControllerStats['rpc_by_type'] = {};
  if (rpcStart >= 0) {
    for (const line of lines.slice(rpcStart + 1)) {
      const m = /^\s+(\S+)\s+\(\s*\d+\)\s+count:(\d+)\s+ave_time:\d+\s+total_time:(\d+)/.exec(line);
      if (!m) break;
      rpc[m[1]!] = { count: Number(m[2]), total_time_us: Number(m[3]) };
    }
  }
  const userStart = lines.findIndex((l) => l.startsWith('Remote Procedure Call statistics by user'));
  const users: ControllerStats['rpc_by_user'] = [];
  if (userStart >= 0) {
    for (const line of lines.slice(userStart + 1)) {
      // "\t%-16s(%8u) count:%-6u ave_time:%-6u total_time:%u": uid_to_string()'s name, then the uid.
      const m = /^\t(.*?)\s*\(\s*(\d+)\)\s+count:(\d+)\s+ave_time:(\d+)\s+total_time:(\d+)/.exec(line);
      if (!m) break;
      users.push({ user: m[1]!, user_id: Number(m[2]), count: Number(m[3]), average_time_us: Number(m[4]), total_time_us: Number(m[5]) });
    }
  }
  return {
    server_thread_count: top('Server thread count'),
    agent_queue_size: top('Agent queue size'),
    jobs_submitted: top('Jobs submitted'),
    jobs_started: top('Jobs started'),
    jobs_completed: top('Jobs completed'),
    jobs_canceled: top('Jobs canceled'),
    jobs_failed: top('Jobs failed'),
    jobs_pending: top('Jobs pending'),
    jobs_running: top('Jobs running'),
    schedule_cycle_last_us: inMain('Last cycle'),
    schedule_cycle_mean_us: inMain('Mean cycle'),
    rpc_by_type: rpc,
    rpc_by_user: users,
    backfill: parseBackfill(lines),
  };
}

/**
 * sdiag's "Backfilling stats" section (Slurm 22.05): the means are printed only once a cycle ran,
 * "Last cycle when" is "N/A" or "<date> (<epoch>)"; a running cycle adds a warning to the title.
 */
function parseBackfill(lines: string[]): BackfillStats {
  const start = lines.findIndex((l) => l.startsWith('Backfilling stats'));
  const section: string[] = [];
  if (start >= 0) {
    for (const line of lines.slice(start + 1)) {
      if (!/^\s/.test(line)) break;
      section.push(line.trim());
    }
  }
  const value = (label: string): string | undefined => {
    const prefix = `${label}:`;
    return section.find((l) => l.startsWith(prefix))?.slice(prefix.length).trim();
  };
  const count = (label: string): number => {
    const v = value(label);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
  };
  const mean = (label: string): number | null => {
    const v = value(label);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
  };
  return {
    active: start >= 0 && /WARNING: data obtained in the middle of backfilling execution/.test(lines[start]!),
    backfilled_jobs: count('Total backfilled jobs (since last slurm start)'),
    backfilled_het_jobs: count('Total backfilled heterogeneous job components'),
    cycle_count: count('Total cycles'),
    last_cycle_time: epochToIso(/\((\d+)\)\s*$/.exec(value('Last cycle when') ?? '')?.[1]),
    last_cycle_us: count('Last cycle'),
    max_cycle_us: count('Max cycle'),
    mean_cycle_us: mean('Mean cycle'),
    last_depth: count('Last depth cycle'),
    last_depth_try: count('Last depth cycle (try sched)'),
    mean_depth: mean('Depth Mean'),
    last_queue_length: count('Last queue length'),
    mean_queue_length: mean('Queue length mean'),
  };
}
