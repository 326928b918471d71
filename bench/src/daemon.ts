/** Starting a server under test with its output in a log file, and stopping it by its own pid. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { sleep } from './exec.js';

export interface Daemon {
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
  exitedYet(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | string>;
  log(): string;
}

/** `uid`/`gid`: run as that user (the bench runs as root; the gateway refuses root under --auth=jwt). */
export function startDaemon(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; uid?: number; gid?: number }): Daemon {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'w');
  // A file, not a pipe: the bench never has to drain the server's log lines while it measures.
  const child = spawn(file, args, {
    cwd: options.cwd, env: options.env, stdio: ['ignore', fd, fd],
    ...(options.uid !== undefined && { uid: options.uid, gid: options.gid ?? options.uid }),
  });
  closeSync(fd);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => { done = true; resolve(code ?? signal ?? 'unknown'); });
    child.on('error', () => { done = true; resolve('spawn error'); });
  });
  const log = () => { try { return readFileSync(options.logFile, 'utf8'); } catch { return ''; } };
  return {
    child,
    pid: child.pid ?? -1,
    logFile: options.logFile,
    exited,
    exitedYet: () => done,
    log,
    async stop(graceMs = 15_000) {
      if (!done) child.kill('SIGTERM');
      const timer = setTimeout(() => { if (!done) child.kill('SIGKILL'); }, graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `probe` every 100 ms until it returns a value, the daemon exits, or `timeoutMs` passes. */
export async function waitFor<T>(daemon: Daemon, what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (daemon.exitedYet()) throw new Error(`exited (${await daemon.exited}) before ${what}: ${lastLines(daemon.log(), 5)}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${lastLines(daemon.log(), 5)}`);
    await sleep(100);
  }
}

export function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

/** A free TCP port on 127.0.0.1 (for servers that cannot be told to pick one themselves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
