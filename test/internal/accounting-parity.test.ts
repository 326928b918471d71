/**
 * Jobs after the queue (#11): the internal executor (slurmdb API) answers what the external one
 * (sacct) answers, object by object, on the real cluster's accounting: a page of history with
 * every field of every job, and for jobs of that page (plain, failed, with srun steps, array
 * tasks) jobs.get and jobs.steps of their accounting records. The jobs are ended ones, so nothing
 * moves between the two reads.
 */
import { execFileSync } from 'node:child_process';
import type { HistoryQuery } from '../../src/commands.js';
import type { Job } from '../../src/model.js';
import { external, internal, MODES, run, sleep, uniqueName } from './support.js';

const name = uniqueName('acct-parity');
const sbatch = (...args: string[]) => execFileSync('sbatch', ['--parsable', '--output=/dev/null', `--job-name=${name}`, '--chdir=/tmp', ...args], { encoding: 'utf8' }).trim().split(';')[0]!;
const ids: string[] = [];
let query: HistoryQuery;

beforeAll(async () => {
  ids.push(sbatch('--wrap=exit 3'), sbatch('--wrap=srun true; srun false; true'), sbatch('--array=0-2', '--wrap=true'), sbatch('--mem=100M', '-c1', '--wrap=kill -9 $$'));
  const until = Date.now() + 60_000;
  for (;;) {
    const ended = execFileSync('sacct', ['-X', '-n', '-P', '--format=JobID,End', `--name=${name}`, '--starttime=now-1hour', '--endtime=now'], { encoding: 'utf8', env: { ...process.env, SLURM_TIME_FORMAT: '%s' } })
      .split('\n').filter((l) => /\|\d+$/.test(l)).length;
    if (ended >= 6) break; // 3 jobs and 3 array tasks
    if (Date.now() > until) throw new Error(`accounting recorded ${ended} of 6 ended records in 60 s`);
    await sleep(500);
  }
  await sleep(11_000); // window queries see an end ~4 s late (src/http/history-query.ts)
  const now = Math.floor(Date.now() / 1000);
  query = { filter: { name: [name] }, start: now - 3600, end: now - 10, limit: 100 };
}, 90_000);

describe.each(MODES)('%s', (mode) => {
  test('a history page: the same jobs, every field equal, in the same order', async () => {
    const e = await run(external, 'sync', { kind: 'jobs.history', query });
    const i = await run(internal, mode, { kind: 'jobs.history', query });
    expect(e.jobs).toHaveLength(6);
    expect(i).toEqual(e);
  });

  test('a user that does not exist selects nothing (#12): alone an empty page, beside root the same page', async () => {
    for (const executorMode of [['external', 'sync'], ['internal', mode]] as const) {
      const executor = executorMode[0] === 'external' ? external : internal;
      const none = await run(executor, executorMode[1], { kind: 'jobs.history', query: { ...query, filter: { ...query.filter, user: ['nosuchuser'] } } });
      expect(none).toEqual({ jobs: [], next: null });
      const mixed = await run(executor, executorMode[1], { kind: 'jobs.history', query: { ...query, filter: { ...query.filter, user: ['nosuchuser', 'root'] } } });
      expect(mixed.jobs).toHaveLength(6);
    }
  });

  test('jobs.get and jobs.steps of each job, after the queue or from it, equal', async () => {
    const page = await run(external, 'sync', { kind: 'jobs.history', query });
    const every = [...new Set([...ids, ...page.jobs.map((j: Job) => String(j.job_id))])];
    for (const jobId of every) {
      const [e, i] = [await run(external, 'sync', { kind: 'jobs.get', jobId }), await run(internal, mode, { kind: 'jobs.get', jobId })];
      expect({ jobId, job: i }).toEqual({ jobId, job: e });
      const [es, is] = [await run(external, 'sync', { kind: 'jobs.steps', jobId }), await run(internal, mode, { kind: 'jobs.steps', jobId })];
      expect({ jobId, steps: is }).toEqual({ jobId, steps: es });
    }
  });
});
