/**
 * Jest's node environment, and a full garbage collection once each test file is done. Without it
 * the heap of a worker grows file after file to a gigabyte of garbage that V8 has no reason to
 * collect yet, and a worker ending so large takes Node longer to exit than the 500 ms Jest waits
 * before it force-exits it and prints "a worker process has failed to exit gracefully" — though
 * nothing leaked.
 */
const { setFlagsFromString } = require('node:v8');
const { runInNewContext } = require('node:vm');
const { TestEnvironment } = require('jest-environment-node');

setFlagsFromString('--expose-gc');
/** V8's gc(), taken from a fresh context now that the flag exposes it. */
const collectGarbage = runInNewContext('gc');

module.exports = class NodeEnvironmentThatCollects extends TestEnvironment {
  async teardown() {
    await super.teardown();
    // Later: Jest lets go of the file's modules only after this returns.
    setImmediate(collectGarbage);
  }
};
