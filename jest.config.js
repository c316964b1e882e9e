/** Tests run against real PostgreSQL, Redis and loopback servers; see test/support. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/subgraphs', '<rootDir>/gateway'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 60_000,
  maxWorkers: 2,
  // A worker ending with a heap of a gigabyte takes Node longer to exit than the 500 ms Jest
  // waits before force-exiting it ("a worker process has failed to exit gracefully"): recycle
  // workers whose heap has grown past this after a test file.
  workerIdleMemoryLimit: '512MB',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
