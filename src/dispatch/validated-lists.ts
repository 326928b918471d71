import type { RequestContext } from '../context.js';
import type { JobFilter, ResultOf, SchedulerCommand } from '../commands.js';
import type { Job } from '../model.js';
import { DispatcherLayer, type CommandDispatcher } from './dispatcher.js';
import type { DispatchObserver } from './observer.js';

/** Distinct (caller, filter) lists kept (each up to the whole table); the least recently used goes first. */
const MAX_ENTRIES = 16;

interface Entry {
  /** slurmctld's last_update of the load that produced `jobs` (its clock, seconds). */
  lastUpdate: number;
  /** Epoch seconds from which a field derived from the current time would read differently. */
  validUntil: number | null;
  jobs: Job[];
}

/**
 * Validated job lists (--executor=internal). Each jobs.list becomes a jobs.list.since carrying the
 * last_update of the answer kept for the same caller and filter; when slurmctld says nothing has
 * changed since then (one small RPC, no records sent, nothing converted, nothing cloned out of a
 * worker), the kept answer is returned: the very same array, so its serialised body is reused too
 * (src/http/json-body.ts).
 *
 * Never stale: every answer is confirmed by slurmctld during the request's own call, which starts
 * after the request did, so a write that finished before a read started is always seen
 * (slurmctld bumps last_job_update on each change, and its check is `update_time - 1 >=
 * last_job_update`, second-granular in the safe direction). Fields derived from the current time
 * are handled by `validUntil`. Entries are keyed by the caller (identity.user) and the filter, so
 * one caller's answer is never handed to another. Sits under the Coalescer, which still shares one
 * call among identical reads in flight.
 */
export class ValidatedJobLists extends DispatcherLayer {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #observer: Pick<DispatchObserver, 'revalidated'> | undefined;

  constructor(inner: CommandDispatcher, now: () => number = Date.now, observer?: Pick<DispatchObserver, 'revalidated'>) {
    super(inner);
    this.#now = now;
    this.#observer = observer;
  }


  dispatch<C extends SchedulerCommand>(command: C, ctx: RequestContext): Promise<ResultOf<C>> {
    if (command.kind !== 'jobs.list') return this.inner.dispatch(command, ctx);
    return this.#list(command.filter, ctx) as Promise<ResultOf<C>>;
  }

  async #list(filter: JobFilter, ctx: RequestContext): Promise<Job[]> {
    const key = `${ctx.identity?.user ?? ''}\u0000${JSON.stringify(filter)}`;
    const held = this.#entries.get(key);
    const usable = held && this.#fresh(held) ? held : undefined;
    const answer = await this.inner.dispatch({ kind: 'jobs.list.since', filter, since: usable?.lastUpdate ?? 0 }, ctx);
    if (answer.jobs === null) {
      // Unchanged since usable's load: its answer is the current one, unless time moved a field.
      if (!usable) throw new Error('jobs.list.since answered "unchanged" to a load without a previous answer');
      if (this.#fresh(usable)) { this.#touch(key, usable); this.#observer?.revalidated('unchanged'); return usable.jobs; }
      this.#entries.delete(key);
      return this.#list(filter, ctx);
    }
    this.#observer?.revalidated('changed');
    if (answer.last_update > 0) {
      const current = this.#entries.get(key);
      // Two loads may overlap: keep the newer one (equal: either is right, see above).
      if (!current || answer.last_update >= current.lastUpdate) {
        this.#touch(key, { lastUpdate: answer.last_update, validUntil: answer.valid_until, jobs: answer.jobs });
      }
    }
    return answer.jobs;
  }

  #fresh(entry: Entry): boolean {
    return entry.validUntil === null || this.#now() / 1000 < entry.validUntil;
  }

  #touch(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
