/**
 * Issue #9: munged stopped (SIGSTOP), stopped cleanly (SIGTERM), and killed (SIGKILL), then resumed
 * or restarted. Nothing can reach Slurm without a credential: every request answers 503
 * scheduler_unavailable (retryable, with Retry-After) by the deadline, not a 502, and the gateway
 * answers 200 and 201 once munged is back. Measured on this cluster: with munged hung (SIGSTOP) or
 * its socket stale (SIGKILL), Slurm's tools and libslurm wait 20 s and more, past any deadline, so
 * the gateway has to find out itself; with the socket gone (SIGTERM) they fail in about 2 s.
 */
import { clusterUp, processState, restoreCluster, signalDaemon, sleep, whileStopped } from './support/cluster.js';
import { answersOk, faultModes, startFaultGateway, stopFaultGateway, TIMEOUT_MS, type FaultGateway } from './support/gateway.js';
import { Ledger, sweepFaultJobs } from './support/ledger.js';
import { expectHolds, upFailure } from './support/verdict.js';

const UNAVAILABLE = ['503 scheduler_unavailable'];

describe.each(faultModes())('faults: munged down ($executor:$application)', (mode) => {
  let gateway: FaultGateway | undefined;
  let ledger: Ledger | undefined;

  afterEach(async () => {
    await restoreCluster();
    await stopFaultGateway(gateway);
    await ledger?.cleanup();
  });
  afterAll(sweepFaultJobs);

  const during = async (url: string) => {
    await Promise.all([
      ledger!.read(url, `/v1/jobs?name=${ledger!.prefix}-1`, UNAVAILABLE),
      ledger!.read(url, '/v1/nodes', UNAVAILABLE),
      ledger!.submit(url, UNAVAILABLE),
      ledger!.submit(url, UNAVAILABLE),
    ]);
  };

  test('SIGSTOP munged: 503 scheduler_unavailable by the deadline; 200 and 201 after SIGCONT; the ledger holds', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    gateway = await startFaultGateway(mode);
    await ledger.submit(gateway.url, ['201']);
    await whileStopped('munged', async () => {
      await during(gateway!.url);
      await sleep(1000);
    });
    const up = await answersOk(gateway);
    await ledger.submit(gateway.url, ['201']);
    expectHolds(await ledger.check(), gateway, upFailure(up, 'after SIGCONT'), ledger);
  });

  test('munged stopped cleanly (SIGTERM: its socket is gone, the tools fail in about 2 s), restarted: 503 scheduler_unavailable by the deadline, then 200 and 201; the ledger holds', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    gateway = await startFaultGateway(mode);
    await ledger.submit(gateway.url, ['201']);
    const pid = signalDaemon('munged', 'SIGTERM');
    try {
      for (let i = 0; i < 50 && processState(pid) !== undefined; i++) await sleep(100);
      await during(gateway.url);
    } finally {
      await clusterUp();
    }
    const up = await answersOk(gateway);
    await ledger.submit(gateway.url, ['201']);
    expectHolds(await ledger.check(), gateway, upFailure(up, 'after munged restarted'), ledger);
  });

  test('kill munged (SIGKILL: a stale socket), restart it: 503 scheduler_unavailable by the deadline, then 200 and 201; the ledger holds', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    gateway = await startFaultGateway(mode);
    await ledger.submit(gateway.url, ['201']);
    signalDaemon('munged', 'SIGKILL');
    try {
      await during(gateway.url);
      await sleep(1000);
    } finally {
      await clusterUp();
    }
    const up = await answersOk(gateway);
    await ledger.submit(gateway.url, ['201']);
    expectHolds(await ledger.check(), gateway, upFailure(up, 'after munged restarted'), ledger);
  });
});
