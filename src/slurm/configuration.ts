/**
 * Whether this machine has a Slurm configuration to talk to, checked the same way for both
 * executors before the gateway listens. libslurm 22.05 looks at $SLURM_CONF, else at the places
 * below (the last two are configless mode's cache); with none, slurm_init() calls fatal() and ends
 * the process, and the tools answer every request with "Could not establish a configuration
 * source". Either way no request could be answered, so the gateway refuses to start instead.
 */
export const DEFAULT_CONFIGS = ['/etc/slurm/slurm.conf', '/run/slurm/conf/slurm.conf', '/var/run/slurm/conf/slurm.conf'];

/** Why no Slurm configuration can be found, or undefined when one can. */
export function configurationProblem(slurmConf: string | undefined, exists: (path: string) => boolean): string | undefined {
  if (slurmConf) return exists(slurmConf) ? undefined : `SLURM_CONF=${slurmConf} does not exist`;
  return DEFAULT_CONFIGS.some(exists) ? undefined : `no Slurm configuration found (set SLURM_CONF, or create ${DEFAULT_CONFIGS[0]})`;
}
