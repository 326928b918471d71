/**
 * #12: reservations, licenses, nodes and the controller's statistics are read as their caller
 * under --auth=jwt, like every other route: no token is 401 and runs nothing; with alice's token,
 * slurmctld counts the calls as alice's (sdiag's RPCs by user, read back through /v1/cluster).
 * Run with the gateway as SECURITY.md deploys it (service user, --auth=jwt), once per executor.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { availableExecutors } from '../support/executors.js';
import { modes } from '../support/gateway.js';
import { account, startServiceGateway, token } from '../support/identity.js';
import type { Gateway } from '../support/gateway.js';

const ROUTES = ['/v1/reservations', '/v1/reservations/sr-lic', '/v1/licenses', '/v1/nodes', '/v1/cluster'];

describe.each(availableExecutors().filter((e) => modes().some((m) => m.executor === e)))('resources as the caller: --executor=%s --auth=jwt', (executor) => {
  let gateway: Gateway;
  beforeAll(async () => { gateway = await startServiceGateway(executor, 'thread'); });
  afterAll(() => gateway.stop());

  const get = async (caller: string, path: string, status = 200) => {
    const res = await request(gateway.url).get(path).set('Authorization', `Bearer ${await token(caller)}`);
    expect([path, res.status]).toEqual([path, status]);
    return res;
  };
  const rpcsOf = async (caller: string) => {
    const { body } = await get(caller, '/v1/cluster');
    return (body.statistics.rpc_by_user as Array<{ user: string; user_id: number; count: number }>).find((u) => u.user === caller);
  };

  it('answers 401 without a token', async () => {
    for (const path of ROUTES) {
      const res = await request(gateway.url).get(path);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 401, 'unauthorized']);
    }
  });

  it("reads as the token's user: slurmctld counts alice's reads as alice's RPCs", async () => {
    // None yet on a fresh slurmctld (a statistics read is counted after its answer is made).
    const before = (await rpcsOf('alice'))?.count ?? 0;
    expect((await get('alice', '/v1/reservations')).body.reservations.map((r: { name: string }) => r.name)).toContain('sr-lic');
    expect((await get('alice', '/v1/reservations/sr-lic')).body).toMatchObject({ name: 'sr-lic', users: ['root', 'alice'] });
    expect((await get('alice', '/v1/reservations/no-such-reservation', 404)).body.error.code).toBe('reservation_not_found');
    expect((await get('alice', '/v1/licenses')).body.licenses.map((l: { name: string }) => l.name)).toContain('matlab');
    const after = await rpcsOf('alice');
    expect(after).toMatchObject({ user_id: account('alice').uid });
    // The first statistics read, three reservation reads and one license read: at least five.
    expect(after!.count - before).toBeGreaterThanOrEqual(5);
  });

  it('bob, whom sr-lic does not name, still sees it (no PrivateData=reservations)', async () => {
    expect((await get('bob', '/v1/reservations/sr-lic')).body.users).toEqual(['root', 'alice']);
  });

  describe('with PrivateData=reservations in slurm.conf', () => {
    const conf = process.env.SLURM_CONF!;
    let original = '';
    beforeAll(() => {
      original = readFileSync(conf, 'utf8');
      writeFileSync(conf, `${original.trimEnd()}\nPrivateData=reservations\n`);
      execFileSync('scontrol', ['reconfigure']);
    });
    afterAll(() => {
      writeFileSync(conf, original);
      execFileSync('scontrol', ['reconfigure']);
    });

    it('bob no longer sees sr-lic, in the list or by name (404, as for a name that does not exist); alice, whom it names, does', async () => {
      const names = (await get('bob', '/v1/reservations')).body.reservations.map((r: { name: string }) => r.name);
      expect(names).not.toContain('sr-lic');
      expect((await get('bob', '/v1/reservations/sr-lic', 404)).body.error.code).toBe('reservation_not_found');
      expect((await get('alice', '/v1/reservations')).body.reservations.map((r: { name: string }) => r.name)).toContain('sr-lic');
      expect((await get('alice', '/v1/reservations/sr-lic')).body).toMatchObject({ name: 'sr-lic' });
    });
  });
});
