/**
 * #15: a feed and the hub with a scripted poll (no Slurm): one poll per interval whatever the
 * number of listeners, polling only while someone listens, a join that waits for a fresh poll,
 * resuming across a pause, slow listeners dropped, the stream bound, the stop.
 */
import { EventHub, type OpenStream } from '../../src/events/hub.js';
import type { Listener } from '../../src/events/feed.js';
import type { Snapshot } from '../../src/events/changes.js';
import type { Job } from '../../src/model.js';
import { GatewayError } from '../../src/errors.js';

const job = (job_id: number, state: string) => ({ job_id, state, user: 'alice', partition: 'debug', reason: null, exit_code: null, array_job_id: null, array_task_id: null }) as Job;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `done()` (the machine may be slow: no timing is asserted). */
async function until(done: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) { if (Date.now() > end) throw new Error('timed out'); await sleep(10); }
}

/** A cluster whose job table the test sets; counts polls and who they ran as. */
function cluster() {
  const state = { jobs: [] as Job[], polls: 0, as: [] as Array<string | undefined> };
  const poll = async (identity: { user?: string } | undefined): Promise<Snapshot> => {
    state.polls += 1;
    state.as.push(identity?.user);
    return { jobs: [...state.jobs], nodes: [], partitions: [] };
  };
  return { state, poll };
}

class Recorder implements Listener, OpenStream {
  cursor = 0;
  readonly got: string[] = [];
  dropped = false;
  constructor(readonly hub: EventHub, readonly identity?: { user: string; token: string }, readonly expiresAt?: number, readonly reads = true) {}
  get feed() { return this.hub.feed(this.identity); }
  wake(): void {
    if (!this.reads) return;
    for (const e of this.feed.ring.after(this.cursor)) { this.cursor = e.id; this.got.push(e.type); }
  }
  fallBehind(): void { this.dropped = true; }
  heartbeat(): void { this.got.push('heartbeat'); }
  end(): void { this.got.push('end'); }
}

describe('EventHub and Feed', () => {
  let hub: EventHub;
  afterEach(() => hub.close());

  it('one poll per interval feeds 1,000 listeners; polling stops when the last one leaves', async () => {
    const { state, poll } = cluster();
    hub = new EventHub(poll, { intervalMs: 30, capacity: 100, maxStreams: 2000, firstId: 1000 });
    const listeners = Array.from({ length: 1000 }, () => new Recorder(hub));
    await Promise.all(listeners.map((l) => hub.feed(undefined).join(l)));
    expect(state.polls).toBe(1); // the joins shared the first poll
    state.jobs = [job(1, 'PENDING')];
    const started = Date.now();
    await until(() => listeners.every((l) => l.got.length === 1));
    await sleep(90);
    const polls = state.polls;
    // One poll per interval at most, whatever the number of listeners (never one per listener).
    expect(polls).toBeLessThanOrEqual(1 + Math.ceil((Date.now() - started) / 30) + 1);
    for (const l of listeners) expect(l.got).toEqual(['job.submitted']);
    for (const l of listeners) hub.feed(undefined).leave(l);
    expect(hub.polling).toBe(0);
    await sleep(100);
    expect(state.polls).toBe(polls);
  });

  it('a join waits for a poll that started after it: a change made before the join is not an event for it, one after is', async () => {
    const { state, poll } = cluster();
    hub = new EventHub(poll, { intervalMs: 20, capacity: 100, maxStreams: 10, firstId: 0 });
    state.jobs = [job(1, 'RUNNING')];
    const l = new Recorder(hub);
    await hub.feed(undefined).join(l);
    state.jobs = [job(1, 'COMPLETED')];
    await until(() => l.got.length > 0);
    await sleep(50);
    expect(l.got).toEqual(['job.finished']);
  });

  it('resumes across a pause: the first poll after it is compared with the last before, so nothing in between is lost', async () => {
    const { state, poll } = cluster();
    hub = new EventHub(poll, { intervalMs: 20, capacity: 100, maxStreams: 10, firstId: 0 });
    const first = new Recorder(hub);
    await hub.feed(undefined).join(first);
    state.jobs = [job(1, 'PENDING')];
    await until(() => first.got.length > 0);
    expect(first.got).toEqual(['job.submitted']);
    hub.feed(undefined).leave(first);
    state.jobs = [job(1, 'RUNNING'), job(2, 'PENDING')]; // while nobody listens
    const again = new Recorder(hub);
    const { reset } = await hub.feed(undefined).join(again, first.cursor);
    expect(reset).toBe(false);
    again.wake();
    expect(again.got).toEqual(['job.state', 'job.submitted']);
    // An id from before this feed watched, or never issued, is a reset.
    expect((await hub.feed(undefined).join(new Recorder(hub), 0)).reset).toBe(true);
    expect((await hub.feed(undefined).join(new Recorder(hub), hub.last + 5)).reset).toBe(true);
  });

  it('a listener that does not read is dropped when the buffer lets go of an event it has not written', async () => {
    const { state, poll } = cluster();
    hub = new EventHub(poll, { intervalMs: 20, capacity: 3, maxStreams: 10, firstId: 0 });
    const slow = new Recorder(hub, undefined, undefined, false);
    const fast = new Recorder(hub);
    await Promise.all([hub.feed(undefined).join(slow), hub.feed(undefined).join(fast)]);
    state.jobs = [job(1, 'PENDING'), job(2, 'PENDING')];
    await until(() => fast.got.length === 2);
    expect([slow.dropped, fast.dropped]).toEqual([false, false]);
    state.jobs = [job(1, 'RUNNING'), job(2, 'RUNNING')];
    await until(() => fast.got.length === 4);
    expect([slow.dropped, fast.dropped]).toEqual([true, false]);
    expect(fast.got).toEqual(['job.submitted', 'job.submitted', 'job.state', 'job.state']);
  });

  it('one feed per user, polled as a listener of that user (the token that lasts longest)', async () => {
    const { state, poll } = cluster();
    hub = new EventHub(poll, { intervalMs: 20, capacity: 10, maxStreams: 10, firstId: 0 });
    const alice = { user: 'alice', token: 'a' };
    const bob = { user: 'bob', token: 'b' };
    await Promise.all([hub.feed(alice).join(new Recorder(hub, alice, Date.now() + 1000)), hub.feed(bob).join(new Recorder(hub, bob, Date.now() + 1000))]);
    expect(hub.feed(alice)).not.toBe(hub.feed(bob));
    expect(hub.polling).toBe(2);
    expect(new Set(state.as)).toEqual(new Set(['alice', 'bob']));
  });

  it('admits at most maxStreams (503 too_many_streams), heartbeats every stream, and ends them all on close', async () => {
    const { poll } = cluster();
    hub = new EventHub(poll, { intervalMs: 1000, capacity: 10, maxStreams: 2, heartbeatMs: 20, firstId: 0 });
    const [a, b] = [new Recorder(hub), new Recorder(hub)];
    const release = hub.admit(a);
    hub.admit(b);
    let refused: unknown;
    try { hub.admit(new Recorder(hub)); } catch (error) { refused = error; }
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused).toMatchObject({ code: 'too_many_streams', status: 503, retryAfter: 5 });
    release();
    expect(hub.streams).toBe(1);
    await until(() => b.got.filter((g) => g === 'heartbeat').length >= 2);
    expect(a.got).toEqual([]);
    hub.close();
    expect(b.got.at(-1)).toBe('end');
    expect(() => hub.admit(new Recorder(hub))).toThrow(expect.objectContaining({ code: 'shutting_down' }));
  });

  it("bounds one user's streams (429 too_many_user_streams) without touching another user's, and not under --auth=none", () => {
    const { poll } = cluster();
    hub = new EventHub(poll, { intervalMs: 1000, capacity: 10, maxStreams: 5, maxStreamsPerUser: 2, firstId: 0 });
    const [alice, bob] = [{ user: 'alice' }, { user: 'bob' }];
    const first = hub.admit(new Recorder(hub), alice);
    hub.admit(new Recorder(hub), alice);
    let refused: unknown;
    try { hub.admit(new Recorder(hub), alice); } catch (error) { refused = error; }
    expect(refused).toMatchObject({ code: 'too_many_user_streams', status: 429, retryAfter: 5 });
    expect(hub.streams).toBe(2); // the refused one holds no slot
    hub.admit(new Recorder(hub), bob);
    // A release counts once, however often it is called: alice gets exactly one slot back.
    first();
    first();
    hub.admit(new Recorder(hub), alice);
    expect(() => hub.admit(new Recorder(hub), alice)).toThrow(expect.objectContaining({ code: 'too_many_user_streams' }));
    // No identity (--auth=none: every caller is the gateway's user): only maxStreams.
    hub.admit(new Recorder(hub));
    hub.admit(new Recorder(hub));
    expect(hub.streams).toBe(5);
    expect(() => hub.admit(new Recorder(hub), { user: 'carol' })).toThrow(expect.objectContaining({ code: 'too_many_streams', status: 503 }));
    expect(() => new EventHub(poll, { intervalMs: 1, capacity: 1, maxStreams: 1, maxStreamsPerUser: 0 })).toThrow(TypeError);
    hub.close();
  });
});
