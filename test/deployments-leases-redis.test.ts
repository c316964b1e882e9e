/**
 * Claim leases across a Redis outage. Heartbeats renew a claim's lease through Redis pub/sub,
 * at most once: while Redis is down, an agent that keeps heartbeating renews nothing, and the
 * lease sweeper, back with Redis, must not fail its deployment for the silence it could not hear.
 * Redis is the test's own, so that it can be stopped and started again.
 */
import { claim, createDeployment } from './support/deployments';
import { graphql } from './support/graphql';
import { authenticateNode, registerNode, waitFor } from './support/nodes';
import { addUser, signUp } from './support/seed';
import { startStackOnPrivateRedis, type StackOnPrivateRedis } from './support/stack';

const LEASE_MS = 1_500;
let system: StackOnPrivateRedis;

beforeAll(async () => {
  system = await startStackOnPrivateRedis({
    subgraphs: ['users', 'nodes', 'deployments'],
    config: { deployments: { leaseMs: LEASE_MS, leaseSweepIntervalMs: 150 } },
  });
});
afterAll(() => system?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('keeps a claim whose heartbeats went unheard while Redis was down, and fails it a lease after they stop', async () => {
  const url = system.gateway.url;
  const admin = await signUp(url);
  const developer = await addUser(url, admin, 'DEVELOPER');
  const registered = await registerNode(url, admin);
  const agent = (await authenticateNode(url, registered)).headers;
  const { id } = await createDeployment(url, developer.headers, { nodeId: registered.node.id });
  expect((await claim(url, agent))?.status).toBe('RUNNING');
  const statusOf = async () =>
    (
      await graphql(
        url,
        'query ($id: ID!) { deployment(id: $id) { status } }',
        { id },
        admin.headers,
      )
    ).data?.deployment?.status as string;

  // The agent heartbeats, naming its deployment, every sixth of a lease, whatever the answers.
  let beating = true;
  const heartbeats = (async () => {
    while (beating) {
      await graphql(
        url,
        'mutation ($input: HeartbeatInput!) { heartbeat(input: $input) { id } }',
        { input: { cpuPercent: 1, memoryPercent: 1, diskPercent: 1, deploymentIds: [id] } },
        agent,
      ).catch(() => undefined);
      await sleep(LEASE_MS / 6);
    }
  })();
  try {
    await sleep(LEASE_MS);
    await system.redis.stop();
    await sleep(2 * LEASE_MS);
    await system.redis.start();
    // Heard again: the sweeps that follow keep the claim.
    await sleep(2 * LEASE_MS);
    expect(await statusOf()).toBe('RUNNING');
  } finally {
    beating = false;
    await heartbeats;
  }
  await waitFor(async () => (await statusOf()) === 'FAILED', 10 * LEASE_MS);
}, 60_000);
