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
import { daemonPid, signalDaemon, sleep, whileStopped } from './support/cluster.js';
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
