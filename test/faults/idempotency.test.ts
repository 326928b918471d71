/**
 * Issue #9: submissions retried with the same Idempotency-Key across a gateway restart. The same
 * key and body return the same job id (201, or 200 as a replay) and Slurm holds one job; the same
 * key with another body is 409 idempotency_conflict. The hard case: the first attempt's outcome
 * was unknown (the controller was stopped past the deadline, then the gateway restarted); the
 * retry on the new gateway finds the job the resumed controller created instead of a second one.
 */
import { signalDaemon } from './support/cluster.js';
import { faultModes, startFaultGateway, stopFaultGateway, TIMEOUT_MS, type FaultGateway } from './support/gateway.js';
import { Ledger } from './support/ledger.js';
import { expectHolds } from './support/verdict.js';
import { cleanUpEachCase } from './support/case.js';

/** The first gateway was told to stop (SIGTERM): it must have exited 0 by itself. */
const cleanly = (gateway: FaultGateway): string[] => {
  const exit = gateway.exit();
  return exit?.code === 0 ? [] : [`the first gateway did not exit cleanly on SIGTERM: ${JSON.stringify(exit)}`];
};

describe.each(faultModes())('faults: Idempotency-Key across a gateway restart ($executor:$application)', (mode) => {
  let first: FaultGateway | undefined;
  let second: FaultGateway | undefined;
  let ledger: Ledger | undefined;

  cleanUpEachCase(() => ({ gateways: [first, second], ledger }));

  test('same key and body after a restart: the same job id, one job; another body: 409 idempotency_conflict', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    first = await startFaultGateway(mode);
    const name = ledger.nextName();
    const before = await ledger.submit(first.url, ['201'], { name });
    await stopFaultGateway(first);
    second = await startFaultGateway(mode);
    // A replayed key answers 200 (Idempotent-Replayed) or 201, with the first job id.
    const after = await ledger.submit(second.url, ['200', '201'], { name });
    await ledger.submit(second.url, ['409 idempotency_conflict'], { name, extra: { time_limit: 6 } });
    const failures = before.jobId !== undefined && after.jobId !== before.jobId
      ? [`the retry after the restart answered job ${after.jobId}, the first attempt job ${before.jobId}`] : [];
    expectHolds(await ledger.check(), [first, second], [...cleanly(first), ...failures], ledger);
  });

  test('first attempt unknown (controller stopped), gateway restarted, controller resumed: the retry answers the job that exists, one job', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    first = await startFaultGateway(mode);
    await ledger.submit(first.url, ['201']); // warm
    const name = ledger.nextName();
    const ctld = signalDaemon('slurmctld', 'SIGSTOP');
    try {
      await ledger.submit(first.url, ['502 submit_outcome_unknown', '504 deadline_exceeded'], { name });
      await stopFaultGateway(first);
    } finally {
      process.kill(ctld, 'SIGCONT');
    }
    second = await startFaultGateway(mode);
    await ledger.submit(second.url, ['200', '201'], { name });
    expectHolds(await ledger.check(), [first, second], cleanly(first), ledger);
  });
});
