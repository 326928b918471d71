/**
 * Issue #9: pool children killed (SIGKILL), process mode only (thread workers are not processes).
 * An idle child dies: the gateway survives and the next requests succeed on its replacement. A
 * child dies in the middle of a submission (the controller is held with SIGSTOP so that the
 * submission is in flight for sure): the answer is submit_outcome_unknown (or 201 when the job id
 * came back), and the ledger holds once the controller has created whatever it received.
 */
import { poolChildren, signalDaemon, sleep } from './support/cluster.js';
import { answersOk, faultModes, startFaultGateway, TIMEOUT_MS, type FaultGateway } from './support/gateway.js';
import { Ledger } from './support/ledger.js';
import { expectHolds, upFailure } from './support/verdict.js';
import { cleanUpEachCase } from './support/case.js';

const modes = faultModes(['process']);

(modes.length ? describe.each(modes) : describe.skip.each([{ executor: 'none', application: 'process' }]))('faults: pool children killed ($executor:$application)', (mode) => {
  let gateway: FaultGateway | undefined;
  let ledger: Ledger | undefined;

  cleanUpEachCase(() => ({ gateways: [gateway], ledger }));

  test('an idle child killed: the gateway survives, the next reads and submits succeed; the ledger holds', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    gateway = await startFaultGateway(mode);
    await ledger.submit(gateway.url, ['201']);
    const children = poolChildren(gateway.process.pid!);
    expect(children).toHaveLength(2); // --parallel=2: the harness found the pool
    process.kill(children[0]!, 'SIGKILL');
    await sleep(1000);
    const alive = gateway.exit() ? [`gateway exited after an idle child was killed: ${JSON.stringify(gateway.exit())}`] : [];
    await Promise.all([
      ledger.read(gateway.url, `/v1/jobs?name=${ledger.prefix}-1`, ['200']),
      ledger.read(gateway.url, '/v1/nodes', ['200']),
      ledger.submit(gateway.url, ['201']),
      ledger.submit(gateway.url, ['201']),
    ]);
    const up = await answersOk(gateway, '/v1/jobs?name=none', 5);
    expectHolds(await ledger.check(), gateway, [...alive, ...upFailure(up, 'after an idle child was killed')], ledger);
  });

  test('busy children killed mid-submit: submit_outcome_unknown (or 201), the gateway survives; the ledger holds', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    gateway = await startFaultGateway(mode);
    await ledger.submit(gateway.url, ['201']);
    const children = poolChildren(gateway.process.pid!);
    expect(children).toHaveLength(2);
    const ctld = signalDaemon('slurmctld', 'SIGSTOP');
    let inFlight: Promise<unknown>;
    try {
      // Both children take one submission each and wait on the stopped controller.
      inFlight = Promise.all([ledger.submit(gateway.url, ['201', '502 submit_outcome_unknown']), ledger.submit(gateway.url, ['201', '502 submit_outcome_unknown'])]);
      await sleep(1000);
      for (const child of children) process.kill(child, 'SIGKILL');
      await sleep(200);
    } finally {
      process.kill(ctld, 'SIGCONT');
    }
    await inFlight;
    const up = await answersOk(gateway);
    await ledger.submit(gateway.url, ['201']);
    expectHolds(await ledger.check(), gateway, upFailure(up, 'after busy children were killed'), ledger);
  });
});
