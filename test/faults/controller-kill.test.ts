/**
 * Issue #9: slurmctld killed (SIGKILL) under a submit load and restarted from its state. Every
 * submission answers by the deadline; a job answered 201 exists once (or Slurm lost it with its
 * unsaved state: reported); no job exists that the client was not told about, except after
 * submit_outcome_unknown; the gateway answers 200 and 201 once the controller is back.
 */
import { clusterUp, signalDaemon, sleep } from './support/cluster.js';
import { answersOk, faultModes, startFaultGateway, TIMEOUT_MS, type FaultGateway } from './support/gateway.js';
import { Ledger } from './support/ledger.js';
import { expectHolds, upFailure } from './support/verdict.js';
import { cleanUpEachCase } from './support/case.js';

const SUBMITS = 40;
const KILL_AFTER = 8; // answers

describe.each(faultModes())('faults: slurmctld killed under a submit load ($executor:$application)', (mode) => {
  let gateway: FaultGateway | undefined;
  let ledger: Ledger | undefined;

  cleanUpEachCase(() => ({ gateways: [gateway], ledger }));

  test(`${SUBMITS} submits, kill -9 after ${KILL_AFTER} answers, restart: every answer by the deadline, the ledger holds`, async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    gateway = await startFaultGateway(mode);
    const url = gateway.url;
    let restarted: Promise<void> | undefined;
    await ledger.load(() => url, {
      submits: SUBMITS,
      concurrency: 4,
      submitAllowed: ['201', '503 scheduler_unavailable', '504 deadline_exceeded', '502 submit_outcome_unknown'],
      after: (done) => {
        if (done !== KILL_AFTER) return;
        signalDaemon('slurmctld', 'SIGKILL');
        // The load goes on against the dead controller for a while, then against the restarted one.
        restarted = sleep(2000).then(clusterUp);
      },
    });
    await restarted;
    const up = await answersOk(gateway, '/v1/jobs?name=none', 20);
    await ledger.submit(url, ['201']);
    expectHolds(await ledger.check(), gateway, upFailure(up, 'after the restart'), ledger);
  });
});
