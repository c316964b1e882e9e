/**
 * A decommissioned node's QUEUED deployments are cancelled even when the one announcement of the
 * decommissioning does not reach the deployments subgraph: Redis refused to publish it, or no
 * deployments replica was running. The nodes subgraph announces the retirement again at each
 * sweep until the deployments subgraph confirms that it retired the node's queue. Redis is the
 * test's own, so that it can refuse publishing for a while (an ACL rule, to everyone). And the
 * upgrade that brings this in announces the nodes decommissioned before it, whose queues a lost
 * announcement may have left behind.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '../platform/logger';
import { createDatabase, migrate } from '../subgraphs/kit/orm';
import { entities } from '../subgraphs/nodes/entities';
import { migrations } from '../subgraphs/nodes/migrations';
import { createTestDatabase } from './support/database';
import { claim, CREATE, createDeployment } from './support/deployments';
import { graphql } from './support/graphql';
import { authenticateNode, registerNode, waitFor } from './support/nodes';
import { queryOnce } from './support/private-services';
import { addUser, signUp, type SignedIn } from './support/seed';
import { startStackOnPrivateRedis, type StackOnPrivateRedis } from './support/stack';

/** The nodes subgraph's sweep, which announces unconfirmed retirements again. */
const SWEEP_MS = 200;

let system: StackOnPrivateRedis;

beforeAll(async () => {
  system = await startStackOnPrivateRedis({
    subgraphs: ['users', 'nodes', 'deployments'],
    config: { nodes: { sweepIntervalMs: SWEEP_MS } },
  });
});
afterAll(() => system?.stop());

/** A node with an authenticated agent and two deployments queued on it. */
async function nodeWithQueue() {
  const url = system.gateway.url;
  const admin = await signUp(url);
  const developer = await addUser(url, admin, 'DEVELOPER');
  const registered = await registerNode(url, admin);
  const agent = (await authenticateNode(url, registered)).headers;
  const nodeId = registered.node.id;
  const queued: string[] = [];
  for (const application of ['a', 'b']) {
    queued.push((await createDeployment(url, developer.headers, { nodeId, application })).id);
  }
  return { admin, developer, agent, nodeId, queued };
}

async function decommission(admin: SignedIn, nodeId: string) {
  const answer = await graphql(
    system.gateway.url,
    'mutation ($id: ID!) { decommissionNode(id: $id) { status } }',
    { id: nodeId },
    admin.headers,
  );
  expect(answer.data?.decommissionNode.status).toBe('DECOMMISSIONED');
}

async function statuses(who: SignedIn, ids: string[]): Promise<string[]> {
  const result: string[] = [];
  for (const id of ids) {
    const answer = await graphql(
      system.gateway.url,
      'query ($id: ID!) { deployment(id: $id) { status } }',
      { id },
      who.headers,
    );
    result.push(answer.data?.deployment?.status);
  }
  return result;
}

const unconfirmed = async (nodeId: string) =>
  (
    await queryOnce(
      system.stack.database.url,
      'select 1 from nodes.retirement_outbox where node_id = $1',
      [nodeId],
    )
  ).length;

/** Counts the announcements of a node's retirement heard on Redis from now on. */
async function countAnnouncements(nodeId: string) {
  const listener = new Redis(system.redis.url);
  let heard = 0;
  listener.on('message', (_channel: string, message: string) => {
    if ((JSON.parse(message) as { nodeId: string }).nodeId === nodeId) heard += 1;
  });
  await listener.subscribe(`${system.stack.redisPrefix}NODE_RETIRED`);
  return { heard: () => heard, close: () => listener.quit() };
}

/** Once retired: the queue CANCELLED, no claim for its agent, no new deployment to it. */
async function expectRetired(node: Awaited<ReturnType<typeof nodeWithQueue>>) {
  await waitFor(
    async () => (await statuses(node.admin, node.queued)).every((s) => s === 'CANCELLED'),
    15_000,
  );
  expect(await claim(system.gateway.url, node.agent)).toBeNull();
  const refused = await graphql(
    system.gateway.url,
    CREATE,
    { input: { nodeId: node.nodeId, application: 'c', version: '1', environment: 'e' } },
    node.developer.headers,
  );
  expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  // Confirmed, so no longer announced.
  await waitFor(async () => (await unconfirmed(node.nodeId)) === 0);
}

it('cancels the queue of a node decommissioned while Redis refused every announcement', async () => {
  const node = await nodeWithQueue();
  await system.redis.refusing(['publish'], () => decommission(node.admin, node.nodeId));
  await expectRetired(node);
}, 60_000);

it('cancels the queue of a node decommissioned while the deployments subgraph was down, and stops announcing it once confirmed', async () => {
  const node = await nodeWithQueue();
  const announcements = await countAnnouncements(node.nodeId);
  try {
    await system.stack.stopSubgraph('deployments');
    await decommission(node.admin, node.nodeId);
    // Nobody confirms: announced again, sweep after sweep.
    await waitFor(() => announcements.heard() >= 3, 10_000);
    expect(await unconfirmed(node.nodeId)).toBe(1);
    await system.stack.restartSubgraph('deployments');
    await expectRetired(node);
    const heard = announcements.heard();
    await new Promise((resolve) => setTimeout(resolve, 5 * SWEEP_MS));
    expect(announcements.heard()).toBe(heard);
  } finally {
    await announcements.close();
  }
}, 60_000);

it('announces, after the upgrade that adds it, the retirement of every node decommissioned before', async () => {
  // The nodes schema as the previous release left it, on a database of this test's own.
  const database = await createTestDatabase();
  const migrateNodes = async (count: number) => {
    const nodes = await createDatabase({
      url: database.url,
      schema: 'nodes',
      entities,
      migrations: {
        names: migrations.names.slice(0, count),
        load: () => migrations.load().slice(0, count),
      },
      poolSize: 1,
      logger: createLogger({ name: 'nodes', level: 'silent' }),
    });
    try {
      await migrate(nodes);
    } finally {
      await nodes.close();
    }
  };
  try {
    const outbox = migrations.names.indexOf('Migration20261203230000RetirementOutbox');
    await migrateNodes(outbox);
    const node = (id: string, status: string) =>
      queryOnce(
        database.url,
        `insert into nodes.nodes (id, organization_id, registered_by, name, kind, status,
           status_changed_at, region, public_key, created_at)
         values ($1, $2, $2, $3, 'VM', $4, now(), 'r', $3, now())`,
        [id, randomUUID(), `node-${id}`, status],
      );
    const [retired, live] = [randomUUID(), randomUUID()];
    await node(retired, 'DECOMMISSIONED');
    await node(live, 'ONLINE');
    await migrateNodes(migrations.names.length);
    // Due at the first sweep.
    expect(
      await queryOnce(database.url, 'select node_id, announced_at from nodes.retirement_outbox'),
    ).toEqual([{ node_id: retired, announced_at: new Date(0) }]);
  } finally {
    await database.drop();
  }
});
