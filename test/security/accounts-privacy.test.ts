/**
 * Accounts, users and QOS act as their caller (#11): the gateway has no rule of its own, slurmdbd
 * decides with the caller's token. Without PrivateData, alice reads bob's user record like her
 * own; with PrivateData=users in slurmdbd.conf, she reads her own and bob's is not there for her
 * (404 user_not_found, as sacctmgr shows her nothing). Run with the gateway as SECURITY.md deploys
 * it (service user, --auth=jwt), once per executor.
 *
 * The PrivateData test appends PrivateData=users to the cluster's slurmdbd.conf and has slurmdbd
 * reread it (`sacctmgr reconfigure`); afterAll restores the file and rereads it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import request from 'supertest';
import { availableExecutors } from '../support/executors.js';
import { modes } from '../support/gateway.js';
import { startServiceGateway, token, ensureAssociations } from '../support/identity.js';
import type { Gateway } from '../support/gateway.js';

const DBD_CONF = join(dirname(process.env.SLURM_CONF!), 'slurmdbd.conf');
const original = readFileSync(DBD_CONF, 'utf8');

const setPrivateData = (on: boolean) => {
  writeFileSync(DBD_CONF, on ? `${original.trimEnd()}\nPrivateData=users\n` : original);
  execFileSync('sacctmgr', ['reconfigure']);
};

beforeAll(() => ensureAssociations());
afterAll(() => setPrivateData(false));

describe.each(availableExecutors().filter((e) => modes().some((m) => m.executor === e)))('users as the caller: --executor=%s --auth=jwt', (executor) => {
  let gateway: Gateway;
  beforeAll(async () => { gateway = await startServiceGateway(executor, 'thread'); });
  afterAll(() => gateway.stop());

  const get = async (caller: string, path: string) => request(gateway.url).get(path).set('Authorization', `Bearer ${await token(caller)}`);

  it('without PrivateData: alice reads her record and bob\'s, and the QOS and accounts', async () => {
    setPrivateData(false);
    expect((await get('alice', '/v1/users/alice')).body).toMatchObject({ name: 'alice', default_account: 'root' });
    expect((await get('alice', '/v1/users/bob')).body).toMatchObject({ name: 'bob', default_account: 'root' });
    expect((await get('alice', '/v1/qos')).body.qos.map((q: { name: string }) => q.name)).toContain('normal');
    expect((await get('alice', '/v1/accounts')).body.accounts.map((a: { name: string }) => a.name)).toContain('root');
  });

  it('with PrivateData=users: alice reads her own record; bob\'s is not there for her', async () => {
    setPrivateData(true);
    try {
      const own = await get('alice', '/v1/users/alice');
      expect([own.status, own.body.name]).toEqual([200, 'alice']);
      const other = await get('alice', '/v1/users/bob');
      expect([other.status, other.body.error?.code]).toEqual([404, 'user_not_found']);
    } finally {
      setPrivateData(false);
    }
  });
});
