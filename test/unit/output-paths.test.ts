import { RememberedOutputPaths } from '../../src/dispatch/output-paths.js';
import type { CommandDispatcher } from '../../src/dispatch/dispatcher.js';
import type { RequestContext } from '../../src/context.js';
import type { SchedulerCommand } from '../../src/commands.js';
import type { Job } from '../../src/model.js';

/** Answers each command kind with what the test put there. */
class Scripted implements CommandDispatcher {
  answers = new Map<string, unknown>();
  running = 0; waiting = 0; concurrency = 1;
  async dispatch(command: SchedulerCommand): Promise<never> {
    if (!this.answers.has(command.kind)) throw new Error(`no answer for ${command.kind}`);
    return this.answers.get(command.kind) as never;
  }
  async close() {}
}

const ctx: RequestContext = { requestId: 'r', deadline: Date.now() + 5000, signal: new AbortController().signal };
const SUBMIT = '2026-12-01T05:00:00Z';

/** A job as slurmctld reports it while it holds it. */
const held = (id: number, fields: Partial<Job> = {}): Job => ({
  job_id: id, user: 'alice', submit_time: SUBMIT, source: 'controller',
  stdout_path: `/home/alice/out-${id}.txt`, stderr_path: `/home/alice/err-${id}.txt`, ...fields,
}) as Job;

/** The same job as accounting reports it after the purge: no paths. */
const purged = (id: number, fields: Partial<Job> = {}): Job => ({
  ...held(id), source: 'accounting', stdout_path: null, stderr_path: null, exit_code: 3, ...fields,
}) as Job;

const get = (id: number) => ({ kind: 'jobs.get', jobId: { id } }) as unknown as SchedulerCommand;
const list = { kind: 'jobs.list', filter: {} } as const;
const history = { kind: 'jobs.history', query: {} } as unknown as SchedulerCommand;

describe('RememberedOutputPaths', () => {
  it("gives a purged job the paths slurmctld reported for it, leaving accounting's other fields", async () => {
    const inner = new Scripted();
    const paths = new RememberedOutputPaths(inner);
    inner.answers.set('jobs.get', held(7));
    await paths.dispatch(get(7), ctx);
    const answer = purged(7);
    inner.answers.set('jobs.get', answer);
    const job = await paths.dispatch(get(7), ctx) as Job;
    expect(job).toMatchObject({ job_id: 7, source: 'accounting', exit_code: 3, stdout_path: '/home/alice/out-7.txt', stderr_path: '/home/alice/err-7.txt' });
    expect(answer.stdout_path).toBeNull(); // answers are shared by coalesced callers: never changed in place
  });

  it('learns from job lists, and from each list once', async () => {
    const inner = new Scripted();
    const paths = new RememberedOutputPaths(inner);
    const jobs = [held(1), held(2)];
    inner.answers.set('jobs.list', jobs);
    expect(await paths.dispatch(list, ctx)).toBe(jobs);
    expect(paths.size).toBe(2);
    jobs.push(held(3)); // the very same array again (validated lists): not read twice
    await paths.dispatch(list, ctx);
    expect(paths.size).toBe(2);
  });

  it('fills history pages and the tasks of a whole array', async () => {
    const inner = new Scripted();
    const paths = new RememberedOutputPaths(inner);
    inner.answers.set('jobs.list', [held(10), held(11)]);
    await paths.dispatch(list, ctx);
    inner.answers.set('jobs.history', { jobs: [purged(11), purged(12)], next: null });
    const page = await paths.dispatch(history, ctx) as { jobs: Job[] };
    expect(page.jobs.map((j) => j.stdout_path)).toEqual(['/home/alice/out-11.txt', null]);
    inner.answers.set('jobs.get', { ...held(9, { stdout_path: null, stderr_path: null }), tasks: [purged(10), held(13)] });
    const array = await paths.dispatch(get(9), ctx) as Job;
    expect(array.tasks!.map((t) => t.stdout_path)).toEqual(['/home/alice/out-10.txt', '/home/alice/out-13.txt']);
  });

  it('never gives a job the paths of another job under the same id (other user, other submit time)', async () => {
    const inner = new Scripted();
    const paths = new RememberedOutputPaths(inner);
    inner.answers.set('jobs.list', [held(5), held(6)]);
    await paths.dispatch(list, ctx);
    inner.answers.set('jobs.get', purged(5, { user: 'bob' }));
    expect((await paths.dispatch(get(5), ctx) as Job).stdout_path).toBeNull();
    inner.answers.set('jobs.get', purged(6, { submit_time: '2026-12-01T06:00:00Z' }));
    expect((await paths.dispatch(get(6), ctx) as Job).stdout_path).toBeNull();
  });

  it('never learns from accounting records, and leaves a job never seen without paths', async () => {
    const inner = new Scripted();
    const paths = new RememberedOutputPaths(inner);
    inner.answers.set('jobs.get', { ...purged(8), stdout_path: '/etc/shadow' });
    await paths.dispatch(get(8), ctx);
    expect(paths.size).toBe(0);
    inner.answers.set('jobs.get', purged(4));
    expect((await paths.dispatch(get(4), ctx) as Job).stdout_path).toBeNull();
  });

  it('keeps at most its capacity, forgetting the least recently seen', async () => {
    const inner = new Scripted();
    const paths = new RememberedOutputPaths(inner, 2);
    inner.answers.set('jobs.list', [held(1), held(2)]);
    await paths.dispatch(list, ctx);
    inner.answers.set('jobs.list', [held(1), held(3)]); // 1 seen again, so 2 is the oldest
    await paths.dispatch(list, ctx);
    expect(paths.size).toBe(2);
    for (const [id, expected] of [[1, '/home/alice/out-1.txt'], [2, null], [3, '/home/alice/out-3.txt']] as const) {
      inner.answers.set('jobs.get', purged(id));
      expect((await paths.dispatch(get(id), ctx) as Job).stdout_path).toBe(expected);
    }
  });
});
