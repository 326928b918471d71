/**
 * Parses `squeue --steps --noheader --Format=<STEP_FIELDS>`: the steps slurmctld holds for running
 * jobs. The controller knows no exit code, elapsed time, MaxRSS or CPU time of a step: null. Pure.
 */
import type { JobStep } from '../../../model.js';
import { epochToIso, optionalInt, optionalText } from '../../../slurm/values.js';
import { FIELD_SEP, RECORD_SEP, STEP_FIELDS } from '../formats.js';
import { records, UnreadableOutput } from './values.js';

export function parseSteps(stdout: string): JobStep[] {
  return records(stdout, FIELD_SEP, RECORD_SEP, STEP_FIELDS.length, 'squeue').map((values) => {
    const [stepId, jobId, name, state, start, nodes, tasks] = values.map((v) => v.trim()) as [string, string, string, string, string, string, string];
    // "123.0", "123.batch", an array task's "2_1.batch".
    const step = /^\d+(?:_\d+)?\.(\w+)$/.exec(stepId)?.[1];
    if (step === undefined || !/^\d+$/.test(jobId)) throw new UnreadableOutput(`squeue printed a step id it should not: ${JSON.stringify(stepId)} of job ${JSON.stringify(jobId)}`);
    const nodeList = optionalText(nodes);
    return {
      job_id: Number(jobId),
      step_id: step,
      name,
      state: state.split(/[+ ]/)[0] ?? state,
      exit_code: null,
      signal: null,
      start_time: epochToIso(start),
      end_time: null,
      elapsed: null,
      nodes: nodeList,
      node_count: nodeList === null ? null : hostCount(nodeList),
      tasks: optionalInt(tasks),
      max_rss: null,
      total_cpu: null,
      source: 'controller',
    };
  });
}

/** How many hosts a Slurm hostlist names ("vm", "n[1-3,7],m2"); null when it cannot tell. */
export function hostCount(hostlist: string): number | null {
  let count = 0;
  for (const part of hostlist.match(/[^,[]+(?:\[[^\]]*\])?[^,]*/g) ?? []) {
    const ranges = /\[([^\]]*)\]/.exec(part)?.[1];
    if (ranges === undefined) { count++; continue; }
    for (const range of ranges.split(',')) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(range);
      if (!m) return null;
      count += m[2] === undefined ? 1 : Number(m[2]) - Number(m[1]) + 1;
    }
  }
  return count || null;
}
