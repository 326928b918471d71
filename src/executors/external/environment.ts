/**
 * A tool's environment: an allow-list of the gateway's own plus fixed settings, and where a job's
 * environment goes for sbatch (a private --export-file, or by name for a token caller).
 */
import { assertJobEnvironment } from '../../slurm/job-environment.js';
import type { PrivateFile } from './private-files.js';

/**
 * The only variables a tool gets from the gateway's own environment: where the tools and the
 * configuration are. Everything else (a caller's job variables aside) is set here, so nothing in
 * the gateway's environment (SQUEUE_FORMAT, SLURM_CLUSTERS, LD_*, NODE_OPTIONS) steers a tool.
 */
const INHERITED = ['PATH', 'SLURM_CONF'] as const;
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * A tool's environment, from an allow-list of the gateway's own ({@link INHERITED}) plus fixed
 * settings: the C locale, and times as epoch seconds, unambiguous and free of the host's time
 * zone (slurm_make_time_str). Times the gateway passes in (sacct --starttime/--endtime, which take
 * no epoch form) are read as local time: TZ=UTC makes that exact, whatever the host's zone.
 */
export function toolEnvironment(from: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = from[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  env.PATH ??= FALLBACK_PATH;
  return { ...env, LC_ALL: 'C', LANG: 'C', TZ: 'UTC', SLURM_TIME_FORMAT: '%s' };
}

export interface ToolSetting {
  env: Record<string, string>;
  args: string[];
  files: PrivateFile[];
}

/**
 * One run's environment, arguments and private files: the tool environment, the caller's token
 * (SLURM_JWT), and for sbatch the job's environment.
 * @throws GatewayError invalid_request when the job environment holds a refused name.
 */
export function withJobEnvironment(base: Record<string, string>, args: string[], job: Record<string, string> | undefined, token: string | undefined): ToolSetting {
  let env = { ...base };
  const files: PrivateFile[] = [];
  // Checked here too, not only at the edge: this is where a job variable could reach a process
  // that is not the job (src/slurm/job-environment.ts).
  assertJobEnvironment(job);
  if (job && !token) {
    // As data: a private file only sbatch reads; sbatch itself runs with the tool environment.
    files.push({ flag: 'export-file', content: Object.entries(job).map(([k, v]) => `${k}=${v}\0`).join('') });
  } else if (job) {
    // By name: sbatch empties its environment when it reads an --export-file, before auth/jwt
    // reads SLURM_JWT, so for a token caller the job's variables must be in sbatch's own
    // environment; the names allowed there are the ones assertJobEnvironment() lets through.
    // sbatch copies the named variables and every SLURM_* one into the job: the tool
    // environment's only SLURM_* are SLURM_CONF and the token, set below.
    env = { ...env, ...job };
    delete env.SLURM_TIME_FORMAT; // sbatch prints no times, and would copy it into the job
    // TZ stays: the tool environment's UTC, in which sbatch reads --begin and --deadline (it is
    // not copied into the job: not named, not SLURM_*), or the job's own, which must reach the job
    // (sbatchArgs() then writes those times in the job's zone).
    const names = Object.keys(job);
    if (names.length) args = args.map((arg) => (arg === '--export=NIL' ? `--export=NIL,${names.join(',')}` : arg));
  }
  // sbatch reads --begin/--deadline in its own TZ: the job's when it sets one (sbatchArgs() writes
  // the times in that zone), else the tools' UTC. sbatch never copies its own TZ into the job
  // (--export=NIL: only the named variables and SLURM_* ones).
  if (job?.TZ) env.TZ = job.TZ;
  if (token) env.SLURM_JWT = token;
  return { env, args, files };
}
