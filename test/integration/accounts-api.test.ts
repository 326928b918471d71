/**
 * Accounts, users and QOS over HTTP (#11), in every combination the checkout can run, on the real
 * cluster: GET /v1/accounts, GET /v1/users/{name} and GET /v1/qos answer the same JSON in all of
 * them (the first combination's answer is the reference), with limits set on QOS normal and on an
 * association of alice for the run (put back in afterAll); an unknown user is 404 user_not_found; a
 * bad name or an unknown query parameter is 400 naming the field.
 */
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { modes, startGateway, type Gateway } from '../support/gateway.js';
import { availableExecutors } from '../support/executors.js';
import { uniqueName } from '../support/slurm.js';

const sacctmgr = (...args: string[]) => execFileSync('sacctmgr', args, { encoding: 'utf8' });
const account = uniqueName('sracct').toLowerCase();
let before: string[] = [];
/** The answers of the first combination, which every other must equal. */
const reference: Record<string, unknown> = {};

beforeAll(() => {
  before = sacctmgr('-n', '-P', 'show', 'qos', 'normal', 'format=MaxWall,MaxTRES,Flags').trim().split('|');
  sacctmgr('-i', 'modify', 'qos', 'normal', 'set', 'MaxWall=08:00:00', 'MaxTRES=cpu=8,mem=4G', 'Flags=NoReserve');
  sacctmgr('-i', 'add', 'account', account, 'Parent=root', 'Description=portal test');
  sacctmgr('-i', 'add', 'user', 'alice', `Account=${account}`, 'QOS=normal', 'GrpTRES=cpu=6', 'MaxJobs=4');
});

afterAll(() => {
  sacctmgr('-i', 'delete', 'user', 'alice', `account=${account}`);
  sacctmgr('-i', 'delete', 'account', account);
  const [maxWall, maxTres, flags] = before;
  sacctmgr('-i', 'modify', 'qos', 'normal', 'set', `MaxWall=${maxWall || '-1'}`, `MaxTRES=${maxTres || 'cpu=-1,mem=-1'}`, `Flags=${flags || '-1'}`);
});

describe.each(modes().filter((m) => availableExecutors().includes(m.executor)))('accounts, users and QOS over HTTP: --executor=$executor --application=$application', ({ executor, application }) => {
  let gateway: Gateway;
  beforeAll(async () => { gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=2']); });
  afterAll(() => gateway.stop());

  const same = (key: string, body: unknown) => {
    if (!(key in reference)) reference[key] = body;
    expect(body).toEqual(reference[key]);
  };

  it('GET /v1/accounts: the accounts, the new one under root', async () => {
    const res = await request(gateway.url).get('/v1/accounts');
    expect(res.status).toBe(200);
    expect(res.body.accounts).toEqual(expect.arrayContaining([{ name: account, description: 'portal test', organization: account, parent: 'root' }]));
    same('accounts', res.body);
  });

  it('GET /v1/users/alice: her associations and the limits set on the new one', async () => {
    const res = await request(gateway.url).get('/v1/users/alice');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'alice', admin_level: 'none' });
    expect(res.body.associations.find((a: { account: string }) => a.account === account)).toEqual({
      cluster: 'schedrest', account, partition: null, qos: ['normal'], default_qos: null, max_wall: null,
      max_tres_per_job: null, grp_tres: { cpus: 6, memory_mib: null, nodes: null, gpus: null, billing: null },
      max_jobs: 4, max_submit_jobs: null, grp_jobs: null,
    });
    same('alice', res.body);
  });

  it('GET /v1/qos: normal with the limits set here', async () => {
    const res = await request(gateway.url).get('/v1/qos');
    expect(res.status).toBe(200);
    expect(res.body.qos.find((q: { name: string }) => q.name === 'normal')).toMatchObject({
      max_wall: 480, max_tres_per_job: { cpus: 8, memory_mib: 4096, nodes: null, gpus: null, billing: null }, flags: ['NoReserve'],
    });
    same('qos', res.body);
  });

  it('answers 404 user_not_found for a user accounting does not know', async () => {
    const res = await request(gateway.url).get('/v1/users/nosuchuser');
    expect([res.status, res.body.error.code]).toEqual([404, 'user_not_found']);
  });

  it.each([
    ['/v1/users/-rf', /user name: must be a Slurm name/],
    ['/v1/users/a%7Cb', /user name: must be a Slurm name/],
    ['/v1/qos?name=normal', /query: .*name/],
    ['/v1/accounts?x=1', /query: .*x/],
  ])('refuses %s with a 400 naming the field', async (path, message) => {
    const res = await request(gateway.url).get(path);
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_request']);
    expect(res.body.error.message).toMatch(message);
  });
});
