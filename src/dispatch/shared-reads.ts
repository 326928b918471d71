import type { RequestContext } from '../context.js';
import type { ResultOf, SchedulerCommand } from '../commands.js';
import type { Job } from '../model.js';
import { isArrayId } from '../slurm/arrays.js';
import { jobIdInRange, pickJob } from '../slurm/job-ids.js';
import { withDeadline, DispatcherLayer, type CommandDispatcher } from './dispatcher.js';
import type { DispatchObserver } from './observer.js';
import type { CallSink } from '../scheduler-calls.js';

/** How a batch of reads asks the controller. */
export type SharedReadSource =
  /** The whole table, as a validated list (--executor=internal): unchanged tables cost one small RPC. */
  | 'table'
  /** The waiting ids, one list call (`squeue --jobs=a,b,c`); a lone id is jobs.get's own call. */
  | 'ids';

interface Waiter {
  jobId: string;
  ctx: RequestContext;
  resolve: (job: Job) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  /** Whether this caller's list call is running; reads that arrive meanwhile wait for the next. */
  running: boolean;
  next: Waiter[];
}

/**
 * Shared reads of one job (GET /v1/jobs/{id}, #14). Each caller has at most one job list call in
 * flight for these reads; every jobs.get that arrives while it runs waits for the next call, which
 * starts when the running one ends, and takes its job from that answer. So N dashboards reading N
 * different jobs cost slurmctld one job-info RPC per round instead of N (and, on a validated table,
 * one small "unchanged" RPC when nothing moved).
 *
 * Never stale: a read is answered only by a call that started after the read arrived, so a change
 * that finished before a request was sent is always in its answer (the same rule as the Coalescer
 * and the validated lists). Keyed by caller (identity.user), so one caller's answer never reaches
 * another. Whatever the shared answer cannot say exactly as jobs.get would goes to jobs.get alone:
 * a job it does not hold (ended and purged: accounting; a hidden partition), an array job's own id
 * (the whole array, with accounting), a task still inside a pending array record (jobs.get narrows
 * that record to the task), an id out of range, and every read of a batch whose call failed.
 */
export class SharedJobReads extends DispatcherLayer {
  readonly #source: SharedReadSource;
  readonly #lanes = new Map<string, Lane>();

  readonly #observer: Pick<DispatchObserver, 'coalesced'> | undefined;

  /** `observer`: a read answered from a shared list call counts as a coalesced jobs.get (metrics). */
  constructor(inner: CommandDispatcher, source: SharedReadSource, observer?: Pick<DispatchObserver, 'coalesced'>) {
    super(inner);
    this.#source = source;
    this.#observer = observer;
  }

  dispatch<C extends SchedulerCommand>(command: C, ctx: RequestContext): Promise<ResultOf<C>> {
    if (command.kind !== 'jobs.get' || !jobIdInRange(command.jobId)) return this.inner.dispatch(command, ctx);
    const key = ctx.identity?.user ?? '';
    let lane = this.#lanes.get(key);
    if (!lane) this.#lanes.set(key, lane = { running: false, next: [] });
    const answer = new Promise<Job>((resolve, reject) => { lane.next.push({ jobId: command.jobId, ctx, resolve, reject }); });
    this.#start(key, lane);
    return withDeadline(answer, ctx.deadline) as Promise<ResultOf<C>>;
  }

  /** Starts the lane's next call unless one is running. */
  #start(key: string, lane: Lane): void {
    if (lane.running) return;
    const batch = lane.next.filter((w) => !w.ctx.signal.aborted);
    lane.next = [];
    if (batch.length === 0) { this.#lanes.delete(key); return; }
    lane.running = true;
    // The shared call stops only when every read in the batch has gone away; it may run until the
    // latest of their deadlines.
    const abort = new AbortController();
    let left = batch.length;
    for (const w of batch) w.ctx.signal.addEventListener('abort', () => { if (--left === 0) abort.abort(); }, { once: true });
    // Every read of the batch reports the shared call (src/scheduler-calls.ts): the first as made,
    // the others marked coalesced, as the Coalescer does.
    const sinks = batch.flatMap((w, i) => {
      const sink = w.ctx.record;
      if (!sink) return [];
      return [i === 0 ? sink : ((call) => sink({ ...call, coalesced: true })) satisfies CallSink];
    });
    const record: CallSink = (call) => { for (const sink of sinks) sink(call); };
    const ctx: RequestContext = { ...batch[0]!.ctx, deadline: batch.reduce((latest, w) => Math.max(latest, w.ctx.deadline), 0), signal: abort.signal, record };
    const ids = [...new Set(batch.map((w) => w.jobId))];
    const call = this.#source === 'ids' && ids.length === 1
      // One id: jobs.get's own call (a list call would answer an unknown id worse); still one
      // call in flight, so the reads that arrive meanwhile are asked for together next.
      ? this.inner.dispatch({ kind: 'jobs.get', jobId: ids[0]! }, ctx).then(
        (job) => { for (const waiter of batch) waiter.resolve(job); },
        (error: unknown) => { for (const waiter of batch) waiter.reject(error); })
      : this.inner.dispatch({ kind: 'jobs.list', filter: this.#source === 'table' ? {} : { job_id: ids } }, ctx).then(
        (jobs) => { for (const waiter of batch) this.#answer(waiter, jobs); },
        () => { for (const waiter of batch) this.#alone(waiter); });
    void call.finally(() => {
      lane.running = false;
      this.#start(key, lane);
    });
  }

  #answer(waiter: Waiter, jobs: Job[]): void {
    const job = isArrayId(waiter.jobId, jobs) ? undefined : pickJob(jobs, waiter.jobId);
    if (job && job.array_tasks === null) {
      this.#observer?.coalesced('jobs.get');
      waiter.resolve(job);
    }
    else this.#alone(waiter);
  }

  /** jobs.get for this read alone (admission still applies its deadline and hang-up rules). */
  #alone(waiter: Waiter): void {
    this.inner.dispatch({ kind: 'jobs.get', jobId: waiter.jobId }, waiter.ctx).then(waiter.resolve, waiter.reject);
  }
}
