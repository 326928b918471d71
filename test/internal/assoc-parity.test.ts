/**
 * Accounts, users and QOS (#11): the internal executor (slurmdb API) answers what the external one
 * (sacctmgr) answers, object by object, on the real cluster. The suite sets limits on QOS normal
 * and adds an account with a limit (MaxJobs, which its users' associations inherit) and an association of alice under it, so that limits are not
 * all null, and puts everything back in afterAll.
 */
import { execFileSync } from 'node:child_process';
import { codeOf, external, internal, MODES, run, uniqueName } from './support.js';

const sacctmgr = (...args: string[]) => execFileSync('sacctmgr', args, { encoding: 'utf8' });
const account = uniqueName('sracct').toLowerCase();
let before: Record<string, string> = {};

beforeAll(() => {
  const [maxWall, maxTresPu, maxJobsPu, flags] = sacctmgr('-n', '-P', 'show', 'qos', 'normal', 'format=MaxWall,MaxTRESPerUser,MaxJobsPerUser,Flags').trim().split('|');
  before = { maxWall: maxWall!, maxTresPu: maxTresPu!, maxJobsPu: maxJobsPu!, flags: flags! };
  sacctmgr('-i', 'modify', 'qos', 'normal', 'set', 'MaxWall=1-12:00:00', 'MaxTRESPerUser=cpu=4,mem=1536M', 'MaxJobsPerUser=7', 'Flags=DenyOnLimit');
  sacctmgr('-i', 'add', 'account', account, 'Parent=root', 'Description=portal|test account', 'Organization=org|unit', 'MaxJobs=5');
  sacctmgr('-i', 'add', 'user', 'alice', `Account=${account}`, 'Partition=debug', 'QOS=normal', 'MaxTRES=cpu=2,mem=2G', 'MaxSubmitJobs=3', 'MaxWall=90');
});

afterAll(() => {
  sacctmgr('-i', 'delete', 'user', 'alice', `account=${account}`);
  sacctmgr('-i', 'delete', 'account', account);
  const tresOff = (before.maxTresPu || 'cpu=-1,mem=-1');
  sacctmgr('-i', 'modify', 'qos', 'normal', 'set', `MaxWall=${before.maxWall || '-1'}`, `MaxTRESPerUser=${before.maxTresPu ? tresOff : 'cpu=-1,mem=-1'}`,
    `MaxJobsPerUser=${before.maxJobsPu || '-1'}`, `Flags=${before.flags || '-1'}`);
});

describe.each(MODES)('%s', (mode) => {
  test('accounts.list: the same accounts, every field equal; the new one under root with its description and organization', async () => {
    const [e, i] = [await run(external, 'sync', { kind: 'accounts.list' }), await run(internal, mode, { kind: 'accounts.list' })];
    expect(i).toEqual(e);
    expect(e.find((a) => a.name === account)).toEqual({ name: account, description: 'portal|test account', organization: 'org|unit', parent: 'root' });
    expect(e.find((a) => a.name === 'root')).toMatchObject({ parent: null });
  });

  test('users.get: alice with both associations and their limits, equal; root too', async () => {
    const [e, i] = [await run(external, 'sync', { kind: 'users.get', name: 'alice' }), await run(internal, mode, { kind: 'users.get', name: 'alice' })];
    expect(i).toEqual(e);
    expect(e).toMatchObject({ name: 'alice', admin_level: 'none' });
    expect(e.associations.find((a) => a.account === account)).toMatchObject({
      partition: 'debug', qos: ['normal'], max_wall: 90, max_submit_jobs: 3, max_jobs: 5, // max_jobs: the account's, inherited
      max_tres_per_job: { cpus: 2, memory_mib: 2048, nodes: null, gpus: null, billing: null },
    });
    const [er, ir] = [await run(external, 'sync', { kind: 'users.get', name: 'root' }), await run(internal, mode, { kind: 'users.get', name: 'root' })];
    expect(ir).toEqual(er);
    expect(er).toMatchObject({ name: 'root', admin_level: 'administrator', default_account: 'root' });
  });

  test('users.get: a name is looked up lowercased, as sacctmgr does; an unknown user is user_not_found in both', async () => {
    expect(await run(internal, mode, { kind: 'users.get', name: 'ALICE' })).toEqual(await run(external, 'sync', { kind: 'users.get', name: 'ALICE' }));
    expect((await run(internal, mode, { kind: 'users.get', name: 'ALICE' })).name).toBe('alice');
    expect(await codeOf(external, 'sync', { kind: 'users.get', name: 'nosuchuser' })).toBe('user_not_found');
    expect(await codeOf(internal, mode, { kind: 'users.get', name: 'nosuchuser' })).toBe('user_not_found');
  });

  test('qos.list: the same QOS, every field equal; normal with the limits set here (1536M, which sacctmgr prints as 1.50G)', async () => {
    const [e, i] = [await run(external, 'sync', { kind: 'qos.list' }), await run(internal, mode, { kind: 'qos.list' })];
    expect(i).toEqual(e);
    expect(e.find((q) => q.name === 'normal')).toMatchObject({
      max_wall: 2160, max_jobs_per_user: 7, flags: ['DenyOnLimit'],
      max_tres_per_user: { cpus: 4, memory_mib: 1536, nodes: null, gpus: null, billing: null },
    });
  });
});
