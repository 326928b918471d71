import type { RequestContext } from '../context.js';
import type { JobFilter, NodeTablesTime, ResultOf, SchedulerCommand } from '../commands.js';
import type { Job, Node } from '../model.js';
import { DispatcherLayer, type CommandDispatcher } from './dispatcher.js';
import type { DispatchObserver } from './observer.js';
import { nodeNamed } from '../slurm/resources.js';

/**
 * Lists kept per map (job lists by caller and filter, node lists by caller; each up to the whole
 * table); the least recently used goes first.
 */
const MAX_ENTRIES = 16;
/**
 * How long a kept node list may be answered as "unchanged": slurmd's own measurements (CPU load,
 * free memory) reach slurmctld with its pings, and nothing here relies on those marking the node
 * table changed; so a kept list is loaded whole again at least this often.
 */
export const NODE_LIST_MAX_AGE_MS = 10_000;

interface NodeEntry {
  /** slurmctld's last_update of the partition and node tables the list was built from. */
  lastUpdate: NodeTablesTime;
  /** When it was loaded whole (this process's clock, ms). */
  loadedAt: number;
  nodes: Node[];
}

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
 *
 * Node lists (nodes.list) are validated the same way, per caller: nodes.list.since carries the
 * last_update of both tables the list is built from (partitions and nodes, as sinfo --iterate
 * asks), and is loaded whole again when either changed, or when the kept list is older than
 * NODE_LIST_MAX_AGE_MS. A node's state, its allocation and an operator's update all mark the node
 * table changed in slurmctld. nodes.get is answered from the same validated list (the internal
 * executor's nodes.get loads the whole table too).
 */
export class ValidatedLists extends DispatcherLayer {
  readonly #entries = new Map<string, Entry>();
  readonly #nodes = new Map<string, NodeEntry>();
  readonly #now: () => number;
  readonly #observer: Pick<DispatchObserver, 'revalidated'> | undefined;

  constructor(inner: CommandDispatcher, now: () => number = Date.now, observer?: Pick<DispatchObserver, 'revalidated'>) {
    super(inner);
    this.#now = now;
    this.#observer = observer;
  }

  dispatch<C extends SchedulerCommand>(command: C, ctx: RequestContext): Promise<ResultOf<C>> {
    if (command.kind === 'jobs.list') return this.#list(command.filter, ctx) as Promise<ResultOf<C>>;
    if (command.kind === 'nodes.list') return this.#listNodes(ctx) as Promise<ResultOf<C>>;
    // One node is read from the same kept list: the internal executor's nodes.get lists them all too.
    if (command.kind === 'nodes.get') return this.#listNodes(ctx).then((nodes) => nodeNamed(nodes, command.name)) as Promise<ResultOf<C>>;
    return this.inner.dispatch(command, ctx);
  }

  async #listNodes(ctx: RequestContext): Promise<Node[]> {
    const key = ctx.identity?.user ?? '';
    const held = this.#nodes.get(key);
    const usable = held && this.#now() - held.loadedAt < NODE_LIST_MAX_AGE_MS ? held : undefined;
    const since = usable?.lastUpdate ?? { partitions: 0, nodes: 0 };
    const loadedAt = this.#now();
    const answer = await this.inner.dispatch({ kind: 'nodes.list.since', since }, ctx);
    if (answer.nodes === null) {
      if (!usable) throw new Error('nodes.list.since answered "unchanged" to a load without a previous answer');
      keep(this.#nodes, key, usable);
      this.#observer?.revalidated('unchanged', 'nodes');
      return usable.nodes;
    }
    this.#observer?.revalidated('changed', 'nodes');
    const { partitions, nodes } = answer.last_update;
    if (partitions > 0 && nodes > 0) {
      const current = this.#nodes.get(key);
      // Two loads may overlap: keep the newer one.
      if (!current || (partitions >= current.lastUpdate.partitions && nodes >= current.lastUpdate.nodes)) {
        keep(this.#nodes, key, { lastUpdate: answer.last_update, loadedAt, nodes: answer.nodes });
      }
    }
    return answer.nodes;
  }

  async #list(filter: JobFilter, ctx: RequestContext): Promise<Job[]> {
    const key = `${ctx.identity?.user ?? ''}\u0000${JSON.stringify(filter)}`;
    const held = this.#entries.get(key);
    const usable = held && this.#fresh(held) ? held : undefined;
    const answer = await this.inner.dispatch({ kind: 'jobs.list.since', filter, since: usable?.lastUpdate ?? 0 }, ctx);
    if (answer.jobs === null) {
      // Unchanged since usable's load: its answer is the current one, unless time moved a field.
      if (!usable) throw new Error('jobs.list.since answered "unchanged" to a load without a previous answer');
      if (this.#fresh(usable)) { keep(this.#entries, key, usable); this.#observer?.revalidated('unchanged', 'jobs'); return usable.jobs; }
      this.#entries.delete(key);
      return this.#list(filter, ctx);
    }
    this.#observer?.revalidated('changed', 'jobs');
    if (answer.last_update > 0) {
      const current = this.#entries.get(key);
      // Two loads may overlap: keep the newer one (equal: either is right, see above).
      if (!current || answer.last_update >= current.lastUpdate) {
        keep(this.#entries, key, { lastUpdate: answer.last_update, validUntil: answer.valid_until, jobs: answer.jobs });
      }
    }
    return answer.jobs;
  }

  #fresh(entry: Entry): boolean {
    return entry.validUntil === null || this.#now() / 1000 < entry.validUntil;
  }
}

/** Keeps `entry` as the most recently used of `entries`, dropping the least recently used past MAX_ENTRIES. */
function keep<E>(entries: Map<string, E>, key: string, entry: E): void {
  entries.delete(key);
  entries.set(key, entry);
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
}
