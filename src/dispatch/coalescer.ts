import type { RequestContext } from '../context.js';
import type { ResultOf, SchedulerCommand } from '../commands.js';
import { withDeadline, DispatcherLayer, type CommandDispatcher } from './dispatcher.js';
import type { CallSink, SchedulerCall } from '../scheduler-calls.js';
import type { DispatchObserver } from './observer.js';

/** Commands that only read: identical ones in flight at the same time can share one answer. */
/** Every command kind, read or write: a new command cannot be added without deciding. */
const ACCESS = {
  ping: 'read', 'cluster.info': 'read', 'jobs.list': 'read', 'jobs.list.since': 'read', 'nodes.list.since': 'read', 'jobs.get': 'read',
  'jobs.steps': 'read', 'jobs.validate': 'read', 'jobs.history': 'read', 'accounting.ping': 'read',
  'accounts.list': 'read', 'users.get': 'read', 'qos.list': 'read',
  'jobs.submit': 'write', 'jobs.cancel': 'write', 'jobs.control': 'write', 'jobs.update': 'write',
  'nodes.list': 'read', 'nodes.get': 'read', 'partitions.list': 'read', 'partitions.get': 'read',
  'reservations.list': 'read', 'reservations.get': 'read', 'licenses.list': 'read',
} as const satisfies Record<SchedulerCommand['kind'], 'read' | 'write'>;
const READS = new Set(Object.entries(ACCESS).filter(([, access]) => access === 'read').map(([kind]) => kind));

interface InFlight {
  promise: Promise<unknown>;
  joiners: number;
  abort: AbortController;
  /** The shared call's records so far, and where each goes (every request that joined). */
  calls: SchedulerCall[];
  sinks: CallSink[];
}

/**
 * Coalesces identical reads that are in flight at the same time into one scheduler call, so a
 * hundred dashboards polling the job list cost slurmctld one RPC, not a hundred (squeue's manual
 * and SchedMD's advice about slurmrestd both warn about exactly that load). Nothing is cached:
 * an answer is never older than the call that produced it, and a read issued after a write
 * finished never joins a call that started before it (the write moves to a new generation).
 *
 * Call records: every request reports the scheduler calls its answer came from. The request that
 * started the shared call gets them as they are; each one that joined it gets them marked
 * `coalesced: true` (those made before it joined as well), since they were made once, for another.
 */
export class Coalescer extends DispatcherLayer {
  readonly #inFlight = new Map<string, InFlight>();
  readonly #observer: Pick<DispatchObserver, 'coalesced'> | undefined;
  #generation = 0;

  constructor(inner: CommandDispatcher, observer?: Pick<DispatchObserver, 'coalesced'>) {
    super(inner);
    this.#observer = observer;
  }


  dispatch<C extends SchedulerCommand>(command: C, ctx: RequestContext): Promise<ResultOf<C>> {
    if (!READS.has(command.kind)) {
      return this.inner.dispatch(command, ctx).finally(() => { this.#generation++; });
    }
    const key = `${this.#generation}\u0000${ctx.identity?.user ?? ''}\u0000${JSON.stringify(command)}`;
    let entry = this.#inFlight.get(key);
    if (!entry) {
      // The shared call stops waiting only when every client that joined it has gone away.
      const abort = new AbortController();
      const calls: SchedulerCall[] = [];
      const sinks: CallSink[] = ctx.record ? [ctx.record] : [];
      const record: CallSink = (call) => { calls.push(call); for (const sink of sinks) sink(call); };
      const promise = this.inner.dispatch(command, { ...ctx, signal: abort.signal, record });
      const created: InFlight = { promise, joiners: 0, abort, calls, sinks };
      this.#inFlight.set(key, created);
      const forget = () => { if (this.#inFlight.get(key) === created) this.#inFlight.delete(key); };
      promise.then(forget, forget);
      entry = created;
    } else {
      this.#observer?.coalesced(command.kind);
      if (ctx.record) {
        const sink = ctx.record;
        const joiner: CallSink = (call) => sink({ ...call, coalesced: true });
        for (const call of entry.calls) joiner(call);
        entry.sinks.push(joiner);
      }
    }
    const joined = entry;
    joined.joiners++;
    ctx.signal.addEventListener('abort', () => { if (--joined.joiners === 0) joined.abort.abort(); }, { once: true });
    return withDeadline(joined.promise as Promise<ResultOf<C>>, ctx.deadline);
  }
}
