/**
 * Issue #9: slurmctld stopped (SIGSTOP) past the deadline, then resumed. Requests sent meanwhile
 * answer by the deadline (reads 504; a submission 504 or submit_outcome_unknown, and the ledger
 * decides whether that was true: the resumed controller creates jobs from its backlog); afterwards
 * the gateway is up and answers 200 and 201.
 */
import { sleep, whileStopped } from './support/cluster.js';
import { answersOk, faultModes, startFaultGateway, TIMEOUT_MS, type FaultGateway } from './support/gateway.js';
import { Ledger } from './support/ledger.js';
import { expectHolds, upFailure } from './support/verdict.js';
import { cleanUpEachCase } from './support/case.js';

describe.each(faultModes())('faults: slurmctld stopped past the deadline ($executor:$application)', (mode) => {
  let gateway: FaultGateway | undefined;
  let ledger: Ledger | undefined;

  cleanUpEachCase(() => ({ gateways: [gateway], ledger }));

  test('answers by the deadline while stopped, 200 and 201 after SIGCONT; the ledger holds', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    gateway = await startFaultGateway(mode);
    const url = gateway.url;
    await ledger.submit(url, ['201']); // warm: every worker has met the controller once
    await whileStopped('slurmctld', async () => {
      await Promise.all([
        ledger!.read(url, `/v1/jobs?name=${ledger!.prefix}-1`, ['504 deadline_exceeded']),
        ledger!.read(url, '/v1/jobs/1', ['504 deadline_exceeded']),
        ledger!.submit(url, ['504 deadline_exceeded', '502 submit_outcome_unknown']),
        ledger!.submit(url, ['504 deadline_exceeded', '502 submit_outcome_unknown']),
      ]);
      // Past the deadline and the pool's one-second stop grace: stuck calls have been abandoned.
      await sleep(1500);
    });
    const up = await answersOk(gateway);
    await ledger.submit(url, ['201']);
    await ledger.read(url, `/v1/jobs?name=${ledger.prefix}-1`, ['200']);
    expectHolds(await ledger.check(), gateway, upFailure(up, 'after SIGCONT'), ledger);
  });
});
