/**
 * Jobs after the queue through HTTP (#11), in every combination the checkout can run, on the real
 * cluster: GET /v1/history walks pages with its cursor and lists each ended job once, refuses bad
 * windows, states and cursors with 400 naming the field; GET /v1/jobs/{id}/steps answers the batch
 * step; GET /v1/jobs/{array id} answers the whole array; health reports accounting. (The executor
 * suites, test/integration/accounting.test.ts and test/internal/accounting.test.ts, cover jobs the
 * controller has purged.)
 */
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { modes, startGateway, type Gateway } from '../support/gateway.js';
import { availableExecutors } from '../support/executors.js';
import { uniqueName } from '../support/slurm.js';

const name = uniqueName('hist');
const sbatch = (...args: string[]) => Number(execFileSync('sbatch', ['--parsable', '--output=/dev/null', `--job-name=${name}`, '--chdir=/tmp', ...args], { encoding: 'utf8' }).trim().split(';')[0]);
const sacctKnows = (ids: number[]) => {
  const out = execFileSync('sacct', ['-X', '-n', '-P', '--format=JobIDRaw,End', `--jobs=${ids.join(',')}`], { encoding: 'utf8', env: { ...process.env, SLURM_TIME_FORMAT: '%s' } });
  const ended = out.split('\n').filter((line) => /^\d+\|\d+$/.test(line)).map((line) => Number(line.split('|')[0]));
  return ids.every((id) => ended.includes(id));
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jobs: number[] = [];
let array = 0;

beforeAll(async () => {
  for (let i = 0; i < 5; i++) jobs.push(sbatch(`--wrap=exit ${i}`));
  // Task 0 ends at once, task 1 runs until afterAll, 2 waits (%1).
  array = sbatch('--array=0-2%1', '--wrap=[ "$SLURM_ARRAY_TASK_ID" = 0 ] || sleep 300');
  const until = Date.now() + 60_000;
  while (!sacctKnows(jobs)) {
    if (Date.now() > until) throw new Error(`accounting did not record the end of ${jobs.join(',')} in 60 s`);
    await sleep(500);
  }
  await sleep(11_000); // history windows end 10 s ago (src/http/history-query.ts, HISTORY_SETTLE_SECONDS)
}, 90_000);

afterAll(() => { if (array) execFileSync('scancel', [String(array)]); });

describe.each(modes().filter((m) => availableExecutors().includes(m.executor)))('jobs after the queue over HTTP: --executor=$executor --application=$application', ({ executor, application }) => {
  let gateway: Gateway;
  beforeAll(async () => { gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=2']); });
  afterAll(() => gateway.stop());

  it('walks the history with its cursor: each ended job once, the most recently ended first, while others are submitted and end', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    const meanwhile: number[] = [];
    do {
      // A job of the same name submitted (and ending) during the walk: after the window it froze.
      if (pages > 0) meanwhile.push(sbatch('--wrap=true'));
      const res = await request(gateway.url).get('/v1/history').query({ name, start: '-1h', limit: '2', ...(cursor && { cursor }) });
      expect(res.status).toBe(200);
      expect(res.body.jobs.length).toBeLessThanOrEqual(2);
      for (const job of res.body.jobs) expect(job).toMatchObject({ source: 'accounting', name });
      seen.push(...res.body.jobs.map((j: { job_id: number }) => j.job_id));
      cursor = res.body.next_cursor;
      // The next page's link (#13), as the other lists give it: this query with the cursor.
      expect(res.headers.link).toBe(cursor === null ? undefined : `</v1/history?name=${name}&start=-1h&limit=2&cursor=${cursor}>; rel="next"`);
      pages++;
    } while (cursor && pages < 20);
    for (const id of jobs) expect(seen.filter((s) => s === id)).toHaveLength(1);
    expect(new Set(seen).size).toBe(seen.length);
    expect(meanwhile.length).toBeGreaterThan(0);
    expect(seen.filter((id) => meanwhile.includes(id))).toEqual([]);
    const all = (await request(gateway.url).get('/v1/history').query({ name, start: '-1h', job_id: jobs.join(',') })).body.jobs as Array<{ job_id: number; end_time: string; exit_code: number }>;
    expect(all.map((j) => j.job_id)).toEqual(seen.filter((id) => jobs.includes(id)));
    const ends = all.map((j) => Date.parse(j.end_time));
    expect([...ends].sort((a, b) => b - a)).toEqual(ends);
    expect(all.find((j) => j.job_id === jobs[3])).toMatchObject({ exit_code: 3, state: 'FAILED' });
  });

  it('filters by ended state and job id', async () => {
    const res = await request(gateway.url).get('/v1/history').query({ state: 'completed', job_id: jobs.join(','), start: '-1h' });
    expect(res.status).toBe(200);
    expect(res.body.jobs.map((j: { job_id: number }) => j.job_id)).toEqual([jobs[0]]);
  });

  it.each([
    [{ start: '-400d' }, /start: the window is 400 days long; at most 31 days/],
    [{ state: 'RUNNING' }, /state.*a state a job ends in/],
    [{ cursor: 'bm90IGEgY3Vyc29y' }, /cursor: is not a cursor/],
    [{ start: 'last tuesday' }, /start: must be "now", a relative time/],
    [{ limit: '5000' }, /limit: must be at most 1000/],
  ])('refuses %j with a 400 naming the field', async (query, message) => {
    const res = await request(gateway.url).get('/v1/history').query(query);
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_request']);
    expect(res.body.error.message).toMatch(message);
  });

  it('answers a job\'s steps, and 404 for a job nobody knows', async () => {
    const res = await request(gateway.url).get(`/v1/jobs/${jobs[1]}/steps`);
    expect(res.status).toBe(200);
    expect(res.body.steps).toEqual(expect.arrayContaining([expect.objectContaining({ job_id: jobs[1], step_id: 'batch', exit_code: 1 })]));
    const unknown = await request(gateway.url).get('/v1/jobs/4000000000/steps');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'job_not_found']);
  });

  it('answers an array job\'s own id with the whole array', async () => {
    const res = await request(gateway.url).get(`/v1/jobs/${array}`);
    expect(res.status).toBe(200);
    const tasks = res.body.tasks as Array<{ array_task_id: number | null; state: string }>;
    expect(tasks.find((t) => t.array_task_id === 0)).toMatchObject({ state: 'COMPLETED' });
    expect(tasks.some((t) => t.state === 'RUNNING' || t.state === 'PENDING')).toBe(true);
    expect(['RUNNING', 'PENDING']).toContain(res.body.state);
    expect(res.body.job_id).toBe(array);
  });

  it('reports accounting in health, apart from the controller', async () => {
    const res = await request(gateway.url).get('/v1/health');
    expect(res.status).toBe(200);
    expect(res.body.accounting).toEqual({ status: 'up', reason: null });
  });
});
