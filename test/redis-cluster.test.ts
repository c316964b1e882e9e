/**
 * The system on a Redis Cluster of its own (three primaries, `redis-cli --cluster create`),
 * configured only by `REDIS_URL=redis+cluster://…`: two gateways and the subgraphs, with a
 * prefix that puts the event channels on three different primaries. Sharded pub/sub delivers
 * federated subscriptions across gateways; rate limits, the request budget, revocations, the
 * versioned stats cache and the single node sweeper hold as on one Redis. On a cluster with
 * replicas, a primary's failover tells a process once that its subscriptions are back.
 */
import { LOCAL_SUBGRAPHS } from '../dev/subgraphs';
import { connectChannels } from '../platform/redis';
import type { NodesSubgraph } from '../subgraphs/nodes/server';
import { createDeployment, stats } from './support/deployments';
import { bearer, errorCodes, graphql } from './support/graphql';
import { createChannel, postMessage } from './support/messages';
import {
  authenticateNode,
  heartbeat,
  listenToNodeEvents,
  registerNode,
  waitFor,
} from './support/nodes';
import { retrying } from './support/private-services';
import { startRedisCluster, type PrivateRedisCluster } from './support/redis-topologies';
import { addUser, signUp, type SignedIn } from './support/seed';
import { collect, eventually, wsClient } from './support/subscriptions';
import {
  RELAXED_RATE_LIMITS,
  startGateway,
  startStack,
  type Running,
  type Stack,
} from './support/stack';
import type { Gateway } from '../gateway/server';

jest.setTimeout(60_000);

const SWEEP = { sweepIntervalMs: 300, offlineAfterMs: 1000 };
/** Windows long enough that none ends during the test. */
const HOUR = 3_600_000;
const POSTS_ALLOWED = 3;
const REQUESTS_ALLOWED = 4;
const CHANNELS = ['MESSAGE_ADDED', 'NODE_STATUS_CHANGED', 'DEPLOYMENT_UPDATED'];

let cluster: PrivateRedisCluster;
let stack: Stack;
let secondNodes: NodesSubgraph | undefined;
let events: Awaited<ReturnType<typeof listenToNodeEvents>> | undefined;
const budgeted: Running<Gateway>[] = [];
let admin: SignedIn;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  const rateLimits = {
    ...RELAXED_RATE_LIMITS,
    postMessage: { max: POSTS_ALLOWED, windowMs: HOUR },
  };
  stack = await startStack({
    redisUrl: cluster.url,
    redisPrefix: await cluster.spreadingPrefix(CHANNELS),
    gateways: 2,
    config: { nodes: SWEEP, messages: { rateLimits } },
  });
  // A second nodes replica on the same database and cluster; it needs no HTTP listener to sweep.
  secondNodes = (await LOCAL_SUBGRAPHS.find((s) => s.name === 'nodes')!.create(
    stack.shared,
    SWEEP,
  )) as NodesSubgraph;
  events = await listenToNodeEvents(cluster.url, stack.redisPrefix);
  admin = await signUp(stack.gatewayUrl);
});
afterAll(async () => {
  await Promise.all(budgeted.map((gateway) => gateway.stop()));
  await secondNodes?.close();
  await events?.close();
  await stack?.stop();
  await cluster?.stop();
});

const MESSAGE_ADDED = `subscription ($channelId: ID!) {
  messageAdded(channelId: $channelId) { id body author { username } }
}`;
const NODE_STATUS_CHANGED = `subscription ($nodeId: ID) { nodeStatusChanged(nodeId: $nodeId) { id status } }`;
const DEPLOYMENT_UPDATED = `subscription ($nodeId: ID) {
  deploymentUpdated(nodeId: $nodeId) { id status node { id name } triggeredBy { username } }
}`;

it('delivers federated subscriptions whose channels live on different primaries, across gateways', async () => {
  const [gatewayA, gatewayB] = stack.gateways.map((g) => g.url) as [string, string];
  const operator = await addUser(gatewayA, admin, 'OPERATOR');
  const channel = await createChannel(gatewayA, admin);
  const node = await registerNode(gatewayA, operator);
  const client = wsClient(gatewayB, { authorization: `Bearer ${admin.accessToken}` });
  try {
    const messages = collect(client, MESSAGE_ADDED, { channelId: channel.id });
    const statuses = collect(client, NODE_STATUS_CHANGED, { nodeId: node.node.id });
    const deployments = collect(client, DEPLOYMENT_UPDATED, { nodeId: node.node.id });
    await eventually(
      () => stack.gateways[1]!.service.subscriptionStats().upstreamSubscriptions === 3,
    );

    const posted = await postMessage(gatewayA, admin, { channelId: channel.id, body: 'across' });
    expect(posted.errors).toBeUndefined();
    await heartbeat(gatewayA, await authenticateNode(gatewayA, node));
    const deployment = await createDeployment(gatewayA, operator.headers, { nodeId: node.node.id });

    const [message] = await messages.waitFor(1);
    expect(message!.data.messageAdded).toEqual({
      id: posted.data!.postMessage!.id,
      body: 'across',
      author: { username: admin.user.username },
    });
    const [status] = await statuses.waitFor(1);
    expect(status!.data.nodeStatusChanged).toEqual({ id: node.node.id, status: 'ONLINE' });
    const [queued] = await deployments.waitFor(1);
    expect(queued!.data.deploymentUpdated).toEqual({
      id: deployment.id,
      status: 'QUEUED',
      node: { id: node.node.id, name: node.node.name },
      triggeredBy: { username: operator.user.username },
    });
  } finally {
    await client.dispose();
  }
  const owners = await Promise.all(CHANNELS.map((t) => cluster.ownerOf(stack.redisPrefix + t)));
  expect(new Set(owners).size).toBe(3);
});

it('counts a rate limit across gateways', async () => {
  const poster = await signUp(stack.gatewayUrl); // whose posts no other test counts
  const channel = await createChannel(stack.gatewayUrl, poster);
  const codes = [];
  for (let i = 0; i <= POSTS_ALLOWED; i++) {
    const url = stack.gateways[i % 2]!.url;
    codes.push(
      errorCodes(await postMessage(url, poster, { channelId: channel.id, body: `n${i}` })),
    );
  }
  expect(codes).toEqual([...Array(POSTS_ALLOWED).fill([]), ['RATE_LIMITED']]);
});

it('charges the request budget across gateways', async () => {
  for (let i = 0; i < 2; i++)
    budgeted.push(
      await startGateway({
        ...stack.gatewayConfig,
        requestRateLimit: { max: REQUESTS_ALLOWED, windowMs: HOUR },
      }),
    );
  const session = await signUp(stack.gatewayUrl);
  const ME = '{ me { id } }';
  const statuses = [];
  for (let i = 0; i < REQUESTS_ALLOWED + 2; i++)
    statuses.push((await graphql(budgeted[i % 2]!.url, ME, {}, session.headers)).status);
  expect(statuses).toEqual([...Array(REQUESTS_ALLOWED).fill(200), 429, 429]);
});

it('refuses a revoked token on every gateway', async () => {
  const session = await signUp(stack.gatewayUrl);
  const [gatewayA, gatewayB] = stack.gateways.map((g) => g.url) as [string, string];
  const out = await graphql(gatewayA, 'mutation { logout }', {}, session.headers);
  expect(out.data).toEqual({ logout: true });
  for (const gateway of [gatewayB, gatewayA]) {
    await waitFor(
      async () => (await graphql(gateway, '{ me { id } }', {}, session.headers)).status === 401,
    );
    expect(errorCodes(await graphql(gateway, '{ me { id } }', {}, session.headers))).toEqual([
      'UNAUTHENTICATED',
    ]);
  }
  // A process started after the revocation finds it in the keys, scanned on every primary.
  const late = await startGateway(stack.gatewayConfig);
  budgeted.push(late);
  expect((await graphql(late.url, '{ me { id } }', {}, session.headers)).status).toBe(401);
  expect((await graphql(late.url, '{ me { id } }', {}, bearer(admin.accessToken))).status).toBe(
    200,
  );
});

it('counts deployment stats afresh after each change (a versioned cache)', async () => {
  const operator = await signUp(stack.gatewayUrl); // an organization of its own to count
  const node = await registerNode(stack.gatewayUrl, operator);
  const counts = [];
  for (let i = 0; i < 2; i++) {
    await createDeployment(stack.gatewayUrl, operator.headers, {
      nodeId: node.node.id,
      application: `app-${i}`,
    });
    counts.push((await stats(stack.gatewayUrl, operator.headers)).queued);
  }
  expect(counts).toEqual([1, 2]);
});

it('marks a silent node OFFLINE exactly once with two sweeping replicas', async () => {
  const url = stack.gatewayUrl;
  const operator = await addUser(url, admin, 'OPERATOR');
  const silent = await registerNode(url, operator);
  await heartbeat(url, await authenticateNode(url, silent));
  await waitFor(() => events!.of(silent.node.id).includes('ONLINE→OFFLINE'), 10_000);
  // Several more sweeps by both replicas: still one OFFLINE event.
  await new Promise((resolve) => setTimeout(resolve, 6 * SWEEP.sweepIntervalMs));
  expect(events!.of(silent.node.id)).toEqual(['∅→PENDING', 'PENDING→ONLINE', 'ONLINE→OFFLINE']);
});

it("tells a process once that its subscriptions are back after a primary's failover, and delivers what is published after", async () => {
  const replicated = await startRedisCluster(3, 1);
  const listening = connectChannels(replicated.url);
  const publishing = connectChannels(replicated.url);
  try {
    const channel = 'opsgraph-test:failover';
    const received: string[] = [];
    await listening.subscribe(channel, (message) => received.push(message));
    let heard = 0;
    listening.onReconnected(() => (heard += 1));
    await replicated.failOver(channel);
    await retrying(async () => {
      await publishing.publish(channel, 'after the failover');
      if (!received.includes('after the failover')) throw new Error('not delivered yet');
    }, 30_000);
    // Time for any further signals to come and settle.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(heard).toBe(1);
  } finally {
    await Promise.all([listening.close(), publishing.close()]);
    await replicated.stop();
  }
}, 120_000);
