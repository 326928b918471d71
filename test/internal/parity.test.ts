/**
 * The internal executor answers what the external one answers, field for field, for the same
 * objects on the real cluster, through executeSync and execute. Fields that legitimately change
 * between two calls: cluster.info's statistics (every counter moves, and reading them is itself
 * an RPC that sdiag counts), and a job's state/reason/times/nodes when the scheduler acts between
 * the two reads (settle() retries until both reads agree).
 */
import type { ClusterInfo } from '../../src/model.js';
import type { JobFilter } from '../../src/commands.js';
import { internal, external, MODES, run, settle, uniqueName, waitForJob, ctx } from './support.js';

const script = '#!/bin/sh\nsleep 600\n';
const held: string[] = [];
let arrayId = '';
const name = uniqueName('parity');

beforeAll(async () => {
  // Pending (held) jobs whose records do not move while we compare: a plain one and an array.
  for (let i = 0; i < 2; i++) {
    held.push(String(external.executeSync({ kind: 'jobs.submit', submission: { script, name, hold: true, time_limit: 5, comment: 'parity' } }, ctx()).job_id));
  }
  arrayId = String(external.executeSync({ kind: 'jobs.submit', submission: { script, name, hold: true, array: '1-4%2' } }, ctx()).job_id);
});

afterAll(() => {
  for (const id of [...held, arrayId]) {
    try { external.executeSync({ kind: 'jobs.cancel', jobId: id }, ctx()); } catch { /* gone */ }
  }
});

describe.each(MODES)('%s', (mode) => {
  test('ping', async () => {
    const { external: e, internal: i } = await settle(mode, { kind: 'ping' });
    expect(i).toEqual(e);
    expect(i).toMatchObject({ controller_reachable: true });
  });

  test('cluster.info: name, version, controllers equal; statistics of the same shape', async () => {
    const e = await run(external, 'sync', { kind: 'cluster.info' });
    const i = await run(internal, mode, { kind: 'cluster.info' }) as ClusterInfo;
    const { statistics: es, ...erest } = e;
    const { statistics: is, ...irest } = i;
    expect(irest).toEqual(erest);
    expect(Object.keys(is).sort()).toEqual(Object.keys(es).sort());
    for (const key of Object.keys(es) as Array<keyof typeof es>) {
      expect(typeof is[key]).toBe(typeof es[key]);
    }
    // Every RPC type sdiag reported is there, under the same name, with a count at least as high.
    for (const [rpc, stats] of Object.entries(es.rpc_by_type)) {
      expect(is.rpc_by_type[rpc]?.count).toBeGreaterThanOrEqual(stats.count);
    }
    expect(is.rpc_by_type.REQUEST_STATS_INFO).toBeDefined();
  });

  test('partitions.list and partitions.get', async () => {
    const list = await settle(mode, { kind: 'partitions.list' });
    expect(list.internal).toEqual(list.external);
    for (const p of list.external as Array<{ name: string }>) {
      const one = await settle(mode, { kind: 'partitions.get', name: p.name });
      expect(one.internal).toEqual(one.external);
    }
  });

  test('nodes.list and nodes.get', async () => {
    const list = await settle(mode, { kind: 'nodes.list' });
    expect(list.internal).toEqual(list.external);
    for (const n of list.external as Array<{ name: string }>) {
      const one = await settle(mode, { kind: 'nodes.get', name: n.name });
      expect(one.internal).toEqual(one.external);
    }
  });

  test('jobs.list, unfiltered (every job, in squeue order)', async () => {
    const { external: e, internal: i } = await settle(mode, { kind: 'jobs.list', filter: {} });
    expect(JSON.stringify(i)).toBe(JSON.stringify(e));
    expect((e as unknown[]).length).toBeGreaterThanOrEqual(3);
  });

  test.each([
    ['user', () => ({ user: ['root'] })],
    ['users, one unknown to the job set', () => ({ user: ['root', 'nobody'] })],
    ['a user that does not exist (selects nothing: an empty list, #12)', () => ({ user: ['nosuchuser'] })],
    ['users, one of which does not exist', () => ({ user: ['nosuchuser', 'root'] })],
    ['state', () => ({ state: ['PENDING' as const] })],
    ['states', () => ({ state: ['PENDING' as const, 'COMPLETED' as const, 'CANCELLED' as const] })],
    ['partition', () => ({ partition: ['debug'] })],
    ['account', () => ({ account: ['ROOT'] })],
    ['name (any case)', () => ({ name: [name.toUpperCase()] })],
    ['one job id', () => ({ job_id: [held[0]!] })],
    ['job ids', () => ({ job_id: [held[0]!, held[1]!, '999999'] })],
    ['array job id', () => ({ job_id: [arrayId] })],
    ['array task ids (split out of the pending record)', () => ({ job_id: [`${arrayId}_2`, `${arrayId}_3`] })],
    ['array task id', () => ({ job_id: [`${arrayId}_4`] })],
    ['unknown job id', () => ({ job_id: ['999999'] })],
    ['an id squeue refuses, alone', () => ({ job_id: ['4294967296'] })],
    ['ids, one of them refused by squeue (then asked id by id)', () => ({ job_id: [held[1]!, '4294967296', held[0]!] })],
    ['everything at once', () => ({ user: ['root'], state: ['PENDING' as const], partition: ['debug'], name: [name], job_id: [held[1]!, arrayId] })],
    ['empty lists', () => ({ state: [] })],
  ])('jobs.list filtered by %s', async (_, filter) => {
    const { external: e, internal: i } = await settle(mode, { kind: 'jobs.list', filter: filter() });
    expect(JSON.stringify(i)).toBe(JSON.stringify(e));
    const users = (filter() as JobFilter).user;
    if (users?.[0] === 'nosuchuser') expect(e).toEqual(users.length === 1 ? [] : expect.arrayContaining([expect.objectContaining({ user: 'root' })]));
  });

  test('jobs.get: a job, an array record, an array task', async () => {
    for (const jobId of [held[0]!, arrayId, `${arrayId}_3`]) {
      const { external: e, internal: i } = await settle(mode, { kind: 'jobs.get', jobId });
      expect(i).toEqual(e);
    }
  });

  test('jobs.get of finished jobs', async () => {
    const done = (external.executeSync({ kind: 'jobs.list', filter: { state: ['COMPLETED'] } }, ctx()) as Array<{ job_id: number }>).slice(0, 5);
    for (const job of done) {
      const { external: e, internal: i } = await settle(mode, { kind: 'jobs.get', jobId: String(job.job_id) });
      expect(i).toEqual(e);
    }
  });
});

test('exit codes and output paths of finished jobs: exited, failed, killed by a signal', async () => {
  const ids = ['exit 0', 'exit 3', 'kill -TERM $$'].map((body) => String(external.executeSync({
    kind: 'jobs.submit', submission: { script: `#!/bin/sh\n${body}\n`, stdout: '/tmp/sr-%x-%j.out', name: uniqueName('exit') },
  }, ctx()).job_id));
  for (const id of ids) await waitForJob(id, (j) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(j.state));
  for (const mode of MODES) {
    for (const jobId of ids) {
      const { external: e, internal: i } = await settle(mode, { kind: 'jobs.get', jobId });
      expect(i).toEqual(e);
    }
  }
  const codes = ids.map((jobId) => (internal.executeSync({ kind: 'jobs.get', jobId }, ctx())).exit_code);
  expect(codes).toEqual([0, 3, 128 + 15]);
}, 60_000);

test('an array task split off by an update folds back like squeue does', async () => {
  // Updating one pending task splits it into its own record; squeue folds it back into the array.
  internal.executeSync({ kind: 'jobs.update', jobId: `${arrayId}_1`, update: { comment: 'split' } }, ctx());
  for (const mode of MODES) {
    const { external: e, internal: i } = await settle(mode, { kind: 'jobs.list', filter: { job_id: [arrayId] } });
    expect(JSON.stringify(i)).toBe(JSON.stringify(e));
  }
  await waitForJob(arrayId, (j) => j.array_tasks !== null);
});
