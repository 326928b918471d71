/**
 * #11: the stdout/stderr routes keep working for ended jobs whose files still exist, on the real
 * cluster, after slurmctld purged them. Slurm 22.05's accounting keeps no output paths, so the
 * gateway answers with the paths slurmctld reported while it held the job
 * (src/dispatch/output-paths.ts); a job the gateway never read from slurmctld has none, and its
 * output route says why instead of guessing a file name.
 *
 * One gateway per executor (the first of each in SR_TEST_MODES). Purging needs a short MinJobAge:
 * beforeAll sets MinJobAge=2 in the cluster's slurm.conf and reconfigures, afterAll restores it;
 * slurmctld purges once a minute, so the suite waits up to ~70 s once.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { modes, startGateway, type Gateway } from '../support/gateway.js';
import { FINISHED, uniqueName, waitForJob } from '../support/slurm.js';

const CONF = process.env.SLURM_CONF!;
const original = readFileSync(CONF, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'sr-ended-output-'));
chmodSync(dir, 0o755);
const executors = [...new Set(modes().map((m) => m.executor))].map((executor) => modes().find((m) => m.executor === executor)!);
const gateways = new Map<string, Gateway>();
const seen = new Map<string, number>();
let unseen = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const controllerKnows = (id: number) => {
  try {
    return execFileSync('squeue', ['--noheader', '--states=all', `--jobs=${id}`, '--format=%i'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').includes(String(id));
  } catch {
    return false; // "Invalid job id specified"
  }
};
const accountingKnows = (id: number) =>
  execFileSync('sacct', ['-n', '-X', '-P', `--jobs=${id}`, '--format=State'], { encoding: 'utf8' }).trim() !== '';

beforeAll(async () => {
  writeFileSync(CONF, original.replace(/^MinJobAge=.*$/m, 'MinJobAge=2'));
  execFileSync('scontrol', ['reconfigure']);
  for (const { executor, application } of executors) {
    const gateway = await startGateway([`--executor=${executor}`, `--application=${application}`, '--parallel=2']);
    gateways.set(executor, gateway);
    // Submitted and watched through the gateway, as a portal does: it reads the job while slurmctld holds it.
    const submitted = await request(gateway.url).post('/v1/jobs').send({
      script: `#!/bin/sh\necho "out of ${executor}"\necho "err of ${executor}" >&2\nexit 3\n`, name: uniqueName('ended'),
      working_directory: dir, stdout: `${dir}/%j-${executor}.out`, stderr: `${dir}/%j-${executor}.err`,
    });
    expect(submitted.status).toBe(201);
    seen.set(executor, submitted.body.job_id);
    await waitForJob(gateway.url, submitted.body.job_id, (job) => FINISHED.includes(job.state));
  }
  // Never read through any gateway; its default slurm-%j.out exists all the same.
  unseen = Number(execFileSync('sbatch', ['--parsable', `--chdir=${dir}`, `--job-name=${uniqueName('unseen')}`, '--wrap=echo unseen'], { encoding: 'utf8' }).trim());
  const ids = [...seen.values(), unseen];
  const until = Date.now() + 100_000;
  while (ids.some(controllerKnows) || !ids.every(accountingKnows)) {
    if (Date.now() > until) throw new Error(`jobs ${ids.join(' ')} were not purged into accounting in time`);
    await sleep(1000);
  }
}, 180_000);

afterAll(async () => {
  for (const gateway of gateways.values()) await gateway.stop();
  writeFileSync(CONF, original);
  execFileSync('scontrol', ['reconfigure']);
  rmSync(dir, { recursive: true, force: true });
});

describe.each(executors.map((m) => `${m.executor}:${m.application}`))('%s', (mode) => {
  const executor = mode.split(':')[0]!;

  it('a purged job the gateway watched keeps the paths slurmctld gave, and both routes read its files', async () => {
    const { url } = gateways.get(executor)!;
    const id = seen.get(executor)!;
    const job = await request(url).get(`/v1/jobs/${id}`);
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ job_id: id, source: 'accounting', exit_code: 3, stdout_path: `${dir}/${id}-${executor}.out`, stderr_path: `${dir}/${id}-${executor}.err` });
    const out = await request(url).get(`/v1/jobs/${id}/stdout`);
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ job_id: id, stream: 'stdout', content: `out of ${executor}\n`, eof: true });
    const err = await request(url).get(`/v1/jobs/${id}/stderr`);
    expect(err.status).toBe(200);
    expect(err.body.content).toBe(`err of ${executor}\n`);
  });

  it('a purged job it never saw has no path, and its output route says why rather than guess one', async () => {
    const { url } = gateways.get(executor)!;
    const job = await request(url).get(`/v1/jobs/${unseen}`);
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ job_id: unseen, source: 'accounting', stdout_path: null, stderr_path: null });
    const out = await request(url).get(`/v1/jobs/${unseen}/stdout`);
    expect(out.status).toBe(404);
    expect(out.body.error).toMatchObject({ code: 'output_not_found' });
    expect(out.body.error.message).toMatch(/accounting does not record output paths/);
  });
});
