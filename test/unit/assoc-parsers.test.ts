/**
 * Accounts, users and QOS (#11): the external executor's sacctmgr parsers and plans on real output
 * captured from Slurm 22.05.8 (test/fixtures/slurm-22.05/README.md), and the shared rules of
 * src/slurm/associations.ts that the internal executor formats slurmdb's records with.
 */
import { readFileSync } from 'node:fs';
import type { ResultOf, SchedulerCommand } from '../../src/commands.js';
import { drivePlanSync } from '../../src/executors/drive.js';
import { planFor } from '../../src/executors/external/plans.js';
import { parseAccounts, parseAssociations, parseQos, splitRows } from '../../src/executors/external/assoc-plans.js';
import type { Invocation, RunResult } from '../../src/executors/external/runner.js';
import { GatewayError } from '../../src/errors.js';
import { minutesText, qosFlagsText, sacctmgrMemory, tresAsSacctmgr, wallMinutes } from '../../src/slurm/associations.js';
import { parseTres } from '../../src/slurm/accounting.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/slurm-22.05/${name}`, import.meta.url), 'utf8');
const tres = (t: Partial<{ cpus: number; memory_mib: number; nodes: number; gpus: number; billing: number }>) => ({ cpus: null, memory_mib: null, nodes: null, gpus: null, billing: null, ...t });

describe('sacctmgr show qos', () => {
  const qos = parseQos(fixture('sacctmgr-qos.txt'));
  it('reads every QOS, sorted by name, with its limits; unset limits are null', () => {
    expect(qos.map((q) => q.name)).toEqual(['fixfast', 'normal']);
    expect(qos[0]).toEqual({
      name: 'fixfast', priority: 10, max_wall: 26 * 60,
      max_tres_per_job: tres({ cpus: 2, memory_mib: 1536 }), // printed "mem=1.50G"
      max_tres_per_user: tres({ cpus: 4, memory_mib: 4096 }),
      max_jobs_per_user: 3, max_submit_jobs_per_user: 5, grp_tres: tres({ cpus: 8 }),
      flags: ['DenyOnLimit', 'NoReserve'],
    });
    expect(qos[1]).toEqual({ name: 'normal', priority: 0, max_wall: null, max_tres_per_job: null, max_tres_per_user: null, max_jobs_per_user: null, max_submit_jobs_per_user: null, grp_tres: null, flags: [] });
  });
});

describe('sacctmgr show assoc user=alice', () => {
  it('reads each association: partition null for any, QOS by name, its limits', () => {
    expect(parseAssociations(fixture('sacctmgr-assoc-alice.txt'))).toEqual([
      { cluster: 'schedrest', account: 'fixacct', partition: 'debug', qos: ['fixfast', 'normal'], default_qos: 'fixfast', max_wall: 90, max_tres_per_job: tres({ cpus: 2 }), grp_tres: tres({ cpus: 4, memory_mib: 2048 }), max_jobs: 2, max_submit_jobs: 4, grp_jobs: 6 },
      { cluster: 'schedrest', account: 'root', partition: null, qos: ['normal'], default_qos: null, max_wall: null, max_tres_per_job: null, grp_tres: null, max_jobs: null, max_submit_jobs: null, grp_jobs: null },
    ]);
  });
});

describe('sacctmgr show account', () => {
  it('reads accounts with a | in Description and in Organization (each the last field of its run), the parent from the account\'s own association', () => {
    expect(parseAccounts(fixture('sacctmgr-accounts-assoc.txt'), fixture('sacctmgr-accounts-org.txt'))).toEqual([
      { name: 'fixacct', description: 'a|b desc', organization: 'org|x', parent: 'root' },
      { name: 'root', description: 'default root account', organization: 'root', parent: null },
    ]);
  });
  it('keeps the rest of a line in the last field only', () => {
    expect(splitRows('a|b|c|d|e\nx|y\n', 3)).toEqual([['a', 'b', 'c|d|e'], ['x', 'y', '']]);
  });
});

type Answer = Omit<RunResult, 'invocation'>;
function run<C extends SchedulerCommand>(command: C, answers: Answer[]): { value?: ResultOf<C>; error?: GatewayError; runs: Invocation[] } {
  const runs: Invocation[] = [];
  try {
    const value = drivePlanSync(planFor(command), (invocation: Invocation) => {
      runs.push(invocation);
      const a = answers[runs.length - 1];
      if (!a) throw new Error(`no answer for run ${runs.length}`);
      return { invocation, ...a };
    });
    return { value: value as ResultOf<C>, runs };
  } catch (error) {
    if (error instanceof GatewayError) return { error, runs };
    throw error;
  }
}
const ok = (stdout: string): Answer => ({ exitCode: 0, stdout, stderr: '' });

describe('users.get (sacctmgr)', () => {
  it('asks for the lowercased name, then its associations, and answers the user', () => {
    const { value, runs } = run({ kind: 'users.get', name: 'Alice' }, [ok(fixture('sacctmgr-user-alice.txt')), ok(fixture('sacctmgr-assoc-alice.txt'))]);
    expect(runs.map((r) => r.args)).toEqual([
      ['--noheader', '--parsable2', 'show', 'user', 'name=alice', 'format=User,DefaultAccount,AdminLevel'],
      ['--noheader', '--parsable2', 'show', 'assoc', 'user=alice', 'format=Cluster,Account,Partition,QOS,DefaultQOS,MaxWall,MaxTRES,GrpTRES,MaxJobs,MaxSubmitJobs,GrpJobs'],
    ]);
    expect(value).toMatchObject({ name: 'alice', default_account: 'root', admin_level: 'none' });
    expect(value!.associations.map((a) => a.account)).toEqual(['fixacct', 'root']);
  });
  it('reads root as an administrator', () => {
    expect(run({ kind: 'users.get', name: 'root' }, [ok(fixture('sacctmgr-user-root.txt')), ok('')]).value).toEqual({ name: 'root', default_account: 'root', admin_level: 'administrator', associations: [] });
  });
  it('answers 404 user_not_found for empty output with exit 0 (what sacctmgr prints for an unknown user)', () => {
    const { error, runs } = run({ kind: 'users.get', name: 'nosuch' }, [ok(fixture('sacctmgr-user-unknown.txt'))]);
    expect(error).toMatchObject({ code: 'user_not_found', status: 404 });
    expect(runs).toHaveLength(1);
  });
  it('answers 503 when slurmdbd is down and 501 without accounting', () => {
    expect(run({ kind: 'users.get', name: 'alice' }, [{ exitCode: 1, stdout: '', stderr: fixture('sacctmgr-down.stderr') }]).error).toMatchObject({ code: 'accounting_unavailable', status: 503 });
    expect(run({ kind: 'qos.list' }, [{ exitCode: 1, stdout: '', stderr: fixture('sacctmgr-none.stderr') }]).error).toMatchObject({ code: 'accounting_not_configured', status: 501 });
    expect(run({ kind: 'accounts.list' }, [{ exitCode: 1, stdout: '', stderr: fixture('sacctmgr-down.stderr') }]).error).toMatchObject({ code: 'accounting_unavailable' });
  });
});

describe('the shared rules (what the internal executor formats slurmdb values with)', () => {
  it('memory as sacctmgr prints it: exact units only, as seen on 22.05.8', () => {
    expect([1500, 1536, 1000, 2048, 3000, 1025, 1048576, 1049600].map(sacctmgrMemory)).toEqual(['1500M', '1.50G', '1000M', '2G', '3000M', '1025M', '1T', '1025G']);
    expect(tresAsSacctmgr('cpu=2,mem=1536,node=1')).toBe('cpu=2,mem=1.50G,node=1');
    expect(parseTres(tresAsSacctmgr('mem=1572864'))).toEqual(tres({ memory_mib: 1572864 }));
    expect(tresAsSacctmgr(null)).toBe('');
  });
  it('time limits: minutes to sacctmgr text and back', () => {
    expect([90, 1560, 2160, 0].map(minutesText)).toEqual(['01:30:00', '1-02:00:00', '1-12:00:00', '00:00:00']);
    for (const m of [1, 59, 90, 1440, 1560, 525600]) expect(wallMinutes(minutesText(m))).toBe(m);
    expect(wallMinutes('')).toBeNull();
    expect(wallMinutes('UNLIMITED')).toBeNull();
  });
  it('QOS flags in slurmdb_qos_flags_str() order and names', () => {
    expect(qosFlagsText((1 << 6) | (1 << 4))).toBe('DenyOnLimit,NoReserve');
    expect(qosFlagsText(0)).toBe('');
    expect(qosFlagsText(0x10000000)).toBe('NotSet');
  });
});
