/**
 * The two executors normalise Slurm's answers the same way: both were recorded at the same
 * cluster state (scripts/record-fixtures.mjs), so every read answers the same object, and every
 * failure the same code and status (cluster.info's statistics aside: the counters move between
 * two reads, and reading them is itself counted). test/internal/parity.test.ts does the same on
 * the live cluster; this needs none.
 */
import { READ_SCENARIOS, runScenario, type Outcome, type Subject } from '../../support/executor-contract/contract.js';
import { externalFixture, internalFixture, makeExternal, makeInternal } from '../../support/executor-contract/fakes.js';

const ext = externalFixture();
const int = internalFixture();
const external: Subject = { make: (t) => makeExternal(t, ext), facts: ext.facts };
const internal: Subject = { make: (t) => makeInternal(t, int), facts: int.facts };

const comparable = (o: Outcome) => {
  if (!o.ok) return { code: o.error.code, status: o.error.status };
  const value = o.value as { statistics?: unknown };
  if (value && typeof value === 'object' && 'statistics' in value) return { value: { ...value, statistics: Object.keys(value.statistics as object).sort() } };
  return { value };
};

test('both recordings were made at the same cluster state', () => {
  const { submitted: _a, action: _b, ...e } = ext.facts;
  const { submitted: _c, action: _d, ...i } = int.facts;
  expect(i).toEqual(e);
});

test.each(READ_SCENARIOS)('%s: the same answer from both executors', async (scenario) => {
  const e = await runScenario(external, scenario, 'sync');
  const i = await runScenario(internal, scenario, 'sync');
  expect(JSON.stringify(comparable(i))).toBe(JSON.stringify(comparable(e)));
});
