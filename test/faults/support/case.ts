/**
 * What every fault case does after itself, registered once per describe: the cluster restored
 * (stopped daemons resumed, dead ones restarted), the case's gateways stopped, its ledger's jobs
 * cleaned up after each case, and leftover fault jobs swept after the mode.
 */
import { restoreCluster } from './cluster.js';
import { stopFaultGateway, type FaultGateway } from './gateway.js';
import { sweepFaultJobs, type Ledger } from './ledger.js';

export function cleanUpEachCase(parts: () => { gateways: Array<FaultGateway | undefined>; ledger: Ledger | undefined }): void {
  afterEach(async () => {
    await restoreCluster();
    const { gateways, ledger } = parts();
    for (const gateway of gateways) await stopFaultGateway(gateway);
    await ledger?.cleanup();
  });
  afterAll(sweepFaultJobs);
}
