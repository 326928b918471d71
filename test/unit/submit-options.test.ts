import { mailTypeBits, slurmTime, MAIL_USER, GRES, CONSTRAINT, LICENSES } from '../../src/slurm/submit-options.js';
import { sbatchArgs } from '../../src/executors/external/plans.js';
import { withJobEnvironment } from '../../src/executors/external/environment.js';

describe('submit options (#12)', () => {
  it('writes times as sbatch reads them: UTC, or the zone the job sets for itself', () => {
    const t = Date.parse('2030-01-01T00:00:00Z') / 1000;
    expect(slurmTime(t)).toBe('2030-01-01T00:00:00');
    expect(slurmTime(t, 'Europe/Paris')).toBe('2030-01-01T01:00:00');
    expect(slurmTime(t, 'Not/AZone')).toBeUndefined();
    expect(sbatchArgs({ script: '#!/bin/sh\n', begin_time: t, environment: { TZ: 'America/New_York' } })).toContain('--begin=2029-12-31T19:00:00');
    expect(() => sbatchArgs({ script: '#!/bin/sh\n', deadline: t, environment: { TZ: 'EST5EDT,M3.2.0' } })).toThrow(/deadline.*environment\.TZ/);
  });

  it("runs sbatch in the job's own zone when it sets one, else in UTC (the zone the times above were written in)", () => {
    const base = { PATH: '/usr/bin', TZ: 'UTC' };
    expect(withJobEnvironment(base, ['--export=NIL'], { TZ: 'Europe/Paris' }, 'token').env.TZ).toBe('Europe/Paris');
    expect(withJobEnvironment(base, ['--export=NIL'], { TZ: 'Europe/Paris' }, undefined).env.TZ).toBe('Europe/Paris');
    expect(withJobEnvironment(base, ['--export=NIL'], { FOO: '1' }, 'token').env.TZ).toBe('UTC');
  });

  it('maps the options to sbatch flags, values as single argv elements', () => {
    expect(sbatchArgs({ script: '#!/bin/sh\n', gpus: 'fake:1', gres: 'gpu:2', constraint: 'fast&ssd', memory_per_cpu: 100, reservation: 'r', exclusive: true,
      mail_type: ['END', 'FAIL'], mail_user: 'a@b.c', tasks_per_node: 2, licenses: 'matlab:1', requeue: false })).toEqual(expect.arrayContaining([
      '--gpus=fake:1', '--gres=gpu:2', '--constraint=fast&ssd', '--mem-per-cpu=100M', '--reservation=r', '--exclusive', '--mail-type=END,FAIL',
      '--mail-user=a@b.c', '--ntasks-per-node=2', '--licenses=matlab:1', '--no-requeue',
    ]));
  });

  it('knows the mail type bits of slurm.h and the grammars', () => {
    expect(mailTypeBits(['END', 'FAIL'])).toBe(0x6);
    expect(mailTypeBits(['ALL'])).toBe(0x50f);
    expect(['root', 'a.b+c@example.org'].every((v) => MAIL_USER.test(v))).toBe(true);
    expect(['-oProxy', 'a b', 'a;b', '$(id)', ''].some((v) => MAIL_USER.test(v))).toBe(false);
    expect(['gpu', 'gpu:2', 'gpu:a100:2,nic:1'].every((v) => GRES.test(v))).toBe(true);
    expect(['gpu:;', ':2', 'gpu 2'].some((v) => GRES.test(v))).toBe(false);
    expect(['fast&ssd', '[rack1*2&rack2*4]', '(a|b)&c'].every((v) => CONSTRAINT.test(v))).toBe(true);
    expect(['a;b', 'a b', '$x'].some((v) => CONSTRAINT.test(v))).toBe(false);
    expect(['matlab', 'matlab:2,fluent:1', 'a|b'].every((v) => LICENSES.test(v))).toBe(true);
    expect(['matlab:x', ':1'].some((v) => LICENSES.test(v))).toBe(false);
  });
});
