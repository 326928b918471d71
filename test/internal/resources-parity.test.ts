/**
 * #12: nodes' GRES, TRES, load, address, OS and boot times, reservations, licenses, and the
 * backfill and per-user RPC statistics answer the same through both executors, object by object,
 * on the real cluster (scripts/cluster.sh: node with Features=fast,ssd and Gres=gpu:fake:2,
 * Licenses=matlab:4, reservation sr-lic holding one matlab license for root and alice), through
 * executeSync and execute. A node's load and free memory move between two calls: settle() retries
 * until both reads agree.
 */
import { execFileSync } from 'node:child_process';
import type { ClusterInfo, License, Node, Reservation } from '../../src/model.js';
import { internal, external, MODES, run, settle, uniqueName, waitForJob, codeOf, ctx } from './support.js';

const SR_LIC: Omit<Reservation, 'start_time' | 'end_time'> = {
  name: 'sr-lic', state: 'ACTIVE', nodes: null, node_count: 0, core_count: 0, partition: null,
  users: ['root', 'alice'], accounts: [], licenses: { matlab: 1 }, flags: ['ANY_NODES'], tres: null,
};

describe.each(MODES)('%s', (mode) => {
  test('nodes: GRES, features, TRES, address, OS and boot times, equal in both', async () => {
    const { external: e, internal: i } = await settle(mode, { kind: 'nodes.list' });
    expect(i).toEqual(e);
    const node = (e as Node[])[0]!;
    expect(node).toMatchObject({
      gres: 'gpu:fake:2', features: ['fast', 'ssd'], active_features: ['fast', 'ssd'],
      tres: { cpus: node.cpus.total, memory_mib: node.memory_mib.total, gpus: 2 },
      address: expect.any(String), hostname: expect.any(String), os: expect.stringMatching(/^Linux /),
    });
    expect(node.gres_used).toMatch(/^gpu:fake:\d(\(IDX:[\d,-]+\))?$/);
    expect(node.cpu_load === null || node.cpu_load >= 0).toBe(true);
    expect(Date.parse(node.boot_time!)).toBeLessThanOrEqual(Date.parse(node.slurmd_start_time!));
    const one = await settle(mode, { kind: 'nodes.get', name: node.name });
    expect(one.internal).toEqual(one.external);
  });

  test('partitions: configured TRES', async () => {
    const { external: e, internal: i } = await settle(mode, { kind: 'partitions.list' });
    expect(i).toEqual(e);
    expect((e as Array<{ tres: { gpus: number | null } | null }>).every((p) => p.tres?.gpus === 2)).toBe(true);
  });

  test('reservations.list and reservations.get: sr-lic', async () => {
    const list = await settle(mode, { kind: 'reservations.list' });
    expect(list.internal).toEqual(list.external);
    const srLic = (list.external as Reservation[]).find((r) => r.name === 'sr-lic');
    expect(srLic).toMatchObject(SR_LIC);
    expect(Date.parse(srLic!.start_time!)).toBeLessThan(Date.now());
    expect(Date.parse(srLic!.end_time!)).toBeGreaterThan(Date.now());
    const one = await settle(mode, { kind: 'reservations.get', name: 'sr-lic' });
    expect(one.internal).toEqual(one.external);
    expect(one.external).toEqual(srLic);
  });

  test('reservations.get of an unknown reservation: reservation_not_found in both', async () => {
    const command = { kind: 'reservations.get', name: 'no-such-reservation' } as const;
    expect(await codeOf(external, 'sync', command)).toBe('reservation_not_found');
    expect(await codeOf(internal, mode, command)).toBe('reservation_not_found');
  });

  test('licenses.list: matlab', async () => {
    const { external: e, internal: i } = await settle(mode, { kind: 'licenses.list' });
    expect(i).toEqual(e);
    const matlab = (e as License[]).find((l) => l.name === 'matlab')!;
    expect(matlab).toMatchObject({ total: 4, reserved: 1, remote: false });
    expect(matlab.used + matlab.free).toBe(matlab.total);
  });

  test('cluster.info: backfill statistics and RPCs by user, of the same shape and users', async () => {
    const e = (await run(external, 'sync', { kind: 'cluster.info' })).statistics;
    const i = (await run(internal, mode, { kind: 'cluster.info' }) as ClusterInfo).statistics;
    expect(Object.keys(i.backfill).sort()).toEqual(Object.keys(e.backfill).sort());
    for (const key of Object.keys(e.backfill) as Array<keyof typeof e.backfill>) {
      // A mean is null until the first cycle; the cycle count can only grow between the two reads.
      if (e.backfill[key] !== null) expect(typeof i.backfill[key]).toBe(typeof e.backfill[key]);
    }
    expect(i.backfill.cycle_count).toBeGreaterThanOrEqual(e.backfill.cycle_count);
    const root = (s: typeof e) => s.rpc_by_user.find((u) => u.user === 'root');
    expect(root(e)).toMatchObject({ user_id: 0, count: expect.any(Number) });
    // The internal read came second, and sdiag's own read is one more RPC of root's.
    expect(root(i)!.count).toBeGreaterThan(root(e)!.count);
    for (const u of [...e.rpc_by_user, ...i.rpc_by_user]) expect(u.average_time_us).toBe(u.count > 0 ? Math.floor(u.total_time_us / u.count) : 0);
    expect(i.rpc_by_user.map((u) => u.count)).toEqual([...i.rpc_by_user.map((u) => u.count)].sort((a, b) => b - a));
  });
});

test('a job holding a GPU and a license: GRES in use, allocated TRES and license counts equal in both', async () => {
  const name = uniqueName('gres');
  const id = execFileSync('sbatch', ['--parsable', '-J', name, '--gres=gpu:1', '-L', 'matlab:1', '-c', '1', '-t', '5', '-o', '/dev/null', '--wrap', 'sleep 120'], { encoding: 'utf8' }).trim().split(';')[0]!;
  try {
    await waitForJob(id, (j) => j.state === 'RUNNING', 60);
    for (const mode of MODES) {
      const nodes = await settle(mode, { kind: 'nodes.list' });
      expect(nodes.internal).toEqual(nodes.external);
      const node = (nodes.external as Node[])[0]!;
      expect(node.gres_used).toMatch(/^gpu:fake:[12]\(IDX:[\d,-]+\)$/);
      expect(node.tres_allocated).toMatchObject({ cpus: expect.any(Number), gpus: expect.any(Number) });
      expect(node.tres_allocated!.gpus).toBeGreaterThanOrEqual(1);
      const licenses = await settle(mode, { kind: 'licenses.list' });
      expect(licenses.internal).toEqual(licenses.external);
      expect((licenses.external as License[]).find((l) => l.name === 'matlab')!.used).toBeGreaterThanOrEqual(1);
    }
  } finally {
    external.executeSync({ kind: 'jobs.cancel', jobId: id }, ctx());
  }
}, 120_000);
