import type { ControllerStats } from '../../../model.js';

/** Parses `sdiag` (controller statistics). Pure; missing lines read as null. */
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
  };
}
