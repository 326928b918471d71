/**
 * The executor contract (test/support/executor-contract/contract.ts) over ExternalExecutor, its
 * tools' output replayed from the real Slurm 22.05 (test/fixtures/slurm-22.05/contract/): no cluster.
 */
import { describeExecutor } from '../../support/executor-contract/contract.js';
import { externalFixture, makeExternal } from '../../support/executor-contract/fakes.js';

const fixture = externalFixture();
describeExecutor('external', (transport) => makeExternal(transport, fixture), fixture.facts);
