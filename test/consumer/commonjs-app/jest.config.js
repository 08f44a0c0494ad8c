/**
 * Nest 12 ships ES modules. jest's CommonJS runtime can require() them only on
 * Node 24.9 or later, so on Node 20 the specs run as ES modules (the test
 * script's `--experimental-vm-modules` allows it), compiled by ts-jest as such.
 * The application itself still builds and runs as CommonJS.
 * @type {import('jest').Config}
 */
module.exports = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  testRegex: '.*\\.e2e-spec\\.ts$',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        useESM: true,
        tsconfig: { module: 'esnext', moduleResolution: 'bundler' },
      },
    ],
  },
};
