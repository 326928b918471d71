/**
 * Issue #9: munged stopped (SIGSTOP), stopped cleanly (SIGTERM), and killed (SIGKILL), then resumed
 * or restarted. Nothing can reach Slurm without a credential, and that is never the caller's fault
 * nor Slurm's refusal: no 403, no 502 scheduler_rejected/scheduler_error. Measured on this cluster:
 * with the socket gone (SIGTERM) the tools and libslurm fail in about 2 s, and a read answers 503
 * scheduler_unavailable (Retry-After); with munged hung (SIGSTOP) or its socket stale (SIGKILL)
 * they wait 20 s and more, so the deadline comes first and the answer is 504, as for a hung
 * controller. A submission still running when its deadline passes is answered
 * submit_outcome_unknown: the gateway cannot tell from outside whether the call got as far as
 * slurmctld (the ledger then checks that no job appeared unannounced). Every answer comes by the
 * deadline, and the gateway answers 200 and 201 once munged is back.
 */
import { clusterUp, processState, signalDaemon, sleep, whileStopped } from './support/cluster.js';
import { answersOk, faultModes, startFaultGateway, TIMEOUT_MS, type FaultGateway } from './support/gateway.js';
import { Ledger } from './support/ledger.js';
import { expectHolds, upFailure } from './support/verdict.js';
import { cleanUpEachCase } from './support/case.js';

/** munged's socket gone: the failure comes back in time. */
const UNAVAILABLE = ['503 scheduler_unavailable'];
/** munged hung or its socket stale: the deadline comes first. */
const UNANSWERED = ['503 scheduler_unavailable', '504 deadline_exceeded'];
const SUBMIT_UNKNOWN = [...UNANSWERED, '502 submit_outcome_unknown'];

describe.each(faultModes())('faults: munged down ($executor:$application)', (mode) => {
  let gateway: FaultGateway | undefined;
  let ledger: Ledger | undefined;

  cleanUpEachCase(() => ({ gateways: [gateway], ledger }));

  const during = async (url: string, reads: string[]) => {
    await Promise.all([
      ledger!.read(url, `/v1/jobs?name=${ledger!.prefix}-1`, reads),
      ledger!.read(url, '/v1/nodes', reads),
      ledger!.submit(url, SUBMIT_UNKNOWN),
      ledger!.submit(url, SUBMIT_UNKNOWN),
    ]);
  };

  test('SIGSTOP munged: 503 or 504 by the deadline; 200 and 201 after SIGCONT; the ledger holds', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    gateway = await startFaultGateway(mode);
    await ledger.submit(gateway.url, ['201']);
    await whileStopped('munged', async () => {
      await during(gateway!.url, UNANSWERED);
      await sleep(1000);
    });
    const up = await answersOk(gateway);
    await ledger.submit(gateway.url, ['201']);
    expectHolds(await ledger.check(), gateway, upFailure(up, 'after SIGCONT'), ledger);
  });

  test('munged stopped cleanly (SIGTERM: its socket is gone, the tools fail in about 2 s), restarted: reads 503 scheduler_unavailable by the deadline, then 200 and 201; the ledger holds', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    gateway = await startFaultGateway(mode);
    await ledger.submit(gateway.url, ['201']);
    const pid = signalDaemon('munged', 'SIGTERM');
    try {
      for (let i = 0; i < 50 && processState(pid) !== undefined; i++) await sleep(100);
      await during(gateway.url, UNAVAILABLE);
    } finally {
      await clusterUp();
    }
    const up = await answersOk(gateway);
    await ledger.submit(gateway.url, ['201']);
    expectHolds(await ledger.check(), gateway, upFailure(up, 'after munged restarted'), ledger);
  });

  test('kill munged (SIGKILL: a stale socket), restart it: 503 or 504 by the deadline, then 200 and 201; the ledger holds', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    gateway = await startFaultGateway(mode);
    await ledger.submit(gateway.url, ['201']);
    signalDaemon('munged', 'SIGKILL');
    try {
      await during(gateway.url, UNANSWERED);
      await sleep(1000);
    } finally {
      await clusterUp();
    }
    const up = await answersOk(gateway);
    await ledger.submit(gateway.url, ['201']);
    expectHolds(await ledger.check(), gateway, upFailure(up, 'after munged restarted'), ledger);
  });
});
