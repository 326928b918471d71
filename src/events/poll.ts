/**
 * The one scheduler read behind every feed: the job list, the nodes and the partitions, dispatched
 * like any request's (admission, validated lists, coalescing, shared reads), as the feed's
 * identity. So it runs in every executor x dispatch mode, and what it returns is what that caller's
 * own GET /v1/jobs, /v1/nodes and /v1/partitions would (PrivateData included).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CommandDispatcher } from '../dispatch/dispatcher.js';
import type { Identity, RequestContext } from '../context.js';
import type { Poll } from './feed.js';

export function schedulerPoll(dispatcher: CommandDispatcher, timeoutMs: number, logger?: Logger): Poll {
  const failing = new Set<string>();
  return async (identity: Identity | undefined, signal: AbortSignal) => {
    const ctx: RequestContext = { requestId: `events-${randomUUID()}`, deadline: Date.now() + timeoutMs, signal, ...(identity && { identity }) };
    const who = identity?.user ?? '(the gateway user)';
    try {
      const [jobs, nodes, partitions] = await Promise.all([
        dispatcher.dispatch({ kind: 'jobs.list', filter: {} }, ctx),
        dispatcher.dispatch({ kind: 'nodes.list' }, ctx),
        dispatcher.dispatch({ kind: 'partitions.list' }, ctx),
      ]);
      if (failing.delete(who)) logger?.info({ user: who }, 'events: the poll answers again');
      return { jobs, nodes, partitions };
    } catch (error) {
      // One line when a feed starts failing, not one per interval during an outage.
      if (!failing.has(who)) logger?.warn({ user: who, err: error }, 'events: the poll failed; streams stay open and the feed retries every interval');
      failing.add(who);
      throw error;
    }
  };
}
