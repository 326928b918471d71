/** The gateway under test: `node bin/scheduler-rest.js --port=0 ...`, found by its "listening" log line. */
import { join } from 'node:path';
import type { Cluster } from './cluster.js';
import { lastLines, startDaemon, waitFor, type Daemon } from './daemon.js';
import type { Application, Executor } from './modes.js';

export interface Gateway {
  daemon: Daemon;
  url: string;
}

export interface GatewayStart {
  root: string;
  cluster: Cluster;
  executor: Executor;
  application: Application;
  parallel: number;
  logFile: string;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /**
   * `--auth=jwt --jwt-key=<keyPath>`, run as `uid`/`gid` (the service user) with HOME=/nonexistent,
   * as SECURITY.md deploys it. Without: `--auth=none`, as the bench's user (root).
   */
  jwt?: { keyPath: string; uid: number; gid: number };
}

/** Resolves with the gateway, or rejects with its own message when it refuses to start. */
export async function startGateway(start: GatewayStart): Promise<Gateway> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...start.cluster.env };
  // Options come from the command line only: a stray SCHEDULER_REST_* variable would change the mode.
  for (const name of Object.keys(env)) if (name.startsWith('SCHEDULER_REST_')) delete env[name];
  if (start.jwt) env.HOME = '/nonexistent';
  const auth = start.jwt ? ['--auth=jwt', `--jwt-key=${start.jwt.keyPath}`] : [];
  const daemon = startDaemon(
    process.execPath,
    [...(start.nodeArgs ?? []), join(start.root, 'bin/scheduler-rest.js'), '--port=0', `--executor=${start.executor}`, `--application=${start.application}`, `--parallel=${start.parallel}`, ...auth],
    { cwd: start.root, env, logFile: start.logFile, ...(start.jwt && { uid: start.jwt.uid, gid: start.jwt.gid }) },
  );
  try {
    const url = await waitFor(daemon, 'the "listening" log line', 30_000, () => listeningUrl(daemon.log()));
    return { daemon, url };
  } catch (error) {
    await daemon.stop(2_000);
    // The gateway's own one-line reason (exit 1 or 2), e.g. "cannot start with --executor=internal ...".
    const reason = lastLines(daemon.log(), 3) || (error as Error).message;
    throw new Error(reason, { cause: error });
  }
}

function listeningUrl(log: string): string | undefined {
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'listening' && entry.url) return entry.url;
    } catch {
      // a partly written line: read again on the next poll
    }
  }
  return undefined;
}
