// Test tiers, each a jest project (see docs/testing.md). Services are started once per
// run by test/harness/global-setup.ts; each test file gets its own database and task queue.
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
};

const project = (displayName, testMatch, extra = {}) => ({
  displayName,
  testMatch,
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  ...extra,
});

module.exports = {
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  // Two cores: one file per core; files that talk to Temporal spend their time waiting.
  maxWorkers: 2,
  testTimeout: 60_000,
  projects: [
    project('unit', ['<rootDir>/libs/*/src/**/*.spec.ts', '<rootDir>/apps/*/src/**/*.spec.ts']),
    project('deploy', ['<rootDir>/test/deploy/**/*.test.ts']),
    project('integration', ['<rootDir>/test/integration/**/*.test.ts']),
    project('workflow', ['<rootDir>/test/workflow/**/*.test.ts', '<rootDir>/test/replay/**/*.test.ts']),
    project('e2e', ['<rootDir>/test/e2e/**/*.test.ts']),
    // Faults: services taken away (through loopback proxies), processes killed; see docs/testing.md.
    project('fault', ['<rootDir>/test/fault/**/*.test.ts']),
    // The cluster profile (npm start -- --cluster), started once by the harness when this tier runs:
    // the e2e journeys on Temporal's separate services, then failover (test/cluster, docs/scaling.md).
    project('cluster', ['<rootDir>/test/cluster/**/*.test.ts']),
    // The web app in Debian's chromium against the real system (test/support/browser.ts).
    project('browser', ['<rootDir>/test/browser/**/*.test.ts']),
    // Not a test: `npm run record-histories` writes replay fixtures (test/replay/record-histories.ts).
    ...(process.env.ROLLPLAN_RECORD_HISTORIES ? [project('record', ['<rootDir>/test/replay/record-histories.ts'])] : []),
  ],
};
