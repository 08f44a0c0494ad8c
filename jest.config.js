/**
 * NestJS 12 ships ES modules, so the tests run as ES modules too:
 * `node --experimental-vm-modules node_modules/jest/bin/jest.js` (see package.json).
 * Type checking is done once by `tsc --noEmit` in `npm test`; ts-jest only transpiles.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  // The consumer apps' specs run in those apps, with the packed library (npm run test:consumer).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumer/'],
  testTimeout: 30000,
  // Builds dist/ once, for the suites that run compiled processes (test/global-setup.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
};
