/**
 * Issue #9: SIGTERM under load with a short grace (--shutdown-grace=2, --timeout=3). Every request
 * the gateway accepted gets an HTTP answer (200/201, or 503 shutting_down; a submission whose
 * outcome it cannot know: submit_outcome_unknown), never an empty reply; a connection refused
 * after the listener closed was never accepted and is fine. The process exits with code 0 within
 * the grace plus about two seconds, and the ledger holds.
 */
import { signalDaemon, sleep } from './support/cluster.js';
import { faultModes, GRACE_S, startFaultGateway, TIMEOUT_MS, type FaultGateway } from './support/gateway.js';
import { Ledger } from './support/ledger.js';
import { expectHolds } from './support/verdict.js';
import { cleanUpEachCase } from './support/case.js';

const EXIT_WITHIN_MS = GRACE_S * 1000 + 2000;

/** Failure lines unless the gateway exits 0 within the grace + 2 s of `since`. */
async function cleanExit(gateway: FaultGateway, since: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([gateway.exited, new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), EXIT_WITHIN_MS + 3000); })]);
  clearTimeout(timer);
  if (!exit) return [`gateway still running ${EXIT_WITHIN_MS + 3000} ms after SIGTERM`];
  const took = Date.now() - since;
  return [
    ...(exit.code === 0 ? [] : [`gateway exited with code ${exit.code} signal ${exit.signal}, not 0`]),
    ...(took <= EXIT_WITHIN_MS ? [] : [`gateway took ${took} ms to exit after SIGTERM (grace ${GRACE_S} s + 2 s)`]),
  ];
}

describe.each(faultModes())('faults: SIGTERM under load ($executor:$application)', (mode) => {
  let gateway: FaultGateway | undefined;
  let ledger: Ledger | undefined;

  cleanUpEachCase(() => ({ gateways: [gateway], ledger }));

  test('healthy cluster: every accepted request answered, exit 0 within grace + 2 s; the ledger holds', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    gateway = await startFaultGateway(mode);
    const url = gateway.url;
    let termAt = 0;
    await ledger.load(() => url, {
      submits: 30,
      reads: 10,
      concurrency: 6,
      submitAllowed: ['201', '503 shutting_down', '502 submit_outcome_unknown', 'ECONNREFUSED'],
      readAllowed: ['200', '503 shutting_down', 'ECONNREFUSED'],
      after: (done) => {
        if (done === 8) { termAt = Date.now(); gateway!.process.kill('SIGTERM'); }
      },
    });
    const exit = await cleanExit(gateway, termAt);
    const accepted = ledger.answers.filter((a) => a.status !== 0).length;
    expect(accepted).toBeGreaterThan(8); // the harness: SIGTERM came under load
    expectHolds(await ledger.check(), gateway, exit, ledger);
  });

  test('controller stopped: requests in flight past the grace are answered, exit 0 within grace + 2 s; the ledger holds', async () => {
    ledger = new Ledger({ timeoutMs: TIMEOUT_MS });
    gateway = await startFaultGateway(mode);
    const url = gateway.url;
    await ledger.submit(url, ['201']);
    const ctld = signalDaemon('slurmctld', 'SIGSTOP');
    let exit: string[];
    let inFlight: Promise<unknown>;
    try {
      // Running (2) and queued (2) requests, none of which can finish before the grace ends.
      inFlight = Promise.all([
        ledger.read(url, `/v1/jobs?name=${ledger.prefix}-1`, ['503 shutting_down', '504 deadline_exceeded']),
        ledger.read(url, '/v1/nodes', ['503 shutting_down', '504 deadline_exceeded']),
        ledger.submit(url, ['502 submit_outcome_unknown', '503 shutting_down', '504 deadline_exceeded']),
        ledger.submit(url, ['502 submit_outcome_unknown', '503 shutting_down', '504 deadline_exceeded']),
      ]);
      await sleep(300);
      const termAt = Date.now();
      gateway.process.kill('SIGTERM');
      exit = await cleanExit(gateway, termAt);
    } finally {
      process.kill(ctld, 'SIGCONT');
    }
    await inFlight;
    expectHolds(await ledger.check(), gateway, exit, ledger);
  });
});
