/** The stack and fixture of the deployments test files (Jest only: bench/ imports deployments.ts). */
import { deploymentsFixture } from './deployments';
import { startStack, type Stack } from './stack';

/**
 * The stack a deployments test file runs on (users, nodes and deployments behind a gateway),
 * started before its tests (handing it to `started`) and stopped after them, and the fixture
 * bound to its gateway. Call it at the top of the file.
 */
export function deploymentsSuite(started: (stack: Stack) => void) {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack({ subgraphs: ['users', 'nodes', 'deployments'] });
    started(stack);
  });
  afterAll(() => stack?.stop());
  return {
    ...deploymentsFixture(() => stack!.gatewayUrl),
    /** Any ISO-8601 timestamp with milliseconds, as the API writes them. */
    ISO: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
  };
}
