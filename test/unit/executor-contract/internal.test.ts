/**
 * The executor contract (test/support/executor-contract/contract.ts) over InternalExecutor, with a
 * Binding that replays the real binding's answers from Slurm 22.05
 * (test/fixtures/slurm-22.05/contract/): neither libslurm nor a cluster is needed.
 */
import { readFileSync } from 'node:fs';
import { describeExecutor } from '../../support/executor-contract/contract.js';
import { internalFixture, makeInternal } from '../../support/executor-contract/fakes.js';

const loaded = () => /libslurm|slurm_binding/.test(readFileSync('/proc/self/maps', 'utf8'));
// Under `jest --runInBand` a suite that ran before this one in the same process may have loaded
// libslurm already; then this process cannot show that the contract run does not need it.
const loadedBefore = loaded();

const fixture = internalFixture();
describeExecutor('internal', (transport) => makeInternal(transport, fixture), fixture.facts);

(loadedBefore ? test.skip : test)('the replaying binding needs neither libslurm nor the native binding in this process', () => {
  expect(loaded()).toBe(false);
});
