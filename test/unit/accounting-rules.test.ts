/** Accounting's shared rules (src/slurm/accounting.ts, history.ts, arrays.ts): no cluster. */
import { accountingFailure, cpuSeconds, exitCodeParts, parseTres, waitStatusParts } from '../../src/slurm/accounting.js';
import { historyPage, type HistorySlice } from '../../src/slurm/history.js';
import { overallState, wholeArray } from '../../src/slurm/arrays.js';
import type { Job } from '../../src/model.js';
import type { HistoryQuery } from '../../src/commands.js';

describe('accounting values, as sacct prints them with --noconvert', () => {
  it('exit codes: status, or 128 + the signal that ended the job', () => {
    expect(exitCodeParts('3:0')).toEqual({ exit_code: 3, signal: null });
    expect(exitCodeParts('0:9')).toEqual({ exit_code: 137, signal: 9 });
    expect(exitCodeParts('')).toEqual({ exit_code: null, signal: null });
    expect(waitStatusParts(3 << 8)).toEqual({ exit_code: 3, signal: null });
    expect(waitStatusParts(9)).toEqual({ exit_code: 137, signal: 9 });
  });

  it('TRES strings, memory in MiB whatever the unit, GPUs summed over types', () => {
    expect(parseTres('billing=1,cpu=2,mem=2048M,node=1')).toEqual({ cpus: 2, memory_mib: 2048, nodes: 1, gpus: null, billing: 1 });
    // Slurm lists the total and, when typed GPUs are tracked too, each type: the total is not added to.
    expect(parseTres('cpu=4,mem=2G,gres/gpu=2,gres/gpu:a100=2')).toEqual({ cpus: 4, memory_mib: 2048, nodes: null, gpus: 2, billing: null });
    expect(parseTres('gres/gpu:a100=1,gres/gpu:v100=2')).toMatchObject({ gpus: 3 });
    expect(parseTres('mem=512')).toMatchObject({ memory_mib: 512 });
    expect(parseTres('')).toBeNull();
  });

  it('TotalCPU in its four forms', () => {
    expect(cpuSeconds('00:00.012')).toBe(0.012);
    expect(cpuSeconds('01:30.5')).toBe(90.5);
    expect(cpuSeconds('01:02:03')).toBe(3723);
    expect(cpuSeconds('1-02:03:04')).toBe(93784);
    expect(cpuSeconds('')).toBeNull();
  });

  it('failures: 501 when the cluster keeps no accounting, else 503 with Slurm\'s reason', () => {
    expect(accountingFailure('Slurm accounting storage is disabled')).toMatchObject({ code: 'accounting_not_configured', status: 501 });
    const down = accountingFailure('sacct: error: Problem talking to the database: Connection refused');
    expect([down.code, down.status, down.retryAfter]).toEqual(['accounting_unavailable', 503, 5]);
    expect(down.message).toMatch(/Connection refused/);
  });
});

const at = (seconds: number) => new Date(seconds * 1000).toISOString();
const job = (job_id: number, end: number, extra: Partial<Job> = {}): Job => ({ job_id, end_time: at(end), array_job_id: null, array_task_id: null, array_tasks: null, state: 'COMPLETED', ...extra } as Job);

describe('historyPage: ended jobs, newest end first, in slices going back', () => {
  const T = 1_800_000_000;
  const jobs = [job(1, T - 10_000), job(2, T - 5000), job(3, T - 5000), job(4, T - 100), job(5, T - 40), job(6, T - 40)];
  /** Drives the walk as an executor would, answering each slice from `jobs`. */
  function run(query: HistoryQuery) {
    const slices: HistorySlice[] = [];
    const walk = historyPage(query, function* fetch(slice) {
      slices.push(slice);
      yield 'query';
      return jobs.filter((j) => { const end = Date.parse(j.end_time!) / 1000; return end >= slice.from && end <= slice.to; });
    });
    let step = walk.next();
    while (!step.done) step = walk.next();
    return { page: step.value, slices };
  }

  it('walks every job of the window exactly once across pages, ties broken by job id', () => {
    const seen: number[] = [];
    let after: HistoryQuery['after'];
    for (let page = 0; page < 10; page++) {
      const { page: answer } = run({ filter: {}, start: T - 20_000, end: T, limit: 2, ...(after && { after }) });
      seen.push(...answer.jobs.map((j) => j.job_id));
      if (!answer.next) break;
      after = answer.next;
    }
    expect(seen).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it('reads one hour first, then slices twice as long, and stops at the window\'s start', () => {
    const { slices, page } = run({ filter: {}, start: T - 20_000, end: T, limit: 100 });
    expect(slices.map((s) => s.to - s.from + 1)).toEqual([3600, 7200, 9201]); // [start, end] holds 20,001 seconds
    expect(slices[0]!.states).toContain('FAILED');
    expect(page.next).toBeNull();
  });

  it('stops as soon as the page is full', () => {
    const { slices, page } = run({ filter: {}, start: T - 20_000, end: T, limit: 2 });
    expect(slices).toHaveLength(1);
    // 3 rows ended in the hour read: the next page starts with 2 x (limit + 1) rows' worth, 2 hours.
    expect(page).toEqual({ jobs: [jobs[5], jobs[4]], next: { end: T - 40, job_id: 5, span: 7200 } });
  });

  it('narrows the slices down to one second when jobs end many a second (an array cancelled at once)', () => {
    const dense = Array.from({ length: 1000 }, (_, i) => job(1000 + i, T - 50));
    const spans: number[] = [];
    const seen: number[] = [];
    let after: HistoryQuery['after'];
    for (let page = 0; page < 20; page++) {
      const slices: HistorySlice[] = [];
      const walk = historyPage({ filter: {}, start: T - 20_000, end: T, limit: 100, ...(after && { after }) }, function* fetch(slice) {
        slices.push(slice);
        yield 'query';
        return dense.filter((j) => { const end = Date.parse(j.end_time!) / 1000; return end >= slice.from && end <= slice.to; });
      });
      let step = walk.next();
      while (!step.done) step = walk.next();
      spans.push(slices[0]!.to - slices[0]!.from + 1);
      seen.push(...step.value.jobs.map((j) => j.job_id));
      if (!step.value.next) break;
      after = step.value.next;
    }
    // From the density of each page read: one hour first, then narrower, down to the 1-second least.
    expect(spans.slice(0, 6)).toEqual([3600, 728, 148, 30, 7, 2]);
    expect(spans.slice(6).every((span) => span === 1)).toBe(true);
    expect(seen).toEqual(dense.map((j) => j.job_id).reverse());
  });

  it('starts a next page with the slice its cursor carries, sized from the page before', () => {
    const { slices } = run({ filter: {}, start: T - 20_000, end: T, limit: 2, after: { end: T - 40, job_id: 5, span: 300 } });
    expect(slices[0]).toMatchObject({ from: T - 40 - 299, to: T - 40 });
  });
});

describe('wholeArray: an array as its user thinks of it', () => {
  const base = { array_job_id: 40, end_time: null } as const;
  const rec = (job_id: number, task: number | null, state: string, rest: string | null = null): Job => ({ ...base, job_id, array_task_id: task, array_tasks: rest, state } as unknown as Job);

  it('joins the controller\'s records with tasks only accounting still has, takes started tasks out of a lagging remainder', () => {
    const controller = [rec(40, null, 'PENDING', '2-4%1'), rec(42, 1, 'RUNNING')];
    const accounting = [rec(41, 0, 'FAILED'), rec(42, 1, 'PENDING'), rec(40, null, 'PENDING', '1-4%1')];
    const array = wholeArray(40, controller, accounting)!;
    expect(array.tasks!.map((t) => [t.job_id, t.array_task_id, t.state, t.array_tasks])).toEqual([
      [41, 0, 'FAILED', null], [42, 1, 'RUNNING', null], [40, null, 'PENDING', '2-4%1'],
    ]);
    expect([array.job_id, array.state]).toEqual([40, 'RUNNING']);
  });

  it('drops tasks with their own record from accounting\'s remainder when the controller has none', () => {
    const array = wholeArray(40, [], [rec(41, 0, 'COMPLETED'), rec(42, 1, 'COMPLETED'), rec(40, null, 'PENDING', '[1-3%1]'.slice(1, -1))])!;
    expect(array.tasks!.at(-1)).toMatchObject({ array_tasks: '2-3%1' });
    expect(wholeArray(40, [], [rec(41, 0, 'COMPLETED'), rec(40, null, 'PENDING', '0')])!.tasks).toHaveLength(1);
    expect(wholeArray(40, [], [])).toBeUndefined();
  });

  it('overall state: running, else suspended, else pending, else how the weightiest task ended', () => {
    const s = (...states: string[]) => overallState(states.map((state, i) => rec(i + 1, i, state)));
    expect(s('COMPLETED', 'RUNNING', 'PENDING')).toBe('RUNNING');
    expect(s('COMPLETED', 'PENDING')).toBe('PENDING');
    expect(s('SUSPENDED', 'PENDING')).toBe('SUSPENDED');
    expect(s('COMPLETED', 'COMPLETED')).toBe('COMPLETED');
    expect(s('COMPLETED', 'CANCELLED', 'FAILED')).toBe('FAILED');
    expect(s('TIMEOUT', 'CANCELLED')).toBe('TIMEOUT');
  });
});
