/** Bringing up the system a mode names, as a load target: slurmrestd (shared) or a fresh gateway. */
import { join } from 'node:path';
import type { Cluster } from './cluster.js';
import { startGateway } from './gateway.js';
import type { Target } from './measure.js';
import { label, type Mode, type Workload } from './modes.js';
import type { Slurmrestd } from './slurmrestd.js';
import { gatewayApi, slurmrestdApi } from './workloads.js';

export interface Running {
  target: Target;
  stop(): Promise<void>;
}

export interface SystemContext {
  root: string;
  cluster: Cluster;
  slurmrestd: Slurmrestd | undefined;
  parallel: number;
  logDir: string;
  /** When set, the gateway runs under `node --cpu-prof` writing into this directory + /<mode>-<workload>. */
  profileDir?: string;
}

export async function startSystem(mode: Mode, workload: Workload, ctx: SystemContext): Promise<Running> {
  const name = label(mode);
  if (mode.kind === 'slurmrestd') {
    if (!ctx.slurmrestd) throw new Error('slurmrestd is not running');
    const { daemon, url, headers } = ctx.slurmrestd;
    return { target: { mode: name, api: slurmrestdApi(url, headers), pid: daemon.pid, withChildren: false }, stop: async () => {} };
  }
  const file = `${mode.executor}-${mode.application}-${workload}`;
  const gateway = await startGateway({
    root: ctx.root,
    cluster: ctx.cluster,
    executor: mode.executor,
    application: mode.application,
    parallel: ctx.parallel,
    logFile: join(ctx.logDir, `gateway-${file}.log`),
    nodeArgs: ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(ctx.profileDir, file)}`] : [],
  });
  return {
    target: { mode: name, api: gatewayApi(gateway.url), pid: gateway.daemon.pid, withChildren: mode.application === 'process' },
    stop: async () => {
      const code = await gateway.daemon.stop();
      if (code !== 0) process.stderr.write(`bench: gateway ${name} exited with ${code}; see ${gateway.daemon.logFile}\n`);
    },
  };
}
