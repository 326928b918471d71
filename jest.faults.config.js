/**
 * `npm run test:faults` (issue #9): the fault suite against the private cluster, and the attack
 * cases of the security suite. A listed file that does not exist yet simply matches nothing.
 */
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/test/faults/**/*.test.ts', '<rootDir>/test/security/attacks.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 90000,
};
