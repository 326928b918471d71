/**
 * Issue #9, item 1: a job's variables reach the job only. Which names a caller may give, and the
 * environment the gateway's own tools run with (an allow-list, never the gateway's or a caller's).
 */
import { environmentNameProblem, environmentProblems } from '../../src/slurm/job-environment.js';
import { toolEnvironment } from '../../src/executors/external/runner.js';
import { submitBody } from '../../src/http/schemas.js';

const SCRIPT = '#!/bin/sh\ntrue\n';

describe('job environment names', () => {
  it.each([
    'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'LD_DEBUG', 'GCONV_PATH', 'GLIBC_TUNABLES', 'MALLOC_CHECK_', 'LOCPATH',
    'NLSPATH', 'HOSTALIASES', 'RES_OPTIONS', 'OPENSSL_CONF', 'OPENSSL_MODULES', 'LUA_INIT', 'LUA_INIT_5_3', 'LUA_PATH',
    'NODE_OPTIONS', 'PERL5OPT', 'RUBYOPT', 'BASH_ENV', 'ENV', 'JAVA_TOOL_OPTIONS',
  ])('refuses the loader or interpreter variable %s, saying to set it in the script', (name) => {
    expect(environmentNameProblem(name)).toMatch(/loader or interpreter variable.*set it in the script/);
    const parsed = submitBody.safeParse({ script: SCRIPT, environment: { [name]: '/home/alice/evil.so' } });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('loader or interpreter variable');
  });

  it('refuses Slurm\'s own names, with their own reason', () => {
    for (const name of ['SLURM_JWT', 'SLURM_CONF', 'SBATCH_EXPORT']) expect(environmentNameProblem(name)).toMatch(/reserved for Slurm/);
  });

  it('accepts what jobs set: PATH, HOME, TMPDIR, PYTHONPATH, OMP_NUM_THREADS, names that merely contain LD_', () => {
    const environment = { PATH: '/opt/bin:/usr/bin', HOME: '/home/alice', TMPDIR: '/scratch', PYTHONPATH: '/opt/py', OMP_NUM_THREADS: '4', WORLD_SIZE: '2', OLD_PRELOAD: 'x', ld_preload: 'x' };
    expect(environmentProblems(environment)).toEqual([]);
    expect(submitBody.safeParse({ script: SCRIPT, environment }).success).toBe(true);
  });
});

describe('the environment of Slurm\'s tools', () => {
  it('takes only PATH and SLURM_CONF from the gateway\'s own environment', () => {
    const env = toolEnvironment({
      PATH: '/usr/bin:/bin', SLURM_CONF: '/etc/slurm/slurm.conf', HOME: '/root', LD_PRELOAD: '/tmp/x.so', NODE_OPTIONS: '--require x',
      SQUEUE_FORMAT: '%i', SLURM_CLUSTERS: 'other', SLURM_JWT: 'stale', SR_WORKER_CONFIG: '{}', GCONV_PATH: '/tmp',
    });
    expect(env).toEqual({ PATH: '/usr/bin:/bin', SLURM_CONF: '/etc/slurm/slurm.conf', LC_ALL: 'C', LANG: 'C', TZ: 'UTC', SLURM_TIME_FORMAT: '%s' });
  });

  it('falls back to the system PATH', () => {
    expect(toolEnvironment({}).PATH).toBe('/usr/local/bin:/usr/bin:/bin');
  });
});
