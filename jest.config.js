/**
 * NestJS 12 ships ES modules, so the tests run as ES modules too:
 * `node --experimental-vm-modules node_modules/jest/bin/jest.js` (see package.json).
 * Type checking is done once by `tsc --noEmit` in `npm test`; ts-jest only transpiles.
 *
 * Two projects, run by one jest (`npm test`) so that both workers stay busy
 * until the last suite: `pipeline` runs every suite with the module's default
 * delivery; `direct` runs the end-to-end suites again with
 * `delivery: 'direct'` (test/support/direct-delivery.setup.ts).
 * `--selectProjects pipeline` or `direct` runs one of them.
 * @type {import('jest').Config}
 */
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  // The consumer apps' specs run in those apps, with the packed library (npm run test:consumer).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumer/'],
};

export default {
  // A run-wide setting: jest does not take it from a project.
  testTimeout: 30000,
  // Builds dist/ once, for the suites that run compiled processes (test/global-setup.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  projects: [
    {
      ...base,
      displayName: 'pipeline',
      roots: ['<rootDir>/src', '<rootDir>/test'],
    },
    {
      ...base,
      displayName: 'direct',
      roots: ['<rootDir>/test/e2e'],
      setupFiles: ['<rootDir>/test/support/direct-delivery.setup.ts'],
    },
  ],
};
