/**
 * deploymentStats, cached in Redis, against a Redis that fails while deployments change: the
 * counts must follow the data once Redis is back, whatever the cache missed meanwhile. Redis is
 * the test's own, so that it can refuse a command for a while (an ACL rule, to everyone) while
 * everything else keeps working.
 */
import { createDeployment, deploymentsFixture, stats } from './support/deployments';
import { privateRedis, type PrivateRedis } from './support/private-services';
import type { Gateway } from '../gateway/server';
import { startGateway, startStack, type Running, type Stack } from './support/stack';

let redis: PrivateRedis;
let stack: Stack;
/** A gateway without Redis (its request budget in memory), so only the subgraphs meet the faults. */
let gateway: Running<Gateway>;
const { organization } = deploymentsFixture(() => gateway.url);

beforeAll(async () => {
  redis = await privateRedis();
  await redis.start();
  stack = await startStack({ subgraphs: ['users', 'nodes', 'deployments'], redisUrl: redis.url });
  gateway = await startGateway({
    ...stack.gatewayConfig,
    redisUrl: null,
    apiKeyIntrospectionUrl: null,
  });
});
afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
  await redis?.stop();
});

/** Runs `during` while this Redis refuses `commands` to everyone (NOPERM). */
async function refusing(commands: string[], during: () => Promise<void>): Promise<void> {
  await redis.command('ACL', 'SETUSER', 'default', ...commands.map((c) => `-${c}`));
  try {
    await during();
  } finally {
    await redis.command('ACL', 'SETUSER', 'default', ...commands.map((c) => `+${c}`));
  }
}

it('counts a change made while Redis refused to record it, once Redis is back', async () => {
  const org = await organization();
  const { url } = gateway;
  expect(await stats(url, org.viewer.headers)).toMatchObject({ queued: 0 });
  // Cached now. The change's announcement and bookkeeping in Redis fail; the change is stored.
  await refusing(['incr', 'publish'], async () => {
    await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
  });
  expect(await stats(url, org.viewer.headers)).toMatchObject({ queued: 1 });
});
