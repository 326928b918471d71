/**
 * What changed between two polls of the scheduler, as the events of GET /v1/events
 * (the contract: README, "Live events"). Pure: no I/O, no clock, no ids; tested without Slurm
 * (test/unit/event-changes.test.ts).
 */
import type { Job, Node, Partition } from '../model.js';

export const EVENT_TYPES = ['job.submitted', 'job.state', 'job.finished', 'job.gone', 'node.state', 'partition.changed', 'reset'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** States a job does not leave on its own: entering one is `job.finished`, not `job.state`. */
export const FINISHED_STATES: ReadonlySet<string> = new Set([
  'COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED',
]);

export type EventData =
  | { type: 'job.submitted'; time: string; job_id: number; job: Job }
  | { type: 'job.state'; time: string; job_id: number; old_state: string; new_state: string; reason: string | null; job: Job }
  | { type: 'job.finished'; time: string; job_id: number; old_state: string; new_state: string; exit_code: number | null; job: Job }
  | { type: 'job.gone'; time: string; job_id: number }
  | { type: 'node.state'; time: string; name: string; old_state: string; new_state: string; node: Node }
  | { type: 'partition.changed'; time: string; name: string; partition: Partition }
  | { type: 'reset'; time: string; reason: string };

/** What a subscriber's filters look at: taken from the object, so a `job.gone` is filtered like the job was. */
export interface Subject {
  user?: string;
  jobId?: number;
  arrayJobId?: number | null;
  arrayTaskId?: number | null;
  /** The partitions a job may run in, a node is in, or the partition itself. */
  partitions: readonly string[];
}

export interface Change {
  data: EventData;
  subject: Subject;
}

/** What one poll saw, kept to compare the next poll with. */
export interface Seen {
  jobs: Map<number, Job>;
  nodes: Map<string, Node>;
  /** Partitions by name, with their JSON (a partition has no version to compare). */
  partitions: Map<string, { partition: Partition; json: string }>;
}

export interface Snapshot {
  jobs: readonly Job[];
  nodes: readonly Node[];
  partitions: readonly Partition[];
}

export function see(snapshot: Snapshot): Seen {
  return {
    jobs: new Map(snapshot.jobs.map((j) => [j.job_id, j])),
    nodes: new Map(snapshot.nodes.map((n) => [n.name, n])),
    partitions: new Map(snapshot.partitions.map((p) => [p.name, { partition: p, json: JSON.stringify(p) }])),
  };
}

export const jobSubject = (job: Job): Subject => ({
  user: job.user, jobId: job.job_id, arrayJobId: job.array_job_id, arrayTaskId: job.array_task_id,
  partitions: job.partition ? job.partition.split(',') : [],
});

/**
 * The changes from `before` to `now`, jobs first (in the order of the new list, then those gone),
 * then nodes, then partitions. A job not seen before is `job.submitted`; if it is already past
 * PENDING when first seen (it started, or even ended, between two polls), the transition from
 * PENDING follows it, so every job's events read submitted -> state... -> finished.
 */
export function changes(before: Seen, now: Seen, time: string): Change[] {
  const out: Change[] = [];
  for (const job of now.jobs.values()) {
    const old = before.jobs.get(job.job_id);
    const subject = jobSubject(job);
    if (!old) out.push({ data: { type: 'job.submitted', time, job_id: job.job_id, job }, subject });
    const from = old?.state ?? 'PENDING';
    if (from === job.state) continue;
    out.push({
      data: FINISHED_STATES.has(job.state)
        ? { type: 'job.finished', time, job_id: job.job_id, old_state: from, new_state: job.state, exit_code: job.exit_code, job }
        : { type: 'job.state', time, job_id: job.job_id, old_state: from, new_state: job.state, reason: job.reason, job },
      subject,
    });
  }
  for (const [id, job] of before.jobs) {
    if (!now.jobs.has(id)) out.push({ data: { type: 'job.gone', time, job_id: id }, subject: jobSubject(job) });
  }
  for (const node of now.nodes.values()) {
    const old = before.nodes.get(node.name);
    if (!old || (old.state === node.state && old.state_flags.join('+') === node.state_flags.join('+'))) continue;
    out.push({ data: { type: 'node.state', time, name: node.name, old_state: old.state, new_state: node.state, node }, subject: { partitions: node.partitions } });
  }
  for (const [name, { partition, json }] of now.partitions) {
    if (before.partitions.get(name)?.json === json) continue;
    out.push({ data: { type: 'partition.changed', time, name, partition }, subject: { partitions: [name] } });
  }
  return out;
}
