/**
 * A stream's filters (GET /v1/events?user=&job_id=&partition=&types=). They only ever narrow the
 * events of the caller's own feed, which holds what the caller may see (docs/SECURITY.md): no
 * filter value can add an event. `user` and `job_id` select job events (node and partition events
 * pass them: name the types to leave those out); `partition` selects jobs that may run in it, its
 * nodes, and itself; `types` selects event types. `reset` always passes.
 */
import type { EventType } from './changes.js';
import type { StoredEvent } from './ring.js';

export interface EventFilter {
  user?: readonly string[];
  /** `123` (the job, or every task of array 123) or `123_4` (one task). */
  job_id?: readonly string[];
  partition?: readonly string[];
  types?: readonly EventType[];
}

export type EventPredicate = (event: StoredEvent) => boolean;

export function eventPredicate(filter: EventFilter): EventPredicate {
  const types = filter.types && new Set<string>(filter.types);
  const users = filter.user && new Set(filter.user);
  const partitions = filter.partition && new Set(filter.partition);
  const ids = filter.job_id?.map((id) => id.split('_').map(Number) as [number, number?]);
  return (event) => {
    if (event.type === 'reset') return true;
    if (types && !types.has(event.type)) return false;
    const s = event.subject;
    if (partitions && !s.partitions.some((p) => partitions.has(p))) return false;
    if (!event.type.startsWith('job.')) return true;
    if (users && !(s.user !== undefined && users.has(s.user))) return false;
    if (ids && !ids.some(([job, task]) => (task === undefined
      ? s.jobId === job || s.arrayJobId === job
      : s.arrayJobId === job && s.arrayTaskId === task))) return false;
    return true;
  };
}
