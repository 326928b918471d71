/**
 * The contract must catch a broken executor: every deliberately broken variant
 * (test/support/executor-contract/broken.ts) of each executor fails at least one check, and the
 * working executors pass all of them (so a failure is the fault's, not the fixture's).
 */
import { CHECKS, failingChecks, type Subject } from '../../support/executor-contract/contract.js';
import { BROKEN } from '../../support/executor-contract/broken.js';
import { externalFixture, internalFixture, makeExternal, makeInternal } from '../../support/executor-contract/fakes.js';

const external = externalFixture();
const internal = internalFixture();
const subjects: Record<string, Subject> = {
  external: { make: (t) => makeExternal(t, external), facts: external.facts },
  internal: { make: (t) => makeInternal(t, internal), facts: internal.facts },
};

describe.each(Object.keys(subjects))('%s', (name) => {
  const subject = subjects[name]!;

  test('the working executor fails no check', async () => {
    expect(await failingChecks(subject)).toEqual([]);
  });

  test.each(Object.keys(BROKEN))('broken: %s, fails a check', async (fault) => {
    const { caughtBy, make } = BROKEN[fault]!;
    const broken: Subject = { facts: subject.facts, make: (t) => make(subject.make(t)) };
    const [first] = await failingChecks(broken, true);
    expect(CHECKS.map((c) => c.name)).toContain(first);
    // The check meant to see this fault is the first one that does.
    expect(first!.startsWith(caughtBy)).toBe(true);
  }, 30_000);
});
