/**
 * The internal executor acting as its callers (--auth=jwt): every libslurm call carries the
 * caller's Slurm JWT, set thread-locally in the auth/jwt plugin, on the sync path, the async
 * (libuv pool) path and in worker threads; Slurm itself decides what each caller may do. And
 * --auth=none stays munge as the gateway's user even when the operator's environment has a
 * SLURM_JWT.
 *
 * libslurm's auth mode is chosen once per process and this jest process uses 'none' (support.ts),
 * so the executors under test run in a child process (fixtures/identity-child.mjs, built code
 * from dist/: `npm run build`).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import type { SchedulerCommand } from '../../src/commands.js';
import type { CommandContext, Identity } from '../../src/context.js';
import { loadInternalExecutor } from '../../src/executors/internal/executor.js';
import { external, FINISHED, uniqueName, waitForJob } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/identity-child.mjs', import.meta.url));
function account(user: string): { name: string; uid: number; gid: number; home: string } | undefined {
  try {
    const [name, , uid, gid, , home] = execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).trim().split(':');
    return { name: name!, uid: Number(uid), gid: Number(gid), home: home! };
  } catch {
    return undefined;
  }
}

/** The private cluster's test user (scripts/cluster.sh). */
const ALICE = account('alice')!;
/**
 * Under --auth=jwt the gateway runs as an unprivileged service user (it refuses root): so does
 * the child, when this runs as root and the cluster's service user exists. Its own uid then can
 * do nothing for alice or bob; only their tokens can.
 */
const SERVICE = process.getuid?.() === 0 ? account('schedrest') : undefined;

type Via = 'sync' | 'async' | 'thread';
const VIAS: Via[] = ['sync', 'async', 'thread'];
interface Reply { id: number; ok: boolean; value?: any; error?: { code?: string; message: string }; tokenLeft?: boolean }

/** The key file slurm.conf names in AuthAltParameters=jwt_key=…, else the private cluster's. */
function keyPath(): string {
  const conf = readFileSync(process.env.SLURM_CONF!, 'utf8');
  return /^AuthAltParameters=.*jwt_key=([^,\s]+)/m.exec(conf)?.[1] ?? `${ROOT}.cluster/jwt_hs256.key`;
}

/** A token as `scontrol token` makes it: HS256, claims sun, iat, exp. */
function mint(user: string, lifespan = 900): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sun: user }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now - 5).setExpirationTime(now + lifespan).sign(new Uint8Array(readFileSync(keyPath())));
}

/** The child runs dist/: refuse to test stale code. */
function checkDistIsFresh(): void {
  const pairs: Array<[string, string]> = [['src/executors/executor.ts', 'dist/executors/executor.js'], ['src/context.ts', 'dist/context.js']];
  for (const file of readdirSync(`${ROOT}src/executors/internal`)) {
    if (file.endsWith('.ts')) pairs.push([`src/executors/internal/${file}`, `dist/executors/internal/${file.replace(/\.ts$/, '.js')}`]);
  }
  for (const [src, out] of pairs) {
    if (!existsSync(`${ROOT}${out}`) || statSync(`${ROOT}${out}`).mtimeMs < statSync(`${ROOT}${src}`).mtimeMs) {
      throw new Error(`${out} is missing or older than ${src}: run npm run build first (the child process runs dist/)`);
    }
  }
}

/** One child process running the internal executor in `auth` mode. */
class Gateway {
  #child!: ChildProcess;
  #next = 1;
  #waiting = new Map<number, (reply: Reply) => void>();

  static async start(auth: 'none' | 'jwt', env: Record<string, string | undefined> = {}, options: { as?: { uid: number; gid: number }; quiet?: boolean } = {}): Promise<{ gateway?: Gateway; error?: Reply['error'] }> {
    const g = new Gateway();
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', SR_AUTH: auth, SR_THREADS: '3', ...env };
    for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
    g.#child = fork(CHILD, [], { env: childEnv, stdio: ['ignore', 'inherit', options.quiet ? 'ignore' : 'inherit', 'ipc'], ...options.as });
    const first = await new Promise<{ ready: boolean; error?: Reply['error'] }>((resolve, reject) => {
      g.#child.once('message', resolve as (m: unknown) => void);
      g.#child.once('exit', (code) => reject(new Error(`the child exited (${code}) before it was ready`)));
    });
    g.#child.removeAllListeners('exit');
    if (!first.ready) return { error: first.error };
    g.#child.on('message', (reply: Reply) => { g.#waiting.get(reply.id)?.(reply); g.#waiting.delete(reply.id); });
    return { gateway: g };
  }

  send(msg: Record<string, unknown>): Promise<Reply> {
    const id = this.#next++;
    return new Promise((resolve) => { this.#waiting.set(id, resolve); this.#child.send({ ...msg, id }); });
  }

  run(via: Via, command: SchedulerCommand, identity?: Identity, thread = 0): Promise<Reply> {
    const ctx: CommandContext = { requestId: uniqueName('id'), deadline: Date.now() + 60_000, ...(identity && { identity }) };
    return this.send({ via, command, ctx, thread });
  }

  stop(): void {
    this.#child.disconnect();
  }
}

/** Every job this file creates, cancelled at the end whatever happened (as root, by the external executor). */
const created = new Set<string>();
const outputs = new Set<string>();

function cancelEverything(): void {
  for (const jobId of created) {
    try { external.executeSync({ kind: 'jobs.cancel', jobId }, { requestId: 'cleanup', deadline: Date.now() + 30_000 }); } catch { /* already gone */ }
  }
  for (const file of outputs) rmSync(file, { force: true });
}

const jobOf = (id: string) => external.executeSync({ kind: 'jobs.get', jobId: id }, { requestId: 'check', deadline: Date.now() + 30_000 });

function submitted(reply: Reply): string {
  if (!reply.ok) throw new Error(`submission failed: ${JSON.stringify(reply.error)}`);
  const id = String(reply.value.job_id);
  created.add(id);
  return id;
}

afterAll(cancelEverything, 120_000);

test('this (munge) process refuses a jwt executor: one auth mode per process', () => {
  expect(() => loadInternalExecutor({ auth: 'jwt' })).toThrow(expect.objectContaining({
    code: 'scheduler_unavailable',
    message: expect.stringMatching(/already initialised in this process with --auth=none/),
  }));
});

describe('--auth=jwt', () => {
  let gw: Gateway;
  let alice: Identity;
  let bob: Identity;
  let operatorToken: string;

  beforeAll(async () => {
    checkDistIsFresh();
    operatorToken = await mint('bob');
    // An operator's own token in the environment must not become anybody's fallback.
    const started = await Gateway.start('jwt', { SLURM_JWT: operatorToken }, { ...(SERVICE && { as: SERVICE }) });
    if (!started.gateway) throw new Error(`the jwt child did not start: ${JSON.stringify(started.error)}`);
    gw = started.gateway;
    alice = { user: 'alice', token: await mint('alice') };
    bob = { user: 'bob', token: await mint('bob') };
  }, 60_000);
  afterAll(() => gw?.stop());

  test('SLURM_JWT is the placeholder, not the operator token; the process stays in jwt mode', async () => {
    const env = await gw.send({ via: 'env' });
    expect(env.value.authMode).toBe('jwt');
    expect(env.value.SLURM_JWT).toEqual(expect.any(String));
    expect(env.value.SLURM_JWT).not.toBe(operatorToken);
    expect((await gw.send({ via: 'create', auth: 'none' })).error?.message).toMatch(/already initialised in this process with --auth=jwt/);
    expect((await gw.send({ via: 'create', auth: 'jwt' })).ok).toBe(true);
  });

  test.each(VIAS)('%s: a command without a token is unauthorized before reaching Slurm', async (via) => {
    for (const identity of [undefined, { user: 'alice' }]) {
      const reply = await gw.run(via, { kind: 'jobs.list', filter: {} }, identity);
      expect(reply.error).toEqual(expect.objectContaining({ code: 'unauthorized' }));
    }
    const submit = await gw.run(via, { kind: 'jobs.submit', submission: { script: '#!/bin/sh\ntrue\n', hold: true } }, { token: alice.token! });
    expect(submit.error).toEqual(expect.objectContaining({ code: 'unauthorized' }));
  });

  test('the binding itself refuses a call without a token, and Slurm refuses a bad one; no token stays on the thread', async () => {
    const bare = await gw.send({ via: 'raw', op: 'jobs', args: {} });
    expect(bare.error?.message).toMatch(/needs its caller's token/);
    const forged = await gw.send({ via: 'raw', op: 'jobs', args: {}, token: 'not-a-jwt' });
    expect(forged.ok).toBe(false);
    expect(forged.tokenLeft).toBe(false);
    const good = await gw.send({ via: 'raw', op: 'jobs', args: { job_id: 1 }, token: alice.token });
    expect(good.tokenLeft).toBe(false); // cleared on the error path too (no job 1)
  });

  test('the child runs as the service user, when there is one', async () => {
    expect((await gw.send({ via: 'env' })).value.uid).toBe(SERVICE?.uid ?? process.getuid?.());
  });

  test('a user without a local account cannot submit', async () => {
    const reply = await gw.run('sync', { kind: 'jobs.submit', submission: { script: '#!/bin/sh\ntrue\n', hold: true } }, { user: 'nosuchuser', token: await mint('nosuchuser') });
    expect(reply.error).toEqual({ code: 'forbidden', message: "User nosuchuser has no account on the gateway's host" });
  });

  test.each(VIAS)("%s: alice's job is alice's, and runs as alice, in her home, with her environment", async (via) => {
    const script = '#!/bin/bash\nid -un\necho "HOME=$HOME"\necho "USER=$USER"\necho "LOGNAME=$LOGNAME"\necho "PWD=$(pwd)"\necho "JWT=${SLURM_JWT-unset}"\n';
    const reply = await gw.run(via, { kind: 'jobs.submit', submission: { script, name: uniqueName(`id-${via}`), time_limit: 2 } }, alice, 1);
    const id = submitted(reply);
    if (reply.tokenLeft !== undefined) expect(reply.tokenLeft).toBe(false);
    const out = `${ALICE.home}/slurm-${id}.out`;
    outputs.add(out);
    const job = jobOf(id);
    expect(job).toEqual(expect.objectContaining({ user: ALICE.name, working_directory: ALICE.home, stdout_path: out }));
    await waitForJob(id, (j) => FINISHED.includes(j.state), 150);
    let text = '';
    for (let i = 0; i < 50 && !text.includes('JWT='); i++) {
      text = existsSync(out) ? readFileSync(out, 'utf8') : '';
      if (!text.includes('JWT=')) await new Promise((r) => setTimeout(r, 200));
    }
    const h = ALICE.home;
    expect(text.split('\n')).toEqual(['alice', `HOME=${h}`, 'USER=alice', 'LOGNAME=alice', `PWD=${h}`, 'JWT=unset', '']);
    expect(statSync(out).uid).toBe(ALICE.uid);
  }, 180_000);

  test.each(VIAS)("%s: bob cannot cancel, hold, release or update alice's job (Slurm's verdict); alice can", async (via) => {
    const name = uniqueName(`own-${via}`);
    const id = submitted(await gw.run(via, { kind: 'jobs.submit', submission: { script: '#!/bin/sh\nsleep 60\n', name, hold: true, time_limit: 2 } }, alice, 2));
    const attempts: SchedulerCommand[] = [
      { kind: 'jobs.cancel', jobId: id },
      { kind: 'jobs.cancel', jobId: id, signal: 'USR1' },
      { kind: 'jobs.control', jobId: id, action: 'hold' },
      { kind: 'jobs.control', jobId: id, action: 'release' },
      { kind: 'jobs.update', jobId: id, update: { name: 'taken-by-bob' } },
    ];
    for (const command of attempts) {
      const reply = await gw.run(via, command, bob, 0);
      expect({ command, code: reply.error?.code }).toEqual({ command, code: 'forbidden' });
    }
    expect(jobOf(id)).toEqual(expect.objectContaining({ user: 'alice', name, state: 'PENDING', priority: 0 }));
    // bob may still read it (no PrivateData here): reads run as bob, too.
    expect((await gw.run(via, { kind: 'jobs.get', jobId: id }, bob)).value).toEqual(expect.objectContaining({ job_id: Number(id), user: 'alice' }));
    expect((await gw.run(via, { kind: 'jobs.update', jobId: id, update: { name: `${name}-renamed` } }, alice, 1)).ok).toBe(true);
    expect(jobOf(id).name).toBe(`${name}-renamed`);
    expect((await gw.run(via, { kind: 'jobs.cancel', jobId: id }, alice, 2)).ok).toBe(true);
    await waitForJob(id, (j) => j.state === 'CANCELLED');
  }, 120_000);

  test('concurrent mixed calls, alice and bob alternating across sync, async and three threads: every job is its token\'s user\'s', async () => {
    const name = uniqueName('mixed');
    const users = [alice, bob];
    const n = 36;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => {
      const who = users[i % 2]!;
      const via = VIAS[Math.floor(i / 2) % 3]!;
      return gw.run(via, { kind: 'jobs.submit', submission: { script: '#!/bin/sh\nsleep 60\n', name, hold: true, time_limit: 2 } }, who, i)
        .then((reply) => ({ reply, who: who.user!, via }));
    }).concat(Array.from({ length: 12 }, (_, i) =>
      // Reads in between, as both users, on every path.
      gw.run(VIAS[i % 3]!, { kind: 'jobs.list', filter: { name: [name] } }, users[i % 2], i).then((reply) => ({ reply, who: '', via: VIAS[i % 3]! })))));
    const jobs = replies.slice(0, n).map(({ reply, who, via }) => ({ id: submitted(reply), who, via }));
    for (const { reply } of replies) {
      expect(reply.ok).toBe(true);
      if (reply.tokenLeft !== undefined) expect(reply.tokenLeft).toBe(false);
    }
    const owners = new Map(external.executeSync({ kind: 'jobs.list', filter: { name: [name] } }, { requestId: 'check', deadline: Date.now() + 30_000 })
      .map((j) => [String(j.job_id), j.user]));
    expect(jobs.map(({ id, who, via }) => ({ id, via, user: owners.get(id) }))).toEqual(jobs.map(({ id, who, via }) => ({ id, via, user: who })));

    // All at once, the other user's release of each job (Slurm refuses it), then each owner's cancel.
    const foreign = await Promise.all(jobs.map(({ id, who }, i) => gw.run(VIAS[i % 3]!, { kind: 'jobs.control', jobId: id, action: 'release' }, who === 'alice' ? bob : alice, i)));
    expect(foreign.map((r) => r.error?.code)).toEqual(jobs.map(() => 'forbidden'));
    const own = await Promise.all(jobs.map(({ id, who }, i) => gw.run(VIAS[(i + 1) % 3]!, { kind: 'jobs.cancel', jobId: id }, who === 'alice' ? alice : bob, i)));
    expect(own.map((r) => (r.ok ? 'ok' : r.error?.code))).toEqual(jobs.map(() => 'ok'));
    for (const { id } of jobs) await waitForJob(id, (j) => j.state === 'CANCELLED');
  }, 180_000);
});

test('--auth=jwt without the auth/jwt plugin: the executor is not created, and says why', async () => {
  checkDistIsFresh();
  const dir = mkdtempSync(join(tmpdir(), 'sr-noplugin-'));
  try {
    const conf = readFileSync(process.env.SLURM_CONF!, 'utf8');
    const pluginDir = /^PluginDir=(\S+)/m.exec(conf)?.[1] ?? '/usr/lib/x86_64-linux-gnu/slurm-wlm';
    mkdirSync(join(dir, 'plugins'));
    for (const file of readdirSync(pluginDir)) {
      if (file.endsWith('.so') && file !== 'auth_jwt.so') symlinkSync(join(pluginDir, file), join(dir, 'plugins', file));
    }
    writeFileSync(join(dir, 'slurm.conf'), `${conf.replace(/^PluginDir=.*$/m, '')}\nPluginDir=${join(dir, 'plugins')}\n`);
    const started = await Gateway.start('jwt', { SLURM_CONF: join(dir, 'slurm.conf') }, { quiet: true });
    started.gateway?.stop();
    expect(started.error).toEqual({ code: 'scheduler_unavailable', message: expect.stringMatching(/--auth=jwt: .*auth\/jwt.*slurm-wlm-jwt-plugin/) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

describe('--auth=none with an operator SLURM_JWT in the environment', () => {
  let gw: Gateway;

  beforeAll(async () => {
    checkDistIsFresh();
    // Were libslurm to pick auth/jwt from this, the job below (owner: the gateway's uid, root)
    // would be refused, since the token is alice's.
    const started = await Gateway.start('none', { SLURM_JWT: await mint('alice') });
    if (!started.gateway) throw new Error(`the none child did not start: ${JSON.stringify(started.error)}`);
    gw = started.gateway;
  }, 60_000);
  afterAll(() => gw?.stop());

  test('stays munge as the gateway\'s own user; refuses tokens and the other mode', async () => {
    const env = await gw.send({ via: 'env' });
    expect(env.value).toEqual({ SLURM_JWT: null, authMode: 'none', uid: process.getuid?.() });
    for (const via of VIAS) {
      const id = submitted(await gw.run(via, { kind: 'jobs.submit', submission: { script: '#!/bin/sh\nsleep 60\n', name: uniqueName('none'), hold: true, working_directory: '/tmp' } }));
      expect(jobOf(id).user).toBe(userInfo().username);
      expect((await gw.run(via, { kind: 'jobs.cancel', jobId: id })).ok).toBe(true);
      const withToken = await gw.run(via, { kind: 'jobs.list', filter: {} }, { user: 'alice', token: await mint('alice') });
      expect(withToken.error?.code).toBe('forbidden');
    }
    expect((await gw.send({ via: 'raw', op: 'jobs', args: { job_id: 1 }, token: 'x' })).error?.message).toMatch(/--auth=none/);
    expect((await gw.send({ via: 'create', auth: 'jwt' })).error?.message).toMatch(/already initialised in this process with --auth=none/);
  }, 60_000);
});
