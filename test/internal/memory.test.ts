/**
 * Nothing Slurm allocates survives a call: thousands of libslurm calls, synchronous and on the
 * libuv pool, with flat RSS. Prints the numbers. (valgrind is the sharper tool; see
 * docs/internal-executor.md.)
 */
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadBinding } from '../../src/executors/internal/binding.js';
import type { SchedulerCommand } from '../../src/commands.js';
import { ctx, internal } from './support.js';

const mib = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
// A full GC before each reading, so RSS shows what native code kept, not garbage JS has not swept.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settled = () => { gc(); gc(); return process.memoryUsage().rss; };

async function rssGrowth(label: string, rounds: number, body: (i: number) => unknown | Promise<unknown>, warmUp = 300): Promise<number> {
  for (let i = 0; i < warmUp; i++) await body(i); // warm up: heaps, caches, plugin loads
  const before = settled();
  for (let i = 0; i < rounds; i++) await body(i);
  const after = settled();
  console.log(`${label}: ${rounds} rounds, RSS ${mib(before)} MiB -> ${mib(after)} MiB (${mib(after - before)} MiB)`);
  return after - before;
}

test('raw binding calls of every read operation: flat RSS', async () => {
  const b = loadBinding();
  const growth = await rssGrowth('binding.call x6 (jobs, jobs error, nodes, partitions, statistics, config)', 1000, () => {
    b.call('jobs', { show_flags: b.constants.SHOW_ALL });
    b.call('nodes', {});
    b.call('partitions', {});
    b.call('statistics', {});
    b.call('config', {});
    try { b.call('jobs', { job_id: 999999 }); } catch { /* the failure path frees too */ }
  });
  expect(growth).toBeLessThan(16 * 1024 * 1024);
}, 300_000);

test('executeSync and execute of every read command, failures included: flat RSS', async () => {
  // Not an array's own id: that reads accounting too (the whole array).
  const jobId = String(internal.executeSync({ kind: 'jobs.list', filter: {} }, ctx()).find((j) => j.array_job_id === null)?.job_id ?? 1);
  const commands: SchedulerCommand[] = [
    { kind: 'jobs.get', jobId }, { kind: 'nodes.list' }, { kind: 'partitions.list' }, { kind: 'ping' },
    // An unknown job id is left to the accounting test below: the controller's "no such job" is
    // followed by a slurmdbd query (~90 ms), which would make this one minutes long.
    { kind: 'cluster.info' }, { kind: 'nodes.get', name: 'nope' }, { kind: 'partitions.get', name: 'nope' },
    { kind: 'jobs.list', filter: { name: ['nothing-has-this-name'] } },
  ];
  const one = (i: number) => commands[i % commands.length]!;
  const sync = await rssGrowth('executeSync, 8 commands in turn', 1200, (i) => {
    try { internal.executeSync(one(i), ctx()); } catch { /* expected for the unknown ones */ }
  }, 200);
  const async = await rssGrowth('execute, 8 commands at a time', 150, () =>
    Promise.all(commands.map((c) => internal.execute(c, ctx()).catch(() => null))), 50);
  expect(sync).toBeLessThan(24 * 1024 * 1024);
  expect(async).toBeLessThan(24 * 1024 * 1024);
}, 300_000);

test('accounting ops (slurmdb, a connection per op) and live steps: flat RSS, no connection left open', async () => {
  const b = loadBinding();
  const fds = () => readdirSync('/proc/self/fd').length;
  const until = Math.floor(Date.now() / 1000);
  const someJob = b.call('acct_jobs', { usage_start: until - 86400, usage_end: until, states: [3] })[0]?.job_id ?? 1;
  const before = fds();
  // slurmdbd answers a query in about 90 ms here: fewer rounds than the controller's calls.
  const growth = await rssGrowth('binding.call x3 (acct_jobs with steps, acct_ping, job_steps error)', 100, (i) => {
    if (i % 2) b.call('acct_jobs', { jobs: [{ job_id: someJob }], steps: true });
    else b.call('acct_jobs', { usage_start: until - 86400, usage_end: until, states: [3, 5], steps: false });
    b.call('acct_ping', {});
    try { b.call('job_steps', { job_id: 999999 }); } catch { /* the failure path frees too */ }
  }, 30);
  const commands: SchedulerCommand[] = [
    { kind: 'jobs.get', jobId: String(someJob) }, { kind: 'jobs.steps', jobId: String(someJob) }, { kind: 'accounting.ping' },
    { kind: 'jobs.history', query: { filter: {}, start: until - 86400, end: until, limit: 5 } }, { kind: 'jobs.get', jobId: '4000000000' },
  ];
  const viaExecutor = await rssGrowth('execute, 5 accounting commands at a time', 30, () =>
    Promise.all(commands.map((c) => internal.execute(c, ctx()).catch(() => null))), 10);
  expect(growth).toBeLessThan(16 * 1024 * 1024);
  expect(viaExecutor).toBeLessThan(16 * 1024 * 1024);
  expect(fds() - before).toBeLessThan(8);
}, 300_000);

test('accounts, users and QOS ops (slurmdb, a connection per op): flat RSS, no connection left open', async () => {
  const b = loadBinding();
  const fds = () => readdirSync('/proc/self/fd').length;
  const before = fds();
  const growth = await rssGrowth('binding.call x4 (acct_accounts, acct_user root and unknown, acct_qos)', 30, () => {
    b.call('acct_accounts', {});
    b.call('acct_user', { name: 'root' });
    b.call('acct_user', { name: 'nosuchuser' });
    b.call('acct_qos', {});
  }, 10);
  expect(growth).toBeLessThan(16 * 1024 * 1024);
  expect(fds() - before).toBeLessThan(8);
}, 300_000);

test('#12 ops: nodes with SHOW_DETAIL (allocated TRES freed with xfree), reservations (their flags string), licenses: flat RSS', async () => {
  const b = loadBinding();
  // A running job, so that the node has an allocated-TRES string to free.
  const job = internal.executeSync({ kind: 'jobs.submit', submission: { script: '#!/bin/sh\nsleep 120\n', name: 'memory-12', time_limit: 3, stdout: '/dev/null' } }, ctx()).job_id;
  try {
    for (let i = 0; i < 100 && internal.executeSync({ kind: 'jobs.get', jobId: String(job) }, ctx()).state !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 300));
    expect(b.call('nodes', { show_flags: b.constants.SHOW_DETAIL })[0]!.tres_alloc).toMatch(/cpu=/);
    const growth = await rssGrowth('binding.call x3 (nodes SHOW_DETAIL, reservations, licenses)', 1000, () => {
      b.call('nodes', { show_flags: b.constants.SHOW_DETAIL });
      b.call('reservations', {});
      b.call('licenses', {});
    });
    expect(growth).toBeLessThan(16 * 1024 * 1024);
  } finally {
    internal.executeSync({ kind: 'jobs.cancel', jobId: String(job) }, ctx());
  }
}, 300_000);
