/**
 * What one submit+cancel request costs a Node HTTP server's threads on this machine, measured
 * from /proc: the floor under the gateway's submit figures (docs/BENCHMARKS.md, "The floor under
 * submit+cancel"). Two uses:
 *
 *   node bench/dist/floor.js                      a bare Koa server (koa, @koa/router, koa-body:
 *                                                 the gateway's own versions) that answers POST
 *                                                 /v1/jobs and DELETE /v1/jobs/{id} after a fixed
 *                                                 delay standing in for Slurm, at 20, 7 and 3 ms
 *   node bench/dist/floor.js --url U --pid P      a running gateway (pid P, at U), the same load
 *        [--token T]                              (with a bearer token under --auth=jwt)
 *   node bench/dist/floor.js --binding            the least a Koa gateway on libslurm can do: the
 *        [--token T --uid U --gid G]              bare server above, calling the project's binding
 *                                                 (callAsync 'submit' with the descriptor the
 *                                                 gateway sends for this body, then 'kill') instead
 *                                                 of waiting; no validation, log, metrics or
 *                                                 dispatch. With --token: requests carry it, and
 *                                                 the server hands each request's token to libslurm
 *                                                 (auth/jwt), as slurmrestd and --auth=jwt do; the
 *                                                 jobs are U:G's, the token's user. `npm run bench
 *                                                 -- --modes floor+jwt` runs the same server
 *
 * The load is the bench's submit workload (POST a held job, DELETE the id it answered) at 16
 * connections for 5 s after a 1 s warm-up, from autocannon in this process. CPU is utime + stime
 * of each thread of the server, in clock ticks, before and after: the main thread apart, the
 * others summed (libuv's pool, V8's platform threads, worker threads). Bounded: three runs of 6 s.
 */
import { execFile, fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const TICK_MS = 10; // sysconf(_SC_CLK_TCK) is 100 on Linux
const CONNECTIONS = 16;

interface Sample { main: number; others: number }

function threadTicks(pid: number): Sample {
  const sample: Sample = { main: 0, others: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try { stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'); } catch { continue; } // ended meanwhile
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (tid === String(pid)) sample.main += ticks; else sample.others += ticks;
  }
  return sample;
}

async function load(url: string, seconds: number, token?: string): Promise<{ total: number; rps: number; errors: number; non2xx: number }> {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  type Conn = { id?: number };
  const result = await autocannon({
    url,
    duration: seconds,
    connections: CONNECTIONS,
    requests: [
      {
        method: 'POST',
        path: '/v1/jobs',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ script: '#!/bin/sh\ntrue\n', name: 'srbench-floor', hold: true, time_limit: 1 }),
        onResponse: (status: number, body: string, context: Conn) => { context.id = status === 201 ? JSON.parse(body).job_id : undefined; },
      },
      {
        method: 'DELETE',
        headers: auth,
        setupRequest: (request: autocannon.Request, context: Conn) => ({ ...request, path: `/v1/jobs/${context.id ?? 0}` }),
      },
    ],
  } as autocannon.Options);
  return { total: result.requests.total, rps: result.requests.average, errors: result.errors, non2xx: result.non2xx };
}

async function measure(url: string, pid: number, label: string, token?: string): Promise<void> {
  await load(url, 1, token);
  const before = threadTicks(pid);
  const run = await load(url, 5, token);
  const after = threadTicks(pid);
  const per = (ticks: number) => ((ticks * TICK_MS) / run.total).toFixed(3);
  console.log(`${label}: ${run.rps.toFixed(1)} req/s (${run.total} requests, ${run.errors} errors, ${run.non2xx} non-2xx); CPU ms/request: main thread ${per(after.main - before.main)}, other threads ${per(after.others - before.others)}`);
}

/** Listens on a free loopback port and tells the parent which (the servers run in a child process, whose CPU is measured). */
function listenAndTell(app: { listen(port: number, host: string, done: () => void): import('node:http').Server }): void {
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  });
}

/** Runs this script as a server child with `args`; answers its port once it listens. */
async function serverChild(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ child: ReturnType<typeof fork>; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), args, { stdio: 'inherit', env });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  return { child, port };
}

/** A pair cut by the end of a run leaves its held job: cancel them (only this script's name). */
const cancelLeftovers = () => new Promise<void>((resolve) => execFile('scancel', ['--name=srbench-floor'], () => resolve()));

/** The bare server, in a child process (its CPU is what is measured). */
async function bareServer(delayMs: number): Promise<void> {
  const { default: Koa } = await import('koa');
  const { Router } = await import('@koa/router');
  const { koaBody } = await import('koa-body');
  const app = new Koa();
  const router = new Router();
  let next = 1;
  const wait = () => new Promise((resolve) => setTimeout(resolve, delayMs));
  router.post('/v1/jobs', koaBody(), async (ctx) => { await wait(); ctx.status = 201; ctx.body = { job_id: next++ }; });
  router.delete('/v1/jobs/:id', async (ctx) => { await wait(); ctx.status = 202; ctx.body = { job_id: Number(ctx.params.id), state: 'CANCELLED' }; });
  app.use(router.routes());
  listenAndTell(app);
}

/** The bare server calling libslurm (the binding, on libuv's pool as coroutine mode does), in a child process. */
async function bindingServer(jwt: boolean, uid: number, gid: number): Promise<void> {
  const { default: Koa } = await import('koa');
  const { Router } = await import('@koa/router');
  const { koaBody } = await import('koa-body');
  const { createRequire } = await import('node:module');
  type Call = (name: string, args: object, token?: string) => Promise<{ job_id: number } | null>;
  const binding = createRequire(import.meta.url)(fileURLToPath(new URL('../../build/Release/slurm_binding.node', import.meta.url))) as { init(o: { auth: string }): unknown; callAsync: Call };
  binding.init({ auth: jwt ? 'jwt' : 'none' });
  const app = new Koa();
  const router = new Router();
  // The caller's token, unverified (the floor of the per-request path: the gateway verifies it once per token).
  const tokenOf = (ctx: { get(name: string): string }) => (jwt ? ctx.get('authorization').slice('Bearer '.length) : undefined);
  router.post('/v1/jobs', koaBody(), async (ctx) => {
    const body = ctx.request.body as { script: string; name: string; time_limit: number; partition?: string };
    // What the gateway's jobDescriptor() sends for this body (a held job: priority 0).
    const desc = {
      script: body.script, user_id: uid, group_id: gid, contiguous: 0, mail_type: 0, work_dir: '/tmp', std_in: '/dev/null', std_out: '/dev/null',
      name: body.name, time_limit: body.time_limit, priority: 0, min_cpus: 1, ...(body.partition && { partition: body.partition }),
      environment: ['PATH=/usr/local/bin:/usr/bin:/bin', 'SLURM_GET_USER_ENV=1', 'SLURM_PRIO_PROCESS=0', 'SLURM_SUBMIT_DIR=/tmp', 'SLURM_SUBMIT_HOST=localhost'],
    };
    const answer = await binding.callAsync('submit', desc, tokenOf(ctx));
    ctx.status = 201;
    ctx.body = { job_id: answer!.job_id };
  });
  router.delete('/v1/jobs/:id', async (ctx) => {
    await binding.callAsync('kill', { job_id: ctx.params.id, signal: 9, flags: 0 }, tokenOf(ctx));
    ctx.status = 202;
    ctx.body = { id: Number(ctx.params.id), action: 'cancel' };
  });
  app.use(router.routes());
  listenAndTell(app);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (name: string) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
  if (value('--serve')) return bareServer(Number(value('--serve')));
  if (args.includes('--serve-binding')) return bindingServer(args.includes('--jwt'), Number(value('--uid') ?? 0), Number(value('--gid') ?? 0));
  if (args.includes('--binding')) {
    const token = value('--token');
    const forward = [...(token ? ['--jwt'] : []), ...['--uid', '--gid'].flatMap((name) => (value(name) !== undefined ? [name, value(name)!] : []))];
    // libuv's pool sized as the gateway's binary sizes it, as the bench's floor mode does.
    const { child, port } = await serverChild(['--serve-binding', ...forward], { ...process.env, UV_THREADPOOL_SIZE: '64' });
    try {
      await measure(`http://127.0.0.1:${port}`, child.pid!, `bare Koa calling libslurm (${token ? 'auth/jwt' : 'auth/munge'})`, token);
    } finally {
      child.kill();
      await cancelLeftovers();
    }
    return;
  }
  const url = value('--url');
  if (url) {
    try {
      await measure(url, Number(value('--pid')), `gateway ${url}`, value('--token'));
    } finally {
      await cancelLeftovers();
    }
    return;
  }
  for (const delayMs of [20, 7, 3]) {
    const { child, port } = await serverChild(['--serve', String(delayMs)]);
    try {
      await measure(`http://127.0.0.1:${port}`, child.pid!, `bare Koa, answers after ${delayMs} ms`);
    } finally {
      child.kill();
    }
  }
}

await main();
