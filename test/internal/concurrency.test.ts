/**
 * Many libslurm calls at once: a few hundred execute() calls (lists, submits, cancels) on the
 * libuv pool, and several worker threads calling the binding synchronously side by side (as the
 * thread dispatch does). Every answer must be right and nothing may crash.
 */
import { Worker } from 'node:worker_threads';
import type { SchedulerCommand } from '../../src/commands.js';
import { BINDING_PATH } from '../../src/executors/internal/binding.js';
import { ctx, external, internal, uniqueName, waitForJob } from './support.js';

test('300 concurrent execute() calls: lists, submits, then cancels', async () => {
  const name = uniqueName('swarm');
  const started = Date.now();
  const reads: SchedulerCommand[] = [{ kind: 'jobs.list', filter: {} }, { kind: 'nodes.list' }, { kind: 'partitions.list' }, { kind: 'ping' }, { kind: 'cluster.info' }];
  const first = await Promise.all([
    ...Array.from({ length: 60 }, () => internal.execute({ kind: 'jobs.submit', submission: { script: '#!/bin/sh\nsleep 60\n', name, hold: true } }, ctx())),
    ...Array.from({ length: 150 }, (_, i) => internal.execute(reads[i % reads.length]!, ctx())),
  ]);
  const ids = first.slice(0, 60).map((r) => String((r as { job_id: number }).job_id));
  expect(new Set(ids).size).toBe(60);
  for (const r of first.slice(60)) expect(r).toBeTruthy();

  const listed = external.executeSync({ kind: 'jobs.list', filter: { name: [name] } }, ctx());
  expect(listed.map((j) => String(j.job_id)).sort()).toEqual([...ids].sort());
  expect(listed.every((j) => j.state === 'PENDING' && j.priority === 0)).toBe(true);

  const second = await Promise.all([
    ...ids.map((jobId) => internal.execute({ kind: 'jobs.cancel', jobId }, ctx())),
    ...Array.from({ length: 30 }, () => internal.execute({ kind: 'jobs.list', filter: { name: [name] } }, ctx())),
  ]);
  expect(second.slice(0, 60).every((r) => r === null)).toBe(true);
  for (const list of second.slice(60) as Array<Array<{ job_id: number }>>) expect(list.length).toBe(60);
  for (const id of ids) await waitForJob(id, (j) => j.state === 'CANCELLED');
  console.log(`300 execute() calls + checks in ${Date.now() - started} ms`);
}, 120_000);

test('worker threads calling libslurm synchronously at the same time', async () => {
  const name = uniqueName('threads');
  const results = await Promise.all(Array.from({ length: 6 }, () => new Promise<any>((resolve, reject) => {
    const worker = new Worker(new URL('./fixtures/hammer-worker.mjs', import.meta.url), {
      workerData: { bindingPath: BINDING_PATH, rounds: 40, name },
      env: { ...process.env },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  })));
  const submitted = results.flatMap((r) => r.submitted as number[]);
  expect(results.flatMap((r) => r.errors)).toEqual([]);
  expect(results.every((r) => r.lists === 40 && r.nodes >= 1)).toBe(true);
  expect(new Set(submitted).size).toBe(6 * 8);
  for (const id of submitted) await waitForJob(id, (j) => j.state === 'CANCELLED');
}, 120_000);
