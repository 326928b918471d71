/**
 * Scheduler outages in the log: one warning when slurmctld or slurmdbd becomes unreachable, one
 * when it answers again, and nothing louder than debug for the requests in between (a dashboard
 * polling a stopped controller would otherwise write a line, with a stack, per request).
 */
import type { Logger } from 'pino';
import type { GatewayError } from '../errors.js';
import type { SchedulerCall } from '../scheduler-calls.js';

type Daemon = SchedulerCall['daemon'];

/** The error codes that mean "this daemon cannot be reached" (src/slurm/unavailable.ts decides which failures they are). */
const OUTAGE_CODES: Readonly<Record<string, Daemon>> = {
  scheduler_unavailable: 'slurmctld',
  accounting_unavailable: 'slurmdbd',
};

/** Calls that report a daemon down as a value, so their success proves nothing. */
const PROBES: ReadonlySet<string> = new Set(['slurm_ping', 'slurmdb_connection_get']);

export class OutageLog {
  readonly #down = new Map<Daemon, { since: number; requests: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Whether `daemon` is currently taken as down. */
  isDown(daemon: Daemon): boolean {
    return this.#down.has(daemon);
  }

  /**
   * A request failed with `error`. An outage is logged at warn when it starts (up -> down), at
   * debug while it lasts.
   * @returns whether `error` was an outage (then it has been logged).
   */
  failed(error: GatewayError, log: Logger): boolean {
    const daemon = OUTAGE_CODES[error.code];
    if (!daemon) return false;
    const down = this.#down.get(daemon);
    if (down) {
      down.requests++;
      log.debug({ code: error.code, daemon }, `${error.message} (${daemon} still unreachable)`);
    } else {
      this.#down.set(daemon, { since: this.#now(), requests: 1 });
      log.warn({ code: error.code, daemon, reason: error.message }, `${daemon} is unreachable: requests that need it answer ${error.status} until it is back`);
    }
    return true;
  }

  /** A request's calls: a daemon that answered one of them is up again (down -> up is logged at warn). */
  answered(calls: readonly SchedulerCall[], log: Logger): void {
    if (this.#down.size === 0) return;
    for (const call of calls) {
      const down = this.#down.get(call.daemon);
      if (!down || call.error !== undefined || (call.exit_code ?? 0) !== 0 || PROBES.has(call.name)) continue;
      this.#down.delete(call.daemon);
      log.warn({ daemon: call.daemon, down_ms: this.#now() - down.since, failed_requests: down.requests }, `${call.daemon} answers again`);
    }
  }
}
