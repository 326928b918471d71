/**
 * A job's environment: what a caller may put in it, and the defaults. One place, used by the
 * request schema (400 at the edge, the same answer in every mode) and again by each executor
 * before anything is run, so a variable that could steer a process other than the job never
 * gets that far.
 *
 * Why names are refused at all, when the variables are meant for the job only: under
 * `--executor=external --auth=jwt`, Slurm 22.05's sbatch can only take the job's variables by
 * name from its own environment (an --export-file empties that environment before the auth/jwt
 * plugin reads SLURM_JWT), so sbatch, and `unshare` before it, run with them, as the gateway's
 * service user. A loader variable there (LD_PRELOAD of a library in the caller's home) would run
 * the caller's code as the service user, which reads the cluster's JWT key. The list is refused
 * in every mode, so that all modes answer alike; such variables can still be set in the script.
 */
import { GatewayError } from '../errors.js';

/** Slurm's tools read these themselves (options, configuration, the caller's token); slurmd sets SLURM_* for the job. */
const SLURM_RESERVED = /^(SLURM_|SBATCH_)/;

/**
 * Variables that change what a program other than the job loads or runs: the dynamic loader's,
 * glibc's own list of variables unsafe for privileged programs (unsecvars.h), OpenSSL's module
 * loading (libslurm's auth/jwt links it), the Lua start-up hooks (cli_filter/lua runs inside
 * sbatch), and interpreters' "run this first" options. TMPDIR, on glibc's list for the temporary
 * files of set-uid programs, stays allowed: neither sbatch nor unshare makes one, and jobs rely on it.
 */
const LOADER_OR_INTERPRETER = new RegExp(`^(${[
  'LD_\\w*',
  'GCONV_PATH', 'GETCONF_DIR', 'GLIBC_TUNABLES', 'HOSTALIASES', 'LOCALDOMAIN', 'LOCPATH', 'MALLOC_\\w*',
  'NIS_PATH', 'NLSPATH', 'RESOLV_HOST_CONF', 'RES_OPTIONS', 'TZDIR',
  'OPENSSL_CONF', 'OPENSSL_ENGINES', 'OPENSSL_MODULES',
  'LUA_INIT\\w*', 'LUA_PATH\\w*', 'LUA_CPATH\\w*',
  'NODE_OPTIONS', 'PERL5OPT', 'RUBYOPT', 'PYTHONSTARTUP', 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'BASH_ENV', 'ENV',
].join('|')})$`);

/**
 * Why `name` may not be in a job's environment, or undefined when it may.
 * Names are case-sensitive, as the loader and libc read them.
 */
export function environmentNameProblem(name: string): string | undefined {
  if (SLURM_RESERVED.test(name)) {
    return `${name} is reserved for Slurm: its tools read SLURM_* and SBATCH_* variables as their own settings (SLURM_JWT as the caller's token, SLURM_CONF as the configuration), and slurmd sets SLURM_* for the job itself; use another name, or set it in the script`;
  }
  if (LOADER_OR_INTERPRETER.test(name)) {
    return `${name} is a loader or interpreter variable, which could reach a process other than the job (Slurm's own tools); set it in the script instead`;
  }
  return undefined;
}

/** The names of `environment` that may not be in a job's environment, with why. */
export function environmentProblems(environment: Record<string, string> | undefined): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  for (const name of Object.keys(environment ?? {})) {
    const problem = environmentNameProblem(name);
    if (problem) problems.push([name, problem]);
  }
  return problems;
}

/**
 * For the executors, before they run anything: the first name `environment` may not hold.
 * @throws GatewayError invalid_request
 */
export function assertJobEnvironment(environment: Record<string, string> | undefined): void {
  const [refused] = environmentProblems(environment);
  if (refused) throw new GatewayError('invalid_request', `environment.${refused[0]}: ${refused[1]}`);
}

/** The job's environment when the caller gives none of these: never the gateway's own. */
export const DEFAULT_JOB_ENV: Readonly<Record<string, string>> = { PATH: '/usr/local/bin:/usr/bin:/bin' };
