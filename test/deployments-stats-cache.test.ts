/**
 * deploymentStats, cached in Redis, against a Redis that fails while deployments change: the
 * counts must follow the data once Redis is back, whatever the cache missed meanwhile. Redis is
 * the test's own, so that it can refuse a command for a while (an ACL rule, to everyone) while
 * everything else keeps working.
 */
import { createDeployment, deploymentsFixture, stats } from './support/deployments';
import { startStackOnPrivateRedis, type StackOnPrivateRedis } from './support/stack';

let system: StackOnPrivateRedis;
const { organization } = deploymentsFixture(() => system.gateway.url);

beforeAll(async () => {
  system = await startStackOnPrivateRedis({ subgraphs: ['users', 'nodes', 'deployments'] });
});
afterAll(() => system?.stop());

it('counts a change made while Redis refused to record it, once Redis is back', async () => {
  const org = await organization();
  const { url } = system.gateway;
  expect(await stats(url, org.viewer.headers)).toMatchObject({ queued: 0 });
  // Cached now. The change's announcement and bookkeeping in Redis fail; the change is stored.
  await system.redis.refusing(['incr', 'publish'], async () => {
    await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
  });
  expect(await stats(url, org.viewer.headers)).toMatchObject({ queued: 1 });
});
