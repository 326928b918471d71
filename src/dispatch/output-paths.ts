import type { RequestContext } from '../context.js';
import type { CommandResults, ResultOf, SchedulerCommand } from '../commands.js';
import type { Job } from '../model.js';
import { DispatcherLayer, type CommandDispatcher } from './dispatcher.js';

/** Jobs whose output paths are kept (two paths, a user and a submit time each); the least recently seen goes first. */
export const REMEMBERED_JOBS = 100_000;

interface Remembered {
  user: string;
  submitTime: string | null;
  stdout: string | null;
  stderr: string | null;
}

/**
 * Where ended jobs wrote their output, after slurmctld forgot them. Slurm 22.05's accounting
 * keeps no output paths (slurmdb_job_rec_t has no std_out; sacct has no StdOut field), so a job
 * that only accounting still knows would have none, and its stdout/stderr routes would answer 404
 * while the files exist. This layer remembers the paths slurmctld reported for every job the
 * gateway read from it (single jobs and lists), and gives them back to the accounting record of
 * the same job: same id, same user, same submit time, so a reused id never gets another job's
 * path. Paths are never guessed: a job the gateway did not see while slurmctld held it (it ended
 * and was purged while the gateway was not running, or nobody asked for it) keeps null, and its
 * output routes say why.
 *
 * The paths come from slurmctld, never from a request, and the file is still checked when read
 * (owned by the job's user, readable by the caller: src/output/read.ts). Bounded: at most
 * {@link REMEMBERED_JOBS} jobs, in memory, lost when the gateway stops.
 */
export class RememberedOutputPaths extends DispatcherLayer {
  readonly #paths = new Map<number, Remembered>();
  readonly #capacity: number;
  /** Answers already read (validated lists hand out the very same array while nothing changed). */
  readonly #seen = new WeakSet<object>();

  constructor(inner: CommandDispatcher, capacity = REMEMBERED_JOBS) {
    super(inner);
    this.#capacity = capacity;
  }


  /** How many jobs' paths are kept (for tests and metrics). */
  get size(): number {
    return this.#paths.size;
  }

  async dispatch<C extends SchedulerCommand>(command: C, ctx: RequestContext): Promise<ResultOf<C>> {
    const result = await this.inner.dispatch(command, ctx);
    switch (command.kind) {
      case 'jobs.list':
        this.#rememberAll(result as CommandResults['jobs.list']);
        return result;
      case 'jobs.get':
        return this.#completeJob(result as CommandResults['jobs.get']) as ResultOf<C>;
      case 'jobs.history': {
        const page = result as CommandResults['jobs.history'];
        const jobs = this.#completeAll(page.jobs);
        return (jobs === page.jobs ? page : { ...page, jobs }) as ResultOf<C>;
      }
      default:
        return result;
    }
  }

  #rememberAll(jobs: readonly Job[]): void {
    if (this.#seen.has(jobs)) return;
    this.#seen.add(jobs);
    for (const job of jobs) this.#remember(job);
  }

  #remember(job: Job): void {
    if (job.source !== 'controller' || (job.stdout_path === null && job.stderr_path === null)) return;
    this.#paths.delete(job.job_id); // (re-)inserted last: the least recently seen is the first key
    this.#paths.set(job.job_id, { user: job.user, submitTime: job.submit_time, stdout: job.stdout_path, stderr: job.stderr_path });
    if (this.#paths.size > this.#capacity) this.#paths.delete(this.#paths.keys().next().value!);
  }

  /** A single job, or a whole array with its task records. */
  #completeJob(job: Job): Job {
    this.#remember(job);
    if (job.tasks) this.#rememberAll(job.tasks);
    const tasks = job.tasks && this.#completeAll(job.tasks);
    const completed = this.#complete(job);
    return tasks === job.tasks ? completed : { ...completed, tasks: tasks! };
  }

  /** `jobs` itself when no job in it was completed, else a copy (each job looked up once). */
  #completeAll(jobs: Job[]): Job[] {
    const completed = jobs.map((job) => this.#complete(job));
    return completed.some((job, i) => job !== jobs[i]) ? completed : jobs;
  }

  #match(job: Job): Remembered | undefined {
    if (job.source !== 'accounting' || job.stdout_path !== null || job.stderr_path !== null) return undefined;
    const known = this.#paths.get(job.job_id);
    return known && known.user === job.user && known.submitTime === job.submit_time ? known : undefined;
  }

  /** The job with the paths slurmctld gave for it, or the job itself (never changed in place: answers are shared). */
  #complete(job: Job): Job {
    const known = this.#match(job);
    return known ? { ...job, stdout_path: known.stdout, stderr_path: known.stderr } : job;
  }
}
