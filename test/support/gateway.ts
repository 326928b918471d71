/**
 * Starts the real gateway (the built bin, as users run it) on a free loopback port and stops it
 * with SIGTERM. Integration and contract suites talk to it over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/scheduler-rest.js', import.meta.url));

export interface Gateway {
  url: string;
  process: ChildProcess;
  /** Everything the gateway logged, one JSON object per line. */
  logs: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  /** Run the gateway as this uid/gid (the tests run as root; --auth=jwt refuses root). */
  uid?: number;
  gid?: number;
}

export async function startGateway(args: string[], env: NodeJS.ProcessEnv = process.env, options: StartOptions = {}): Promise<Gateway> {
  const host = args.some((a) => a.startsWith('--host')) ? [] : ['--host=127.0.0.1'];
  const child = spawn(process.execPath, [BIN, '--port=0', ...host, ...args], {
    env: { ...env, NODE_OPTIONS: '' },
    ...(options.uid !== undefined && { uid: options.uid, gid: options.gid ?? options.uid }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start in 20 s: ${stderr}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening' && entry.url) { clearTimeout(timer); resolve(entry.url); }
      } catch { /* not JSON */ }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`gateway exited with ${code}: ${stderr}`)); });
  });
  return {
    url,
    process: child,
    logs,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** The eight combinations, or those named in SR_TEST_MODES ("external:thread,internal:inline"). */
export function modes(): Array<{ executor: string; application: string }> {
  const all = ['external', 'internal'].flatMap((executor) =>
    ['inline', 'coroutine', 'thread', 'process'].map((application) => ({ executor, application })));
  const wanted = process.env.SR_TEST_MODES;
  if (!wanted) return all;
  const names = wanted.split(',').map((s) => s.trim());
  return all.filter((m) => names.includes(`${m.executor}:${m.application}`) || names.includes(m.executor));
}
