/**
 * #11, "without accounting", on the real cluster: slurmdbd killed, slurmdbd hung (SIGSTOP), and a
 * cluster that keeps no accounting at all. History, accounts and a purged job's lookup answer 503
 * `accounting_unavailable` with Slurm's reason, or 504 by the deadline when slurmdbd hangs, or 501
 * `accounting_not_configured`; the live routes keep working and /v1/health reports accounting on
 * its own. Each case restores the cluster afterwards (cleanUpEachCase).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonPid, restoreCluster, signalDaemon, sleep, whileStopped } from './support/cluster.js';
import { faultModes, startFaultGateway, TIMEOUT_MS, type FaultGateway } from './support/gateway.js';
import { call, type Reply } from './support/http.js';
import { cleanUpEachCase } from './support/case.js';

const get = (gateway: FaultGateway, path: string) => call(gateway.url, { method: 'GET', path, clientTimeoutMs: TIMEOUT_MS + 5000 });
const summary = (reply: Reply) => `${reply.status} ${reply.body?.error?.code ?? ''} after ${reply.elapsedMs} ms: ${JSON.stringify(reply.body).slice(0, 300)}`;
/** Answered by the deadline, with one second for HTTP and the stop grace. */
const inTime = (reply: Reply) => expect(reply.elapsedMs).toBeLessThan(TIMEOUT_MS + 1500);

describe.each(faultModes())('faults: accounting ($executor:$application)', (mode) => {
  let gateway: FaultGateway | undefined;
  cleanUpEachCase(() => ({ gateways: [gateway], ledger: undefined }));

  /** The live routes, which never need slurmdbd. */
  const liveAnswers = async (g: FaultGateway) => {
    const jobs = await get(g, '/v1/jobs');
    expect([jobs.status, summary(jobs)][0]).toBe(200);
    const nodes = await get(g, '/v1/nodes');
    expect(nodes.status).toBe(200);
  };

  test('slurmdbd killed: history and accounts 503 with the reason, health says accounting is down, live routes 200', async () => {
    gateway = await startFaultGateway(mode);
    signalDaemon('slurmdbd', 'SIGKILL');
    for (const until = Date.now() + 10_000; daemonPid('slurmdbd') !== undefined && Date.now() < until;) await sleep(100);
    const history = await get(gateway, '/v1/history');
    expect(summary(history)).toMatch(/^503 accounting_unavailable/);
    expect(history.body.error.details.slurm_error).toEqual(expect.any(String));
    inTime(history);
    const accounts = await get(gateway, '/v1/accounts');
    expect(summary(accounts)).toMatch(/^503 accounting_unavailable/);
    const health = await get(gateway, '/v1/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', controller_reachable: true, accounting: { status: 'down' } });
    await liveAnswers(gateway);
  });

  test('slurmdbd hung: history answers by the deadline, health within its own cap, live routes 200', async () => {
    gateway = await startFaultGateway(mode);
    await whileStopped('slurmdbd', async () => {
      const history = await get(gateway!, '/v1/history');
      expect(summary(history)).toMatch(/^(504 deadline_exceeded|503 accounting_unavailable)/);
      inTime(history);
      // A barrage of distinct queries (nothing to coalesce): each answers in time, and none of
      // them keeps a worker once answered (libslurm itself would wait MessageTimeout + 35 s).
      const barrage = await Promise.all(Array.from({ length: 12 }, (_, i) => get(gateway!, `/v1/history?name=barrage-${i}`)));
      for (const reply of barrage) {
        expect(summary(reply)).toMatch(/^(504 deadline_exceeded|503 (accounting_unavailable|queue_full))/);
        inTime(reply);
      }
      const health = await get(gateway!, '/v1/health');
      expect(health.status).toBe(200);
      expect(health.body.controller_reachable).toBe(true);
      expect(health.body.accounting.status).not.toBe('up');
      inTime(health);
      await liveAnswers(gateway!);
    });
  });

  test('a cluster without accounting: history 501 accounting_not_configured, an unknown job 404, live routes 200', async () => {
    // The same cluster, read by the gateway through a slurm.conf that names no accounting storage.
    const dir = mkdtempSync(join(tmpdir(), 'sr-noacct-'));
    const conf = join(dir, 'slurm.conf');
    const text = readFileSync(process.env.SLURM_CONF!, 'utf8')
      .replace(/^AccountingStorage\w*=.*$/gm, '').replace(/^JobAcctGather\w*=.*$/gm, '');
    writeFileSync(conf, `${text}\nAccountingStorageType=accounting_storage/none\n`);
    try {
      gateway = await startFaultGateway(mode, [], { ...process.env, SLURM_CONF: conf });
      const history = await get(gateway, '/v1/history');
      expect(summary(history)).toMatch(/^501 accounting_not_configured/);
      const health = await get(gateway, '/v1/health');
      expect(health.body).toMatchObject({ status: 'ok', accounting: { status: 'not_configured' } });
      const unknown = await get(gateway, '/v1/jobs/99999999');
      expect(summary(unknown)).toMatch(/^404 job_not_found/);
      await liveAnswers(gateway);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(faultModes().some((m) => m.executor === 'internal') ? ['binding'] : [])('faults: bounded slurmdbd calls in the %s', () => {
  afterEach(restoreCluster);

  test('a hung slurmdbd costs at most 8 threads: later calls fail at once, and calls work again once it answers', async () => {
    const { loadBinding, gaveUp, isSlurmCallError } = await import('../../src/executors/internal/binding.js');
    const binding = loadBinding();
    const outcomes: string[] = [];
    await whileStopped('slurmdbd', async () => {
      for (let i = 0; i < 10; i++) {
        const started = Date.now();
        try {
          binding.call('acct_ping', {}, undefined, 300);
          outcomes.push('answered');
        } catch (error) {
          outcomes.push(gaveUp(error) ? 'gave up' : isSlurmCallError(error) && /still waiting/.test(error.slurmError) ? 'refused' : String(error));
        }
        expect(Date.now() - started).toBeLessThan(1000);
      }
      const refused = await binding.callAsync('acct_ping', {}, undefined, 300).then(() => 'answered', (error: unknown) => (isSlurmCallError(error) ? 'refused' : String(error)));
      outcomes.push(refused);
    });
    expect(outcomes).toEqual([...Array(8).fill('gave up'), 'refused', 'refused', 'refused']);
    // Resumed, slurmdbd answers the waiting threads, which then end: calls are made again.
    let ping: unknown;
    for (const until = Date.now() + 30_000; Date.now() < until;) {
      try {
        ping = await binding.callAsync('acct_ping', {}, undefined, 5000);
        break;
      } catch { await sleep(500); }
    }
    expect(ping).toMatchObject({ status: 'up' });
  });
});
