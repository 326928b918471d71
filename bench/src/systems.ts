/** Bringing up the system a mode names, as a load target: slurmrestd (shared), a fresh gateway, or the floor server. */
import { fork } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Cluster } from './cluster.js';
import { startGateway } from './gateway.js';
import { account, type Account, type JwtSetup } from './jwt.js';
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
  if (mode.kind === 'floor') return startFloor(name, ctx.cluster, jwt && { headers: jwt.headers, owner: await account(jwt.user) });
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

/**
 * The floor (bench/src/floor.ts --serve-binding): a bare Koa server on the binding, as root, in a
 * child process of its own (its CPU is what is measured). Under +jwt it hands each request's
 * token to libslurm and submits as the token's user. libuv's pool is sized as the gateway's
 * binary sizes it (64), so its calls in flight are bounded by the connections only.
 */
async function startFloor(name: string, cluster: Cluster, jwt: { headers: Record<string, string>; owner: Account } | undefined): Promise<Running> {
  const owner = jwt?.owner;
  const args = ['--serve-binding', ...(jwt ? ['--jwt'] : []), '--uid', String(owner?.uid ?? 0), '--gid', String(owner?.gid ?? 0)];
  const child = fork(fileURLToPath(new URL('./floor.js', import.meta.url)), args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, ...cluster.env, UV_THREADPOOL_SIZE: '64' } });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${name}: the floor server exited with ${code} before listening`)));
  });
  return {
    target: { mode: name, api: gatewayApi(`http://127.0.0.1:${port}`, jwt?.headers), pid: child.pid!, withChildren: false },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
