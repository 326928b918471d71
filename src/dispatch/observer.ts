import type { CommandKind } from '../commands.js';

/**
 * What the dispatch layers report as they work, for metrics (src/metrics/registry.ts). Plain
 * callbacks, so dispatch knows nothing of Prometheus; every label is a command kind or an error
 * code, never a user name or a job id.
 */
export interface DispatchObserver {
  /** A command left admission: `outcome` is `ok` or the GatewayError code; seconds from admission to answer. */
  command(kind: CommandKind, outcome: string, seconds: number): void;
  /** A read joined an identical one already in flight (src/dispatch/coalescer.ts). */
  coalesced(kind: CommandKind): void;
  /** A validated job or node list: slurmctld said `unchanged` (the kept answer served) or sent a new one (src/dispatch/validated-lists.ts). */
  revalidated(outcome: 'unchanged' | 'changed', list: 'jobs' | 'nodes'): void;
}

/** How a settled command is labelled: `ok`, or its error's stable code. */
export function outcomeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[a-z_]{1,40}$/.test(code) ? code : 'internal_error';
}
