/**
 * The composition root and the app, built in-process as the entry point builds them (no cluster:
 * every request here is answered before a command would reach Slurm). Covers what issue #10 asks of
 * the root itself: it builds what the app uses, refuses what cannot run, and the app answers
 * in the gateway's JSON.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { compose } from '../../src/compose.js';
import { createApp } from '../../src/app.js';
import { parseOptions, type GatewayOptions } from '../../src/options.js';
import { Coalescer } from '../../src/dispatch/coalescer.js';
import { ValidatedLists } from '../../src/dispatch/validated-lists.js';
import { RememberedOutputPaths } from '../../src/dispatch/output-paths.js';

/** The layer under the output-path memory, which is always outermost. */
const below = (dispatcher: unknown) => {
  expect(dispatcher).toBeInstanceOf(RememberedOutputPaths);
  return (dispatcher as RememberedOutputPaths).inner;
};

// compose() checks that a Slurm configuration exists (both executors refuse to start without one);
// nothing here reaches Slurm, so on a machine without Slurm an empty file stands in for it.
if (!process.env.SLURM_CONF) {
  const dir = mkdtempSync(join(tmpdir(), 'sr-composition-'));
  writeFileSync(join(dir, 'slurm.conf'), '# stands in for a configuration: nothing here reaches Slurm\n');
  process.env.SLURM_CONF = join(dir, 'slurm.conf');
}

const options = (...argv: string[]) => parseOptions(['--executor=external', '--application=coroutine', '--parallel=2', '--log-level=silent', ...argv]) as GatewayOptions;

describe('compose + createApp, in-process', () => {
  const gateway = compose(options());
  const app = createApp(gateway);
  afterAll(() => gateway.dispatcher.close(0));

  it('builds what the app and the entry point use, with the mode the options name', () => {
    expect(gateway.dispatcher.concurrency).toBe(2);
    expect(gateway.inFlight.size).toBe(0);
    expect(gateway.runtime).toMatchObject({ executor: 'external', dispatchMode: 'coroutine', parallel: 2, auth: 'none' });
    expect(gateway.authenticator).toBeUndefined();
  });

  it('puts the output-path memory outermost, coalescing under it only when asked, and validated lists only for an executor that answers jobs.list.since', async () => {
    expect(below(gateway.dispatcher)).toBeInstanceOf(Coalescer);
    const plain = compose(options('--no-coalesce'));
    expect(below(plain.dispatcher)).not.toBeInstanceOf(Coalescer);
    expect(below(plain.dispatcher)).not.toBeInstanceOf(ValidatedLists); // external: no jobs.list.since
    await plain.dispatcher.close(0);
  });

  it('answers unknown routes and wrong methods in the gateway\'s JSON', async () => {
    const missing = await request(app.callback()).get('/v1/nope');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
    const wrong = await request(app.callback()).put('/v1/jobs');
    expect([wrong.status, wrong.body.error.code]).toEqual([405, 'method_not_allowed']);
    expect(wrong.headers.allow).toMatch(/GET/);
  });

  it('refuses what must never reach Slurm with a 400 naming it, before any command', async () => {
    const preload = await request(app.callback()).post('/v1/jobs').send({ script: '#!/bin/sh\ntrue\n', environment: { LD_PRELOAD: '/tmp/x.so' } });
    expect([preload.status, preload.body.error.code]).toEqual([400, 'invalid_request']);
    expect(preload.body.error.message).toMatch(/LD_PRELOAD is a loader or interpreter variable/);
    const uid = await request(app.callback()).post('/v1/jobs').send({ script: '#!/bin/sh\n#SBATCH --uid=0\ntrue\n' });
    expect([uid.status, uid.body.error.message]).toEqual([400, expect.stringMatching(/#SBATCH --uid is not allowed/)]);
    expect(gateway.dispatcher.running).toBe(0);
  });

  it('answers 503 shutting_down with Connection: close once stopping', async () => {
    const stopping = compose(options());
    const stoppingApp = createApp(stopping);
    stopping.inFlight.stop();
    const res = await request(stoppingApp.callback()).get('/v1/health');
    expect([res.status, res.body.error.code, res.headers.connection, res.headers['retry-after']]).toEqual([503, 'shutting_down', 'close', '5']);
    await stopping.dispatcher.close(0);
  });
});

describe('compose refuses what cannot run', () => {
  it('--executor=external without a Slurm configuration', () => {
    const saved = process.env.SLURM_CONF;
    process.env.SLURM_CONF = '/nonexistent/slurm.conf';
    try {
      expect(() => compose(options())).toThrow('--executor=external is unavailable: SLURM_CONF=/nonexistent/slurm.conf does not exist');
    } finally {
      process.env.SLURM_CONF = saved;
    }
  });

  // The refusal is about root; the suite runs as root in CI.
  (process.getuid?.() === 0 ? it : it.skip)('--auth=jwt as root', () => {
    expect(() => compose(options('--auth=jwt', '--jwt-key=/nonexistent'))).toThrow(/does not run as root/);
  });
});
