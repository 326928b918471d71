import { SharedJobReads } from '../../src/dispatch/shared-reads.js';
import type { CommandDispatcher } from '../../src/dispatch/dispatcher.js';
import type { RequestContext } from '../../src/context.js';
import type { SchedulerCommand } from '../../src/commands.js';
import type { Job } from '../../src/model.js';

const recorders: Recorder[] = [];
/** Records every command that reaches it; each call finishes when the test says so. */
class Recorder implements CommandDispatcher {
  calls: Array<{ command: SchedulerCommand; ctx: RequestContext; finish: (v: unknown) => void; fail: (e: unknown) => void }> = [];
  running = 0; waiting = 0; concurrency = 4;
  constructor() { recorders.push(this); }
  dispatch(command: SchedulerCommand, ctx: RequestContext): Promise<never> {
    return new Promise((resolve, reject) => this.calls.push({ command, ctx, finish: resolve as (v: unknown) => void, fail: reject }));
  }
  async close() {}
  kinds() { return this.calls.map((c) => c.command.kind); }
}

const ctx = (user?: string, signal = new AbortController().signal): RequestContext =>
  ({ requestId: 'r', deadline: Date.now() + 5000, signal, ...(user && { identity: { user } }) });
const job = (job_id: number, more: Partial<Job> = {}) => ({ job_id, array_job_id: null, array_task_id: null, array_tasks: null, ...more }) as Job;
const get = (jobId: string): SchedulerCommand => ({ kind: 'jobs.get', jobId });
/** Lets the answer of a finished call reach the reads waiting on it. */
const settle = () => new Promise((r) => setImmediate(r));

// Calls a test left unanswered are answered after it (and the reads they send on, in turn), so no
// deadline timer outlives the suite.
afterEach(async () => {
  const live = recorders.splice(0);
  for (let round = 0; round < 5; round++) {
    for (const recorder of live) for (const call of recorder.calls.splice(0)) call.finish([]);
    await settle();
  }
});

describe('SharedJobReads, whole table', () => {
  it('answers the reads that arrived while a call ran with the next call, one for all of them', async () => {
    const inner = new Recorder();
    const coalesced: string[] = [];
    const reads = new SharedJobReads(inner, 'table', { coalesced: (kind) => coalesced.push(kind) });
    const first = reads.dispatch(get('1'), ctx());
    expect(inner.calls.map((c) => c.command)).toEqual([{ kind: 'jobs.list', filter: {} }]);
    const later = [reads.dispatch(get('2'), ctx()), reads.dispatch(get('3'), ctx()), reads.dispatch(get('2'), ctx())];
    expect(inner.calls).toHaveLength(1); // they wait for the next call
    inner.calls[0]!.finish([job(1), job(2, { name: 'old' }), job(3)]);
    expect(await first).toEqual(job(1));
    await settle();
    // Never answered by the call that was running when they arrived: a new one started after them.
    expect(inner.calls).toHaveLength(2);
    inner.calls[1]!.finish([job(1), job(2, { name: 'new' }), job(3)]);
    expect(await Promise.all(later)).toEqual([job(2, { name: 'new' }), job(3), job(2, { name: 'new' })]);
    expect(coalesced).toEqual(Array(4).fill('jobs.get')); // each read answered from a shared call, for metrics
  });

  it('sends to jobs.get alone what the table cannot answer exactly: unknown, an array id, a task in a pending record', async () => {
    const inner = new Recorder();
    const reads = new SharedJobReads(inner, 'table');
    const table = [job(21, { array_job_id: 20, array_task_id: 0 }), job(20, { array_job_id: 20, array_tasks: '1-9' })];
    const unknown = reads.dispatch(get('9'), ctx());
    const answers = [reads.dispatch(get('20'), ctx()), reads.dispatch(get('20_5'), ctx()), reads.dispatch(get('21'), ctx())];
    inner.calls[0]!.finish(table);
    await settle();
    expect(inner.calls.map((c) => c.command)).toEqual([{ kind: 'jobs.list', filter: {} }, get('9'), { kind: 'jobs.list', filter: {} }]);
    inner.calls[1]!.finish(job(9, { state: 'COMPLETED' }));
    expect(await unknown).toEqual(job(9, { state: 'COMPLETED' }));
    inner.calls[2]!.finish(table);
    await settle();
    expect(inner.calls.slice(3).map((c) => c.command)).toEqual([get('20'), get('20_5')]);
    expect(await answers[2]).toEqual(table[0]); // a started task: its own record
  });

  it('a failed shared call sends each read to jobs.get alone; an id out of range never joins', async () => {
    const inner = new Recorder();
    const reads = new SharedJobReads(inner, 'table');
    const a = reads.dispatch(get('1'), ctx());
    void reads.dispatch(get('99999999999'), ctx()).catch(() => {});
    expect(inner.calls.map((c) => c.command)).toEqual([{ kind: 'jobs.list', filter: {} }, get('99999999999')]);
    inner.calls[0]!.fail(new Error('controller down'));
    await settle();
    expect(inner.calls[2]!.command).toEqual(get('1'));
    inner.calls[2]!.fail(new Error('still down'));
    await expect(a).rejects.toThrow('still down');
  });

  it('keeps callers apart, and passes every other command through', () => {
    const inner = new Recorder();
    const reads = new SharedJobReads(inner, 'table');
    void reads.dispatch(get('1'), ctx('alice'));
    void reads.dispatch(get('1'), ctx('bob'));
    void reads.dispatch({ kind: 'jobs.cancel', jobId: '1' }, ctx('alice'));
    expect(inner.calls.map((c) => [c.command.kind, c.ctx.identity?.user])).toEqual([['jobs.list', 'alice'], ['jobs.list', 'bob'], ['jobs.cancel', 'alice']]);
  });

  it('stops the shared call only when every read in it has gone away', async () => {
    const inner = new Recorder();
    const reads = new SharedJobReads(inner, 'table');
    void reads.dispatch(get('5'), ctx()).catch(() => {}); // the running call
    const a = new AbortController();
    const b = new AbortController();
    void reads.dispatch(get('1'), ctx(undefined, a.signal)).catch(() => {});
    void reads.dispatch(get('2'), ctx(undefined, b.signal)).catch(() => {});
    inner.calls[0]!.finish([]);
    await settle();
    const shared = inner.calls.find((c) => c.command.kind === 'jobs.list' && c !== inner.calls[0])!;
    a.abort();
    expect(shared.ctx.signal.aborted).toBe(false);
    b.abort();
    expect(shared.ctx.signal.aborted).toBe(true);
  });
});

describe('SharedJobReads, by ids', () => {
  it('asks for the ids that waited in one list call; a lone id is jobs.get', async () => {
    const inner = new Recorder();
    const reads = new SharedJobReads(inner, 'ids');
    const lone = reads.dispatch(get('1'), ctx());
    const answers = [reads.dispatch(get('2'), ctx()), reads.dispatch(get('3_1'), ctx()), reads.dispatch(get('2'), ctx())];
    expect(inner.calls.map((c) => c.command)).toEqual([get('1')]);
    inner.calls[0]!.finish(job(1));
    expect(await lone).toEqual(job(1));
    await settle();
    expect(inner.calls[1]!.command).toEqual({ kind: 'jobs.list', filter: { job_id: ['2', '3_1'] } });
    inner.calls[1]!.finish([job(2), job(7, { array_job_id: 3, array_task_id: 1 })]);
    expect(await Promise.all(answers)).toEqual([job(2), job(7, { array_job_id: 3, array_task_id: 1 }), job(2)]);
  });
});
