/**
 * The graceful stop, on SIGINT/SIGTERM. For up to the grace period the gateway finishes what is in
 * flight and keeps its listener open, answering every new request 503 shutting_down with
 * `Connection: close`: a client that connects or writes a request during the stop gets an answer,
 * not a reset (closing the listener drops the connections the kernel has accepted for it, and
 * closing an idle keep-alive connection races a request being written on it). Past the grace it
 * answers each request still in flight (503 shutting_down, or submit_outcome_unknown for a
 * submission); then it stops listening, closes what is left, releases the pools, ends what still
 * runs below the process, and returns.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { GatewayError } from './errors.js';
import type { CommandDispatcher } from './dispatch/dispatcher.js';
import type { InFlightRequests } from './http/in-flight.js';

/** Milliseconds the listener stays open after the drain, so that just-accepted connections get their 503. */
const LINGER_MS = 200;
/** Most milliseconds to release pools after the stop, before going on anyway. */
const DISPOSE_MS = 1000;

export interface StopParts {
  server: Server;
  inFlight: InFlightRequests;
  dispatcher: CommandDispatcher;
  graceMs: number;
  logger: Logger;
  /** Open event streams (#15): ended at once, they are not requests to finish. */
  streams?: { close(): void };
}

/** Stops the gateway; resolves when nothing of it is left running but the process itself. */
export async function gracefulStop({ server, inFlight, dispatcher, graceMs, logger, streams }: StopParts): Promise<void> {
  inFlight.stop();
  // An SSE stream never finishes on its own: end each now (its client reconnects elsewhere, with
  // Last-Event-ID), rather than hold the stop for the whole grace or cut it at the end.
  streams?.close();
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    inFlight.idle().then(() => true),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), graceMs); }),
  ]);
  clearTimeout(timer);
  if (!drained) {
    const answered = await inFlight.answerAll((ctx) => (ctx.method === 'POST' && ctx.path === '/v1/jobs'
      ? new GatewayError('submit_outcome_unknown', 'The gateway stopped before Slurm answered this submission; the job may exist: look for it (GET /v1/jobs?name=…) or retry with the same Idempotency-Key')
      : new GatewayError('shutting_down', 'The gateway stopped before this request was answered (its shutdown grace period passed); retry', { retryAfter: 5 })));
    logger.warn({ answered, running: dispatcher.running, waiting: dispatcher.waiting }, 'shutdown grace passed: answered the requests still in flight');
  }
  // Connections accepted just now get their 503 before the listener goes.
  await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  // Threads and processes get a moment to end; a command stuck in Slurm must not hold the exit.
  await Promise.race([dispatcher.close(0), new Promise((resolve) => setTimeout(resolve, DISPOSE_MS).unref())]);
  // A worker thread waiting in a synchronous tool run cannot be stopped, and process.exit() joins
  // every worker thread: end the tools (and pool processes) still running, whose answers are given.
  const ended = killDescendants(process.pid);
  logger.info({ ended, busy: dispatcher.running }, 'stopped');
}

/** SIGKILLs every process below `pid` (Linux /proc), deepest first; returns how many. */
function killDescendants(pid: number): number {
  const children = (parent: number): number[] => {
    try {
      return readdirSync(`/proc/${parent}/task`).flatMap((tid) => readFileSync(`/proc/${parent}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    } catch {
      return [];
    }
  };
  const all: number[] = [];
  const walk = (parent: number) => { for (const child of children(parent)) { walk(child); all.push(child); } };
  walk(pid);
  for (const child of all) {
    try { process.kill(child, 'SIGKILL'); } catch { /* already gone */ }
  }
  return all.length;
}
