import { Coalescer } from '../../src/dispatch/coalescer.js';
import type { CommandDispatcher } from '../../src/dispatch/dispatcher.js';
import type { RequestContext } from '../../src/context.js';
import type { SchedulerCommand } from '../../src/commands.js';

const recorders: Recorder[] = [];
/** Records every command that reaches it; each call finishes when the test says so. */
class Recorder implements CommandDispatcher {
  calls: Array<{ command: SchedulerCommand; signal: AbortSignal; finish: (v: unknown) => void }> = [];
  running = 0; waiting = 0; concurrency = 4;
  constructor() { recorders.push(this); }
  dispatch(command: SchedulerCommand, ctx: RequestContext): Promise<never> {
    return new Promise((resolve) => this.calls.push({ command, signal: ctx.signal, finish: resolve as (v: unknown) => void }));
  }
  async close() {}
}

const ctx = (signal = new AbortController().signal, user?: string): RequestContext =>
  ({ requestId: 'r', deadline: Date.now() + 5000, signal, ...(user && { identity: { user } }) });
/** Calls whose answer the test does not wait for (their deadline passes after it ended). */
const ignore = (answer: Promise<unknown>) => { answer.catch(() => {}); };
const list: SchedulerCommand = { kind: 'jobs.list', filter: { state: ['PENDING'] } };

describe('Coalescer', () => {
  // Calls a test left unanswered are answered after it, so no deadline timer outlives the suite.
  afterEach(() => {
    for (const recorder of recorders.splice(0)) for (const call of recorder.calls) call.finish([]);
  });

  it('gives identical reads in flight together one scheduler call', async () => {
    const inner = new Recorder();
    const coalescer = new Coalescer(inner);
    const answers = [coalescer.dispatch(list, ctx()), coalescer.dispatch(list, ctx()), coalescer.dispatch({ kind: 'jobs.list', filter: { state: ['PENDING'] } }, ctx())];
    expect(inner.calls).toHaveLength(1);
    inner.calls[0]!.finish([{ job_id: 1 }]);
    expect(await Promise.all(answers)).toEqual([[{ job_id: 1 }], [{ job_id: 1 }], [{ job_id: 1 }]]);
    // Nothing is cached: the next read is a new call.
    ignore(coalescer.dispatch(list, ctx()));
    expect(inner.calls).toHaveLength(2);
  });

  it('keeps different reads, different users and writes apart', () => {
    const inner = new Recorder();
    const coalescer = new Coalescer(inner);
    ignore(coalescer.dispatch(list, ctx()));
    ignore(coalescer.dispatch({ kind: 'jobs.list', filter: { state: ['RUNNING'] } }, ctx()));
    ignore(coalescer.dispatch(list, ctx(undefined, 'alice')));
    ignore(coalescer.dispatch({ kind: 'jobs.cancel', jobId: '1' }, ctx()));
    ignore(coalescer.dispatch({ kind: 'jobs.cancel', jobId: '1' }, ctx()));
    expect(inner.calls).toHaveLength(5);
  });

  it('never lets a read issued after a write finished join a call that started before it', async () => {
    const inner = new Recorder();
    const coalescer = new Coalescer(inner);
    const before = coalescer.dispatch(list, ctx());
    const write = coalescer.dispatch({ kind: 'jobs.submit', submission: { script: '#!/bin/sh' } }, ctx());
    inner.calls[1]!.finish({ job_id: 7 });
    await write;
    const after = coalescer.dispatch(list, ctx());
    expect(inner.calls).toHaveLength(3);
    inner.calls[0]!.finish([]);
    inner.calls[2]!.finish([{ job_id: 7 }]);
    expect(await before).toEqual([]);
    expect(await after).toEqual([{ job_id: 7 }]);
  });

  it('stops the shared call only when every client that joined it has gone away', () => {
    const inner = new Recorder();
    const coalescer = new Coalescer(inner);
    const a = new AbortController();
    const b = new AbortController();
    void coalescer.dispatch(list, ctx(a.signal)).catch(() => {});
    void coalescer.dispatch(list, ctx(b.signal)).catch(() => {});
    a.abort();
    expect(inner.calls[0]!.signal.aborted).toBe(false);
    b.abort();
    expect(inner.calls[0]!.signal.aborted).toBe(true);
  });
});
