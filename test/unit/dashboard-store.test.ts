/**
 * #15: the dashboard's queue model (ui/store.js) in Node: events applied to the list as the
 * contract describes them, and the table's query (filters, search, sort, one page) over 10,000
 * jobs, checked against a plain reference. The time of each query is printed (not asserted: the
 * machine is shared); the browser test measures the same in Chromium, rendering included.
 */
import { JobStore, queryJobs, distinct, type StoredJob } from '../../ui/store.js';

const STATES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
function jobs(n: number): StoredJob[] {
  return Array.from({ length: n }, (_, i) => ({
    job_id: 1000 + i, name: `job-${(i * 7919) % n}`, user: ['alice', 'bob', 'carol'][i % 3], account: 'root',
    partition: i % 4 === 0 ? 'long' : 'debug', state: STATES[i % 5], reason: i % 5 === 0 ? 'Priority' : 'None',
    submit_time: new Date(Date.UTC(2026, 11, 1) + ((i * 31) % n) * 1000).toISOString(), time_limit: i % 10 === 0 ? null : (i % 60) + 1,
    nodes: i % 5 === 1 ? `node${String(i % 50).padStart(3, '0')}` : null,
  }));
}

describe('JobStore', () => {
  it('applies the events of /v1/events: submitted and state carry the job; gone removes it; others are ignored', () => {
    const store = new JobStore();
    store.replace([{ job_id: 1, state: 'PENDING' }]);
    const v = store.version;
    expect(store.apply({ type: 'job.submitted', job_id: 2, job: { job_id: 2, state: 'PENDING' } })).toBe(true);
    expect(store.apply({ type: 'job.state', job_id: 1, old_state: 'PENDING', new_state: 'RUNNING', job: { job_id: 1, state: 'RUNNING' } })).toBe(true);
    expect(store.apply({ type: 'job.finished', job_id: 2, new_state: 'COMPLETED', exit_code: 0 })).toBe(true); // no job object: the state alone
    expect(store.get(1)?.state).toBe('RUNNING');
    expect(store.get(2)?.state).toBe('COMPLETED');
    expect(store.apply({ type: 'job.gone', job_id: 1 })).toBe(true);
    expect(store.apply({ type: 'job.gone', job_id: 1 })).toBe(false);
    expect(store.apply({ type: 'node.state', name: 'vm' })).toBe(false);
    expect(store.apply({ type: 'job.state', job_id: 99, new_state: 'RUNNING' })).toBe(false); // unknown, no job object
    expect(store.values().map((j) => j.job_id)).toEqual([2]);
    expect(store.version).toBe(v + 4);
  });
});

describe('queryJobs over 10,000 jobs', () => {
  const all = jobs(10_000);
  const timed = <T>(label: string, run: () => T): T => {
    const start = performance.now();
    const result = run();
    console.log(`dashboard store, 10,000 jobs: ${label} ${(performance.now() - start).toFixed(1)} ms`);
    return result;
  };

  it('pages the whole list by job id, descending, 100 rows a page', () => {
    const r = timed('sort by id, first page', () => queryJobs(all, { sort: 'job_id', descending: true }));
    expect(r.total).toBe(10_000);
    expect(r.pages).toBe(100);
    expect(r.rows).toHaveLength(100);
    expect(r.rows[0]!.job_id).toBe(10_999);
    const last = queryJobs(all, { sort: 'job_id', page: 99 });
    expect(last.rows.at(-1)!.job_id).toBe(10_999);
    expect(queryJobs(all, { page: 500 }).page).toBe(99); // past the end: the last page
  });

  it('filters by state, user and partition together, as a plain filter does', () => {
    const r = timed('state+user+partition filter', () => queryJobs(all, { state: 'RUNNING', user: 'bob', partition: 'debug', pageSize: 10_000 }));
    const expected = all.filter((j) => j.state === 'RUNNING' && j.user === 'bob' && j.partition === 'debug');
    expect(r.total).toBe(expected.length);
    expect(new Set(r.rows.map((j) => j.job_id))).toEqual(new Set(expected.map((j) => j.job_id)));
  });

  it('searches every word, case-insensitively, in id, name, user, nodes and reason', () => {
    const r = timed('search "ALICE node00"', () => queryJobs(all, { search: 'ALICE node00', pageSize: 10_000 }));
    const expected = all.filter((j) => j.user === 'alice' && String(j.nodes ?? '').startsWith('node00'));
    expect(r.total).toBe(expected.length);
    expect(r.total).toBeGreaterThan(0);
    expect(queryJobs(all, { search: '10999' }).rows.map((j) => j.job_id)).toEqual([10_999]);
    timed('search again (cached text)', () => queryJobs(all, { search: 'alice node00' }));
  });

  it('sorts by name and by submit time, either way, unknown values last, ties by job id', () => {
    const byName = timed('sort by name', () => queryJobs(all, { sort: 'name', pageSize: 10_000 })).rows.map((j) => j.name as string);
    expect(byName).toEqual([...byName].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
    const bySubmit = timed('sort by submit time, descending', () => queryJobs(all, { sort: 'submit_time', descending: true, pageSize: 10_000 })).rows;
    for (let i = 1; i < bySubmit.length; i += 1) expect((bySubmit[i - 1]!.submit_time as string) >= (bySubmit[i]!.submit_time as string)).toBe(true);
    for (const descending of [false, true]) {
      const limits = queryJobs(all, { sort: 'time_limit', descending, pageSize: 10_000 }).rows.map((j) => j.time_limit);
      expect(limits.slice(-1000).every((l) => l === null)).toBe(true);
      expect(limits.slice(0, 9000).every((l) => l !== null)).toBe(true);
    }
  });

  it('lists the distinct values a filter offers', () => {
    expect(distinct(all, 'user')).toEqual(['alice', 'bob', 'carol']);
    expect(distinct(all, 'partition')).toEqual(['debug', 'long']);
  });
});
