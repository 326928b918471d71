/** Bringing up the system a mode names, as a load target: slurmrestd (shared) or a fresh gateway. */
import { chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from './cluster.js';
import { startGateway } from './gateway.js';
import type { JwtSetup } from './jwt.js';
import type { Target } from './measure.js';
import { fileStem, label, type Mode, type Workload } from './modes.js';
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
  /** The service user, key copy and token the `+jwt` modes use (main.ts sets it up when one is measured). */
  jwt?: JwtSetup;
}

/** `internal-thread-get`, `internal-thread-jwt-submit`: the run's log and profile names. */
export function runStem(modeLabel: string, workload: Workload): string {
  return `${fileStem(modeLabel)}-${workload}`;
}

export async function startSystem(mode: Mode, workload: Workload, ctx: SystemContext): Promise<Running> {
  const name = label(mode);
  if (mode.kind === 'slurmrestd') {
    if (!ctx.slurmrestd) throw new Error('slurmrestd is not running');
    const { daemon, url, headers } = ctx.slurmrestd;
    return { target: { mode: name, api: slurmrestdApi(url, headers), pid: daemon.pid, withChildren: false }, stop: async () => {} };
  }
  const jwt = mode.auth === 'jwt' ? ctx.jwt : undefined;
  if (mode.auth === 'jwt' && !jwt) throw new Error(`${name}: no token and key were set up for --auth=jwt`);
  const file = runStem(name, workload);
  const profileDir = ctx.profileDir && join(ctx.profileDir, file);
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    // Under --auth=jwt node writes its profile as the service user.
    if (jwt) chownSync(profileDir, jwt.service.uid, jwt.service.gid);
  }
  const gateway = await startGateway({
    root: ctx.root,
    cluster: ctx.cluster,
    executor: mode.executor,
    application: mode.application,
    parallel: ctx.parallel,
    logFile: join(ctx.logDir, `gateway-${file}.log`),
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    ...(jwt && { jwt: { keyPath: jwt.keyPath, uid: jwt.service.uid, gid: jwt.service.gid } }),
  });
  return {
    target: { mode: name, api: gatewayApi(gateway.url, jwt?.headers), pid: gateway.daemon.pid, withChildren: mode.application === 'process' },
    stop: async () => {
      const code = await gateway.daemon.stop();
      if (code !== 0) process.stderr.write(`bench: gateway ${name} exited with ${code}; see ${gateway.daemon.logFile}\n`);
    },
  };
}
