/**
 * Issue #9's privilege escalations, replayed against the real cluster with the gateway deployed as
 * SECURITY.md says (service user schedrest, --auth=jwt): a caller's job environment must reach the
 * job only (LD_PRELOAD of a library in her home, which ran as the service user under the external
 * executor), tokens for system accounts must be refused (a job as the service user could read the
 * cluster's key through the output route), and the output route serves only what its caller could
 * read. Each fails on the code before the fix (201 / a marker written by schedrest / 200).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import { SignJWT } from 'jose';
import { readFileSync } from 'node:fs';
import { modes, type Gateway } from '../support/gateway.js';
import { account, clusterKeyPath, SERVICE_USER, startServiceGateway, token } from '../support/identity.js';
import { FINISHED, uniqueName } from '../support/slurm.js';

const alice = account('alice');
const RUN = randomBytes(4).toString('hex');
/** Where the preloaded library writes `uid-<n>` for every process that loads it. */
const markers = mkdtempSync(`/tmp/sr-attack-${RUN}-`);
const aliceDir = join(alice.home, `sr-attack-${RUN}`);
const library = join(aliceDir, 'evil.so');

/** The recommended and the isolating modes, with both executors (issue #9); SR_TEST_MODES narrows them. */
const ATTACK_MODES = ['external:coroutine', 'external:process', 'internal:thread', 'internal:process'];

beforeAll(() => {
  chmodSync(markers, 0o1777);
  mkdirSync(aliceDir, { mode: 0o755 });
  chownSync(aliceDir, alice.uid, alice.gid);
  const source = join(aliceDir, 'evil.c');
  writeFileSync(source, `#include <stdio.h>\n#include <unistd.h>\n__attribute__((constructor)) static void mark(void) {\n  char p[512]; snprintf(p, sizeof p, "${markers}/uid-%d", (int)getuid());\n  FILE *f = fopen(p, "w"); if (f) fclose(f);\n}\n`);
  execFileSync('gcc', ['-shared', '-fPIC', '-o', library, source]);
  chownSync(library, alice.uid, alice.gid);
  chmodSync(library, 0o755);
});

afterAll(() => {
  rmSync(markers, { recursive: true, force: true });
  rmSync(aliceDir, { recursive: true, force: true });
});

/** Job ids Slurm holds under `name`, asked as root (the truth, not the gateway's answer). */
const jobsNamed = (name: string) => execFileSync('squeue', ['-h', '-n', name, '-o', '%i'], { encoding: 'utf8' }).split('\n').filter(Boolean);

const chosen = modes().filter((m) => ATTACK_MODES.includes(`${m.executor}:${m.application}`));

describe.each(chosen.length ? chosen : modes())('attacks: --executor=$executor --application=$application --auth=jwt', ({ executor, application }) => {
  let gateway: Gateway;
  let asAlice: string;
  const created: number[] = [];

  beforeAll(async () => {
    gateway = await startServiceGateway(executor, application);
    asAlice = `Bearer ${await token('alice')}`;
  });

  afterAll(async () => {
    if (created.length) execFileSync('scancel', created.map(String), { stdio: 'ignore' });
    await gateway?.stop();
  });

  const submit = async (auth: string, body: object) => {
    const res = await request(gateway.url).post('/v1/jobs').set('Authorization', auth).send(body);
    if (res.status === 201) created.push(res.body.job_id);
    return res;
  };

  test('a loader variable in the job environment is refused (400) and loads nowhere, as no one', async () => {
    for (const environment of [{ LD_PRELOAD: library }, { LD_LIBRARY_PATH: aliceDir, FOO: 'x' }, { NODE_OPTIONS: `--require ${library}` }, { GCONV_PATH: aliceDir }]) {
      const name = uniqueName('preload');
      const res = await submit(asAlice, { script: '#!/bin/sh\ntrue\n', name, environment });
      expect({ environment, status: res.status, code: res.body.error?.code }).toEqual({ environment, status: 400, code: 'invalid_request' });
      expect(res.body.error.message).toMatch(/loader or interpreter variable/);
      expect(jobsNamed(name)).toEqual([]);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(readdirSync(markers)).toEqual([]);
  });

  test('tokens for system accounts are refused (403), and a token issued in the future (401)', async () => {
    const keyPath = clusterKeyPath();
    for (const user of [SERVICE_USER, 'daemon', 'nobody', 'slurm']) {
      const auth = `Bearer ${await token(user)}`;
      const list = await request(gateway.url).get('/v1/jobs').set('Authorization', auth);
      expect({ user, status: list.status }).toEqual({ user, status: 403 });
      // The attack: a job as the service user that writes the key's path as its output, read back.
      const name = uniqueName('sysacct');
      const res = await submit(auth, { script: '#!/bin/sh\ntrue\n', name, stdout: keyPath, hold: true });
      expect({ user, status: res.status }).toEqual({ user, status: 403 });
      expect(jobsNamed(name)).toEqual([]);
    }
    const now = Math.floor(Date.now() / 1000);
    const future = await new SignJWT({ sun: 'alice' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now + 10 * 3600).setExpirationTime(now + 11 * 3600).sign(new Uint8Array(readFileSync(keyPath)));
    const res = await request(gateway.url).get('/v1/jobs').set('Authorization', `Bearer ${future}`);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/issued in the future/);
  });

  test('the output route serves only what the caller could read herself', async () => {
    const readable = join(aliceDir, `ok-${executor}-${application}.out`);
    const ownerless = join(aliceDir, `044-${executor}-${application}.out`);
    // The second job makes its own output unreadable to its owner but readable to everyone else
    // (mode 044: the owner class has no read bit), which the gateway's user could read.
    const jobs = [
      await submit(asAlice, { script: '#!/bin/sh\necho fine\n', name: uniqueName('out-ok'), stdout: readable }),
      await submit(asAlice, { script: `#!/bin/sh\necho secret\nchmod 044 ${ownerless}\n`, name: uniqueName('out-044'), stdout: ownerless }),
    ];
    for (const res of jobs) expect(res.status).toBe(201);
    for (const res of jobs) {
      const until = Date.now() + 60_000;
      for (;;) {
        const job = await request(gateway.url).get(`/v1/jobs/${res.body.job_id}`).set('Authorization', asAlice);
        if (FINISHED.includes(job.body.state)) break;
        if (Date.now() > until) throw new Error(`job ${res.body.job_id} did not finish`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    const ok = await request(gateway.url).get(`/v1/jobs/${jobs[0]!.body.job_id}/stdout`).set('Authorization', asAlice);
    expect([ok.status, ok.body.content]).toEqual([200, 'fine\n']);
    const refused = await request(gateway.url).get(`/v1/jobs/${jobs[1]!.body.job_id}/stdout`).set('Authorization', asAlice);
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'forbidden']);
    expect(refused.body.error.message).toMatch(/alice may not read .* \(mode 044\)/);
  });
});
