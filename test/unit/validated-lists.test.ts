import { NODE_LIST_MAX_AGE_MS, ValidatedLists } from '../../src/dispatch/validated-lists.js';
import type { CommandDispatcher } from '../../src/dispatch/dispatcher.js';
import type { RequestContext } from '../../src/context.js';
import type { JobListSince, NodeListSince, SchedulerCommand } from '../../src/commands.js';
import type { Job, Node } from '../../src/model.js';

/** Answers jobs.list.since (or nodes.list.since) from a script of answers; records what it was asked. */
class Scripted<A = JobListSince> implements CommandDispatcher {
  asked: SchedulerCommand[] = [];
  answers: A[] = [];
  running = 0; waiting = 0; concurrency = 4;
  constructor(readonly answering: 'jobs.list.since' | 'nodes.list.since' = 'jobs.list.since') {}
  async dispatch(command: SchedulerCommand): Promise<never> {
    this.asked.push(command);
    if (command.kind !== this.answering) return { passed: command.kind } as never;
    const next = this.answers.shift();
    if (!next) throw new Error('no answer scripted');
    return next as never;
  }
  async close() {}
}

const ctx = (user?: string): RequestContext =>
  ({ requestId: 'r', deadline: Date.now() + 5000, signal: new AbortController().signal, ...(user && { identity: { user } }) });
const jobs = (id: number) => [{ job_id: id }] as unknown as Job[];
const list = { kind: 'jobs.list', filter: {} } as const;
const sinceOf = (c: SchedulerCommand | undefined) => (c?.kind === 'jobs.list.since' ? c.since : undefined);

describe('ValidatedLists', () => {
  it('asks with the kept last_update and answers the kept array while slurmctld reports no change', async () => {
    const inner = new Scripted();
    const cache = new ValidatedLists(inner);
    const first = jobs(1);
    inner.answers.push({ last_update: 100, valid_until: null, jobs: first }, { last_update: 100, valid_until: null, jobs: null });
    expect(await cache.dispatch(list, ctx())).toBe(first);
    expect(await cache.dispatch(list, ctx())).toBe(first);
    expect(inner.asked.map(sinceOf)).toEqual([0, 100]);
  });

  it('replaces the kept answer when the list changed', async () => {
    const inner = new Scripted();
    const cache = new ValidatedLists(inner);
    const second = jobs(2);
    inner.answers.push({ last_update: 100, valid_until: null, jobs: jobs(1) }, { last_update: 105, valid_until: null, jobs: second }, { last_update: 105, valid_until: null, jobs: null });
    await cache.dispatch(list, ctx());
    expect(await cache.dispatch(list, ctx())).toBe(second);
    expect(await cache.dispatch(list, ctx())).toBe(second);
    expect(inner.asked.map(sinceOf)).toEqual([0, 100, 105]);
  });

  it('keeps callers and filters apart', async () => {
    const inner = new Scripted();
    const cache = new ValidatedLists(inner);
    inner.answers.push(
      { last_update: 100, valid_until: null, jobs: jobs(1) },
      { last_update: 100, valid_until: null, jobs: jobs(2) },
      { last_update: 100, valid_until: null, jobs: jobs(3) },
    );
    await cache.dispatch(list, ctx());
    await cache.dispatch(list, ctx('alice'));
    await cache.dispatch({ kind: 'jobs.list', filter: { state: ['PENDING'] } }, ctx());
    // Nobody was asked "since" another caller's or another filter's answer.
    expect(inner.asked.map(sinceOf)).toEqual([0, 0, 0]);
  });

  it('never validates an answer that cannot be (last_update 0) or that time has changed (valid_until)', async () => {
    const inner = new Scripted();
    let now = 1_000_000;
    const cache = new ValidatedLists(inner, () => now);
    inner.answers.push(
      { last_update: 0, valid_until: null, jobs: jobs(1) },
      { last_update: 100, valid_until: 1_000.5, jobs: jobs(2) },
      { last_update: 100, valid_until: null, jobs: null },
      { last_update: 101, valid_until: null, jobs: jobs(3) },
    );
    await cache.dispatch(list, ctx());
    await cache.dispatch(list, ctx());
    await cache.dispatch(list, ctx()); // now = 1000 s < 1000.5 s: still valid
    now = 1_000_500; // an unlimited job's end_time has passed: the kept answer would print it differently
    await cache.dispatch(list, ctx());
    expect(inner.asked.map(sinceOf)).toEqual([0, 0, 100, 0]);
  });

  it('passes every other command through unchanged', async () => {
    const inner = new Scripted();
    const cache = new ValidatedLists(inner);
    expect(await cache.dispatch({ kind: 'jobs.get', jobId: '1' }, ctx())).toEqual({ passed: 'jobs.get' });
  });
});

const scriptedNodes = () => new Scripted<NodeListSince>('nodes.list.since');

describe('ValidatedLists, node lists', () => {
  const nodes = (name: string) => [{ name }] as unknown as Node[];
  const at = (partitions: number, nodesTime: number) => ({ partitions, nodes: nodesTime });
  const asked = (inner: Scripted<NodeListSince>) => inner.asked.map((c) => (c.kind === 'nodes.list.since' ? c.since : c.kind));
  const nodeList = { kind: 'nodes.list' } as const;

  it('asks with both tables\' kept last_update and answers the kept array while neither changed', async () => {
    const inner = scriptedNodes();
    const cache = new ValidatedLists(inner);
    const first = nodes('vm');
    inner.answers.push({ last_update: at(90, 100), nodes: first }, { last_update: at(90, 100), nodes: null });
    expect(await cache.dispatch(nodeList, ctx())).toBe(first);
    expect(await cache.dispatch(nodeList, ctx())).toBe(first);
    expect(asked(inner)).toEqual([at(0, 0), at(90, 100)]);
  });

  it('replaces the kept list when a table changed, and keeps callers apart', async () => {
    const inner = scriptedNodes();
    const cache = new ValidatedLists(inner);
    const second = nodes('vm2');
    inner.answers.push(
      { last_update: at(90, 100), nodes: nodes('vm') },
      { last_update: at(90, 107), nodes: second },
      { last_update: at(90, 100), nodes: nodes('alice-view') },
      { last_update: at(90, 107), nodes: null },
    );
    await cache.dispatch(nodeList, ctx());
    expect(await cache.dispatch(nodeList, ctx())).toBe(second);
    await cache.dispatch(nodeList, ctx('alice')); // alice has nothing kept: a whole load
    expect(await cache.dispatch(nodeList, ctx())).toBe(second);
    expect(asked(inner)).toEqual([at(0, 0), at(90, 100), at(0, 0), at(90, 107)]);
  });

  it(`loads the whole list again once the kept one is ${NODE_LIST_MAX_AGE_MS / 1000} s old, however unchanged`, async () => {
    const inner = scriptedNodes();
    let now = 1_000_000;
    const cache = new ValidatedLists(inner, () => now);
    const fresh = nodes('vm-reloaded');
    inner.answers.push({ last_update: at(90, 100), nodes: nodes('vm') }, { last_update: at(90, 100), nodes: null }, { last_update: at(90, 100), nodes: fresh });
    await cache.dispatch(nodeList, ctx());
    now += NODE_LIST_MAX_AGE_MS - 1;
    await cache.dispatch(nodeList, ctx()); // still young: validated
    now += 1;
    expect(await cache.dispatch(nodeList, ctx())).toBe(fresh); // old enough: asked with 0, 0
    expect(asked(inner)).toEqual([at(0, 0), at(90, 100), at(0, 0)]);
  });

  it('answers nodes.get from the same kept list, and node_not_found for a name it lacks', async () => {
    const inner = scriptedNodes();
    const cache = new ValidatedLists(inner);
    const kept = nodes('vm');
    inner.answers.push({ last_update: at(90, 100), nodes: kept }, { last_update: at(90, 100), nodes: null });
    expect(await cache.dispatch({ kind: 'nodes.get', name: 'vm' }, ctx())).toBe(kept[0]);
    await expect(cache.dispatch({ kind: 'nodes.get', name: 'nope' }, ctx())).rejects.toMatchObject({ code: 'node_not_found', message: 'No node nope' });
    expect(asked(inner)).toEqual([at(0, 0), at(90, 100)]);
  });

  it('passes every other command through untouched', async () => {
    const inner = scriptedNodes();
    const cache = new ValidatedLists(inner);
    expect(await cache.dispatch({ kind: 'partitions.list' }, ctx())).toEqual({ passed: 'partitions.list' });
    expect(asked(inner)).toEqual(['partitions.list']);
  });
});
