import { describe, expect, test } from '@jest/globals';
import { drivePlan, drivePlanSync } from '../../src/executors/drive.js';
import { GatewayError } from '../../src/errors.js';

/** A plan that asks for two steps and adds their results; a failed step it counts as 100. */
function* adding(): Generator<number, number, unknown> {
  let sum = 0;
  for (const step of [1, 2]) {
    try {
      sum += (yield step) as number;
    } catch (error) {
      if (error instanceof GatewayError) throw new Error('a GatewayError must not reach the plan');
      sum += 100;
    }
  }
  return sum;
}

describe('drivePlan', () => {
  test('stays synchronous while every step returns a plain value', () => {
    expect(drivePlan(adding(), (step) => step * 10)).toBe(30);
    expect(drivePlanSync(adding(), (step) => step * 10)).toBe(30);
  });

  test('goes on asynchronously from the first promise', async () => {
    const result = drivePlan(adding(), (step) => (step === 1 ? 10 : Promise.resolve(20)));
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe(30);
  });

  test('throws any other failure into the plan, sync and async', async () => {
    const fail = () => { throw new Error('call failed'); };
    expect(drivePlanSync(adding(), (step) => (step === 1 ? fail() : 5))).toBe(105);
    await expect(drivePlan(adding(), (step) => (step === 1 ? Promise.reject(new Error('x')) : Promise.resolve(5)))).resolves.toBe(105);
  });

  test('ends the plan with a GatewayError, sync and async', async () => {
    const deadline = new GatewayError('deadline_exceeded', 'late');
    expect(() => drivePlanSync(adding(), () => { throw deadline; })).toThrow(deadline);
    await expect(drivePlan(adding(), () => Promise.reject(deadline))).rejects.toBe(deadline);
  });

  test('an error the plan throws itself passes out unchanged in async mode', async () => {
    function* broken(): Generator<number, number, unknown> { yield 1; throw new Error('plan bug'); }
    await expect(drivePlan(broken(), () => Promise.resolve(1))).rejects.toThrow('plan bug');
  });

  test('the sync driver refuses a step that returned a promise', () => {
    expect(() => drivePlanSync(adding(), () => Promise.resolve(1))).toThrow(/promise/);
  });
});
