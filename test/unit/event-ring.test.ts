/** #15: the bounded buffer behind Last-Event-ID and slow readers, and the filters (no Slurm). */
import { EventRing, type StoredEvent } from '../../src/events/ring.js';
import { eventPredicate } from '../../src/events/filter.js';
import type { EventType, Subject } from '../../src/events/changes.js';

const event = (id: number, type: EventType = 'job.state', subject: Subject = { partitions: [] }): StoredEvent => ({ id, type, frame: `id: ${id}\n\n`, subject });
const ids = (events: Iterable<StoredEvent>) => [...events].map((e) => e.id);

describe('EventRing', () => {
  it('keeps the last `capacity` events and gives those after a cursor, oldest first', () => {
    const ring = new EventRing(3, 100);
    for (const id of [101, 102, 105, 106]) ring.push(event(id));
    expect(ring.size).toBe(3);
    expect(ids(ring.after(0))).toEqual([102, 105, 106]);
    expect(ids(ring.after(102))).toEqual([105, 106]);
    expect(ids(ring.after(103))).toEqual([105, 106]);
    expect(ids(ring.after(106))).toEqual([]);
    expect(ring.last).toBe(106);
  });

  it('a cursor is served while every event after it is kept; the evicted one itself still counts as seen', () => {
    const ring = new EventRing(2, 100);
    for (const id of [101, 102, 103]) ring.push(event(id));
    expect(ring.holds(100)).toBe(false); // 101 is gone and was not seen
    expect(ring.holds(101)).toBe(true);
    expect(ring.holds(103)).toBe(true);
  });

  it('resumes a Last-Event-ID only inside its watch: not at or before `since`, not beyond the newest id issued, not evicted', () => {
    const ring = new EventRing(2, 100);
    expect(ring.resumable(100, 100)).toBe(false); // the client knew something from before this feed watched
    for (const id of [101, 102, 103]) ring.push(event(id));
    expect(ring.resumable(100, 110)).toBe(false);
    expect(ring.resumable(101, 110)).toBe(true);
    expect(ring.resumable(107, 110)).toBe(true); // another feed's id: a moment, all of this feed's later events are kept
    expect(ring.resumable(111, 110)).toBe(false); // never issued (another process's)
    expect(ring.resumable(5, 110)).toBe(false);
  });

  it('refuses ids that do not increase, and a capacity below 1', () => {
    const ring = new EventRing(2, 100);
    ring.push(event(101));
    expect(() => ring.push(event(101))).toThrow(RangeError);
    expect(() => new EventRing(0, 0)).toThrow('Expected capacity to be an integer >= 1, got 0');
  });
});

describe('eventPredicate', () => {
  const job = (type: EventType, user: string, jobId: number, more: Partial<Subject> = {}) => event(1, type, { user, jobId, arrayJobId: null, arrayTaskId: null, partitions: ['debug'], ...more });
  const nodeEvent = event(1, 'node.state', { partitions: ['debug'] });

  it('user and job_id narrow job events only; an array id matches its tasks, 12_3 one task', () => {
    const byUser = eventPredicate({ user: ['alice'] });
    expect([byUser(job('job.state', 'alice', 1)), byUser(job('job.gone', 'bob', 2)), byUser(nodeEvent)]).toEqual([true, false, true]);
    const byId = eventPredicate({ job_id: ['12', '20_3'] });
    expect([
      byId(job('job.state', 'a', 12)), byId(job('job.state', 'a', 13, { arrayJobId: 12, arrayTaskId: 0 })),
      byId(job('job.state', 'a', 21, { arrayJobId: 20, arrayTaskId: 3 })), byId(job('job.state', 'a', 22, { arrayJobId: 20, arrayTaskId: 4 })), byId(job('job.state', 'a', 14)),
    ]).toEqual([true, true, true, false, false]);
  });

  it('partition narrows every kind; types select; reset always passes', () => {
    const p = eventPredicate({ partition: ['long'], types: ['job.state', 'node.state'] });
    expect([p(job('job.state', 'a', 1, { partitions: ['debug', 'long'] })), p(job('job.state', 'a', 1)), p(event(1, 'node.state', { partitions: ['long'] })), p(job('job.submitted', 'a', 1, { partitions: ['long'] })), p(event(1, 'reset'))])
      .toEqual([true, false, true, false, true]);
  });
});
