/**
 * The gateway as the fault cases run it: the real bin, a short deadline and shutdown grace, in the
 * recommended and the isolating modes. Its stderr and exit are kept for the failure reports.
 */
import { startGateway, type Gateway } from '../../support/gateway.js';
import { availableExecutors } from '../../support/executors.js';
import { call } from './http.js';
import { sleep } from './cluster.js';

/** --timeout and --shutdown-grace of every fault case, seconds. */
export const TIMEOUT_S = 3;
export const GRACE_S = 2;
export const TIMEOUT_MS = TIMEOUT_S * 1000;

export interface Mode { executor: string; application: string }

/** internal:thread (recommended), internal:process, external:coroutine, external:process; SR_TEST_MODES narrows. */
export function faultModes(applications?: string[]): Mode[] {
  const executors = availableExecutors();
  const all: Mode[] = [
    { executor: 'internal', application: 'thread' },
    { executor: 'internal', application: 'process' },
    { executor: 'external', application: 'coroutine' },
    { executor: 'external', application: 'process' },
  ].filter((m) => executors.includes(m.executor) && (!applications || applications.includes(m.application)));
  const wanted = process.env.SR_TEST_MODES?.split(',').map((s) => s.trim());
  return wanted ? all.filter((m) => wanted.includes(`${m.executor}:${m.application}`) || wanted.includes(m.executor)) : all;
}

export interface FaultGateway extends Gateway {
  stderr: () => string;
  /** Exit code or signal once it has exited; undefined while it runs. */
  exit: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startFaultGateway(mode: Mode, extra: string[] = [], env: NodeJS.ProcessEnv = process.env, options: Parameters<typeof startGateway>[2] = {}): Promise<FaultGateway> {
  const gateway = await startGateway([
    `--executor=${mode.executor}`, `--application=${mode.application}`, '--parallel=2',
    `--timeout=${TIMEOUT_S}`, `--shutdown-grace=${GRACE_S}`, ...extra,
  ], env, options);
  let stderr = '';
  gateway.process.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (gateway.process.exitCode !== null || gateway.process.signalCode !== null) {
      resolve(exit = { code: gateway.process.exitCode, signal: gateway.process.signalCode });
    }
    gateway.process.once('exit', (code, signal) => resolve(exit = { code, signal }));
  });
  return Object.assign(gateway, { stderr: () => stderr, exit: () => exit, exited });
}

/** What went wrong inside the gateway: its exit, stderr and logged warnings and errors. */
export function diagnose(gateway: FaultGateway | undefined, lines = 12): string {
  if (!gateway) return 'gateway not started';
  const exit = gateway.exit();
  // One line per distinct (level, code, message), with how often it was logged.
  const seen = new Map<string, { line: string; count: number }>();
  for (const line of gateway.logs) {
    if (!/"level":(40|50|60)/.test(line)) continue;
    let id = line;
    try {
      const e = JSON.parse(line) as { level?: number; code?: string; msg?: string; err?: { code?: string; message?: string } };
      id = `${e.level} ${e.code ?? e.err?.code ?? ''} ${e.msg ?? e.err?.message ?? ''}`;
    } catch { /* not JSON */ }
    const entry = seen.get(id);
    if (entry) entry.count++;
    else seen.set(id, { line: line.length > 700 ? `${line.slice(0, 700)}…` : line, count: 1 });
  }
  const notable = [...seen.values()].slice(-lines).map(({ line, count }) => (count > 1 ? `(x${count}) ${line}` : line));
  return [
    exit ? `gateway exited: code ${exit.code} signal ${exit.signal}` : 'gateway running',
    gateway.stderr().trim() && `stderr: ${gateway.stderr().trim().slice(-2000)}`,
    ...notable.map((l) => `log: ${l}`),
  ].filter(Boolean).join('\n');
}

/**
 * The gateway is up: its process runs and GET `path` answers 200 within the deadline, retried
 * for up to `seconds` while the cluster settles. Returns the last answer seen.
 */
export async function answersOk(gateway: FaultGateway, path = '/v1/jobs?name=none', seconds = 15, headers: Record<string, string> = {}): Promise<string> {
  const until = Date.now() + seconds * 1000;
  let last = '';
  while (Date.now() < until) {
    if (gateway.exit()) return `exited (${JSON.stringify(gateway.exit())})`;
    const reply = await call(gateway.url, { method: 'GET', path, headers, clientTimeoutMs: TIMEOUT_MS + 5000 });
    last = reply.status ? `${reply.status} ${reply.body?.error?.code ?? ''}`.trim() : reply.error ?? 'no answer';
    if (reply.status === 200) return '200';
    await sleep(500);
  }
  return last;
}

/** SIGTERM, then SIGKILL after `seconds`: a stuck gateway must not outlive its case. */
export async function stopFaultGateway(gateway: FaultGateway | undefined, seconds = GRACE_S + 4): Promise<void> {
  if (!gateway || gateway.exit()) return;
  gateway.process.kill('SIGTERM');
  const timer = setTimeout(() => gateway.process.kill('SIGKILL'), seconds * 1000);
  await gateway.exited;
  clearTimeout(timer);
}
