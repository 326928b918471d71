/**
 * History acts as its caller (#11): with PrivateData=jobs in slurmdbd.conf, alice's history holds
 * her job and never bob's, whatever she asks for, and the other way round; the gateway adds no
 * rule of its own, so this is slurmdbd's decision reached with the caller's token. Run with the
 * gateway as SECURITY.md deploys it (service user, --auth=jwt), once per executor.
 *
 * beforeAll appends PrivateData=jobs to the cluster's slurmdbd.conf and has slurmdbd reread it
 * (`sacctmgr reconfigure`); afterAll restores the file and rereads it. slurmdbd shows a user only
 * the jobs of their own associations under PrivateData, so alice and bob have one (cluster.sh up).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import request from 'supertest';
import { availableExecutors } from '../support/executors.js';
import { modes } from '../support/gateway.js';
import { startServiceGateway, token, ensureAssociations } from '../support/identity.js';
import type { Gateway } from '../support/gateway.js';
import { uniqueName } from '../support/slurm.js';

const DBD_CONF = join(dirname(process.env.SLURM_CONF!), 'slurmdbd.conf');
const original = readFileSync(DBD_CONF, 'utf8');
const name = uniqueName('private');
const ids: Record<'alice' | 'bob', number> = { alice: 0, bob: 0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ended = (id: number) => /^\d+\|\d+$/m.test(execFileSync('sacct', ['-X', '-n', '-P', '--format=JobIDRaw,End', `--jobs=${id}`], { encoding: 'utf8', env: { ...process.env, SLURM_TIME_FORMAT: '%s' } }));


beforeAll(async () => {
  ensureAssociations();
  for (const user of ['alice', 'bob'] as const) {
    ids[user] = Number(execFileSync('sbatch', ['--parsable', `--uid=${user}`, `--job-name=${name}`, '--output=/dev/null', '--chdir=/tmp', '--wrap=true'], { encoding: 'utf8' }).trim());
  }
  const until = Date.now() + 60_000;
  while (!ended(ids.alice) || !ended(ids.bob)) {
    if (Date.now() > until) throw new Error('accounting did not record both jobs in 60 s');
    await sleep(500);
  }
  await sleep(11_000); // history windows end 10 s ago
  writeFileSync(DBD_CONF, `${original.trimEnd()}\nPrivateData=jobs\n`);
  execFileSync('sacctmgr', ['reconfigure']);
}, 90_000);

afterAll(() => {
  writeFileSync(DBD_CONF, original);
  execFileSync('sacctmgr', ['reconfigure']);
});

describe.each(availableExecutors().filter((e) => modes().some((m) => m.executor === e)))('history with PrivateData=jobs: --executor=%s --auth=jwt', (executor) => {
  let gateway: Gateway;
  // --no-coalesce: every request its own slurmdbd query (coalescing would share one per caller).
  beforeAll(async () => { gateway = await startServiceGateway(executor, 'thread', ['--no-coalesce']); });
  afterAll(() => gateway.stop());

  const history = async (caller: 'alice' | 'bob', query: Record<string, string>) => {
    const res = await request(gateway.url).get('/v1/history').query({ name, start: '-1h', ...query }).set('Authorization', `Bearer ${await token(caller)}`);
    expect(res.status).toBe(200);
    return (res.body.jobs as Array<{ job_id: number; user: string }>).map((j) => [j.job_id, j.user]);
  };

  it('shows alice her job and not bob\'s, and bob his and not alice\'s', async () => {
    expect(await history('alice', {})).toEqual([[ids.alice, 'alice']]);
    expect(await history('bob', {})).toEqual([[ids.bob, 'bob']]);
  });

  it('keeps each caller to their own jobs when alice and bob ask at the same time, many times', async () => {
    // Several commands in flight at once (--parallel=2 threads; each opens its slurmdb connection
    // with its caller's token): a connection or token shared between them would show here.
    const callers = Array.from({ length: 24 }, (_, i) => (i % 2 ? 'alice' : 'bob') as 'alice' | 'bob');
    const answers = await Promise.all(callers.map((caller) => history(caller, {})));
    answers.forEach((jobs, i) => expect({ caller: callers[i], jobs }).toEqual({ caller: callers[i], jobs: [[ids[callers[i]!], callers[i]]] }));
  });

  it('shows alice nothing of bob\'s when she names him or his job', async () => {
    expect(await history('alice', { user: 'bob' })).toEqual([]);
    expect(await history('alice', { job_id: String(ids.bob) })).toEqual([]);
  });
});
