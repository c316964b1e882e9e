/**
 * Claim leases: a RUNNING deployment whose agent goes quiet becomes FAILED, once, with an event
 * saying why — also when sweepers of several replicas race — while its agent's reports and
 * heartbeats naming it keep it RUNNING, and a real agent working normally never trips it. A
 * decommissioned node's QUEUED deployments are cancelled, each with an event, once however many
 * replicas hear of it, and one queued while the node is being decommissioned is cancelled with
 * them or refused. On the whole stack (users, nodes, deployments and the gateway) with short
 * leases, plus replicas of the deployments subgraph on the same database.
 */
import { DeploymentUpdatedDocument } from './__generated__/graphql';
import { LOCAL_SUBGRAPHS } from '../dev/subgraphs';
import type { DeploymentsSubgraph } from '../subgraphs/deployments/server';
import {
  createApiKey,
  deploymentWithEvents,
  exitOf,
  nodesNamed,
  startNodeAgent,
  QUICK_POLLING,
} from './support/agent';
import { claim, CREATE, createDeployment, EVENTS, report, REPORT } from './support/deployments';
import { errorCodes, graphql } from './support/graphql';
import { authenticateNode, heartbeat, registerNode, waitFor } from './support/nodes';
import { addUser, signUp, unique, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';

import { clientsFor, collect } from './support/subscriptions';

/**
 * Long enough that a report or heartbeat every quarter of it keeps a claim even on a loaded
 * machine, where one round trip through the gateway may take a second.
 */
const LEASE_MS = 4_000;
const settings = { leaseMs: LEASE_MS, leaseSweepIntervalMs: 150 };
/** How long a lapse may take to show: the lease, a sweep, and a loaded machine's delays. */
const LAPSE_MS = LEASE_MS + 30_000;

let stack: Stack;
let url: string;
/** A replica on the same Redis prefix: it hears the same events and shares the sweeper lease. */
let sameLease: DeploymentsSubgraph;
/** A replica on another Redis prefix: its sweeper holds its own lease, so two sweep at once. */
let ownLease: DeploymentsSubgraph;
let viewer: SignedIn;
const clients = clientsFor(() => ({ authorization: `Bearer ${viewer.accessToken}` }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'nodes', 'deployments'],
    config: { deployments: settings },
  });
  url = stack.gatewayUrl;
  const deployments = LOCAL_SUBGRAPHS.find((s) => s.name === 'deployments')!;
  sameLease = (await deployments.create(stack.shared, settings)) as DeploymentsSubgraph;
  ownLease = (await deployments.create(
    {
      ...stack.shared,
      base: { ...stack.shared.base, redisPrefix: `${stack.shared.base.redisPrefix}other:` },
    },
    settings,
  )) as DeploymentsSubgraph;
});
afterEach(() => clients.disposeAll());
afterAll(async () => {
  await sameLease?.close();
  await ownLease?.close();
  await stack?.stop();
});

/** An organization with a developer and one node whose agent is authenticated. */
async function nodeWithAgent() {
  const admin = await signUp(url);
  viewer = admin;
  const developer = await addUser(url, admin, 'DEVELOPER');
  const registered = await registerNode(url, admin);
  const agent = (await authenticateNode(url, registered)).headers;
  return { admin, developer, nodeId: registered.node.id, agent };
}

/** A deployment's status changes as stored, and its FAILED/CANCELLED event messages. */
async function history(who: SignedIn, id: string) {
  const response = await graphql(url, EVENTS, { id, first: 100 }, who.headers);
  const events = response.data!.deployment.events.edges.map((edge: any) => edge.node);
  const changes = events.filter((event: any) => event.type === 'STATUS_CHANGED');
  return {
    statuses: changes.map((event: any) => event.status as string),
    last: changes.at(-1) as { status: string; level: string; message: string },
  };
}

const statusOf = async (who: SignedIn, id: string) =>
  (await graphql(url, 'query ($id: ID!) { deployment(id: $id) { status } }', { id }, who.headers))
    .data?.deployment?.status as string;

async function decommission(admin: SignedIn, nodeId: string) {
  const answer = await graphql(
    url,
    'mutation ($id: ID!) { decommissionNode(id: $id) { status } }',
    { id: nodeId },
    admin.headers,
  );
  expect(answer.data?.decommissionNode.status).toBe('DECOMMISSIONED');
}

it('fails a claim nobody reports on, once, with an event, while sweepers of two replicas race', async () => {
  const { admin, developer, nodeId, agent } = await nodeWithAgent();
  // Different applications: all of them may run on the node at once.
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    ids.push(
      (await createDeployment(url, developer.headers, { nodeId, application: `app-${i}` })).id,
    );
  }
  const updates = collect(clients.open(url), DeploymentUpdatedDocument, { nodeId });
  // Claimed, and then the agent is never heard of again (its claim replies were lost).
  for (let i = 0; i < ids.length; i++) expect((await claim(url, agent))?.status).toBe('RUNNING');

  for (const id of ids)
    await waitFor(async () => (await statusOf(admin, id)) === 'FAILED', LAPSE_MS);
  // More sweeps by three sweeping replicas: still one FAILED each.
  await sleep(10 * settings.leaseSweepIntervalMs);
  for (const id of ids) {
    const { statuses, last } = await history(admin, id);
    expect(statuses).toEqual(['QUEUED', 'RUNNING', 'FAILED']);
    expect(last.level).toBe('ERROR');
    expect(last.message).toMatch(/No report or heartbeat from the node's agent for 4 s/);
  }
  // Subscribers of deploymentUpdated see each FAILED transition, once (a transition swept by
  // the replica on another prefix reaches them from the store, not from Redis).
  const failed = () =>
    updates.results
      .map((r: any) => r.data!.deploymentUpdated)
      .filter((d: any) => d.status === 'FAILED')
      .map((d: any) => d.id as string);
  await waitFor(() => failed().length >= ids.length, 60_000);
  expect(failed().sort()).toEqual([...ids].sort());
  expect(sameLease.leaseSweepCount() + ownLease.leaseSweepCount()).toBeGreaterThan(0);
}, 120_000);

it('keeps a claim while its agent reports, even empty reports, and fails it once they stop', async () => {
  const { admin, developer, nodeId, agent } = await nodeWithAgent();
  const { id } = await createDeployment(url, developer.headers, { nodeId });
  await claim(url, agent);
  for (let i = 0; i < 8; i++) {
    await sleep(LEASE_MS / 4);
    await report(url, agent, {
      deploymentId: id,
      ...(i % 2 === 0 && { logs: [{ message: `step ${i}` }] }),
    });
  }
  expect(await statusOf(admin, id)).toBe('RUNNING');
  await waitFor(async () => (await statusOf(admin, id)) === 'FAILED', LAPSE_MS);
}, 120_000);

it('keeps a claim its node’s heartbeats name, and not one they leave out', async () => {
  const { admin, developer, nodeId, agent } = await nodeWithAgent();
  const named = (await createDeployment(url, developer.headers, { nodeId, application: 'a' })).id;
  const lost = (await createDeployment(url, developer.headers, { nodeId, application: 'b' })).id;
  await claim(url, agent);
  await claim(url, agent); // the agent never got this answer: its heartbeats do not name it
  const beat = (deploymentIds: string[]) =>
    graphql(
      url,
      'mutation ($input: HeartbeatInput!) { heartbeat(input: $input) { id } }',
      { input: { cpuPercent: 1, memoryPercent: 1, diskPercent: 1, deploymentIds } },
      agent,
    );
  for (let i = 0; i < 8; i++) {
    expect((await beat([named])).errors).toBeUndefined();
    await sleep(LEASE_MS / 4);
  }
  expect(await statusOf(admin, named)).toBe('RUNNING');
  await waitFor(async () => (await statusOf(admin, lost)) === 'FAILED', LAPSE_MS);
  // Heartbeats that name no deployment (or another node's) renew nothing.
  await heartbeat(url, { headers: agent });
  await waitFor(async () => (await statusOf(admin, named)) === 'FAILED', LAPSE_MS);
  const tooMany = await beat(Array.from({ length: 101 }, () => named));
  expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
}, 120_000);

it("cancels a decommissioned node's QUEUED deployments once, each with an event", async () => {
  const { admin, developer, nodeId, agent } = await nodeWithAgent();
  const running = (await createDeployment(url, developer.headers, { nodeId, application: 'r' })).id;
  await claim(url, agent);
  const queued = [
    (await createDeployment(url, developer.headers, { nodeId, application: 'q1' })).id,
    (await createDeployment(url, developer.headers, { nodeId, application: 'q2' })).id,
  ];
  await decommission(admin, nodeId);
  for (const id of queued) await waitFor(async () => (await statusOf(admin, id)) === 'CANCELLED');
  // Two replicas heard the event: still one cancellation each.
  await sleep(500);
  for (const id of queued) {
    const { statuses, last } = await history(admin, id);
    expect(statuses).toEqual(['QUEUED', 'CANCELLED']);
    expect(last.message).toBe('Cancelled: its node was decommissioned.');
  }
  // Its agent can no longer report (its token outlives the node, as heartbeats, reports are
  // refused): neither a log line nor an end, and the RUNNING one's lease lapses.
  for (const input of [
    { deploymentId: running, logs: [{ message: 'still here' }] },
    { deploymentId: running, status: 'SUCCEEDED' as const },
    { deploymentId: running },
  ]) {
    const refused = await graphql(url, REPORT, { input }, agent);
    expect(refused.data?.reportDeploymentProgress ?? null).toBeNull();
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(refused.errors?.[0]?.message).toBe('This node has been decommissioned.');
  }
  await waitFor(async () => (await statusOf(admin, running)) === 'FAILED', LAPSE_MS);
  expect((await history(admin, running)).statuses).toEqual(['QUEUED', 'RUNNING', 'FAILED']);
}, 120_000);

it('leaves nothing QUEUED on a node decommissioned while deployments to it are being queued', async () => {
  // Each node is decommissioned while four clients keep queueing deployments to it, one after
  // another, until the node refuses them: some are queued just before the decommission, some
  // race it. Each must end CANCELLED with the node's queue, or be refused; none may wait QUEUED
  // for an agent that a decommissioned node no longer has (its token still claims).
  const NODES = 16;
  const CLIENTS = 4;
  const races = await Promise.all(
    Array.from({ length: NODES }, async () => {
      const { admin, developer, nodeId, agent } = await nodeWithAgent();
      const queued: string[] = [];
      const refusals = new Set<string>();
      let refused = false;
      const queueUntilRefused = async (client: number) => {
        for (let i = 0; !refused; i++) {
          const answer = await graphql(
            url,
            CREATE,
            {
              input: { nodeId, application: `race-${client}-${i}`, version: '1', environment: 'e' },
            },
            developer.headers,
          );
          const id = answer.data?.createDeployment?.id as string | undefined;
          if (id) queued.push(id);
          else {
            refused = true;
            for (const error of answer.errors ?? []) {
              refusals.add(`${error.extensions?.code} ${error.extensions?.nodeStatus}`);
            }
          }
        }
      };
      await Promise.all([
        sleep(50 + Math.random() * 100).then(() => decommission(admin, nodeId)),
        ...Array.from({ length: CLIENTS }, (_, c) => queueUntilRefused(c)),
      ]);
      return { admin, agent, queued, refusals };
    }),
  );
  const left = async () => {
    const still: string[] = [];
    for (const { admin, queued } of races) {
      for (const id of queued) if ((await statusOf(admin, id)) !== 'CANCELLED') still.push(id);
    }
    return still;
  };
  await waitFor(async () => (await left()).length === 0, 10_000).catch(() => undefined);
  expect(await left()).toEqual([]);
  for (const { agent, refusals } of races) {
    expect([...refusals]).toEqual(['CONFLICT DECOMMISSIONED']);
    expect(await claim(url, agent)).toBeNull();
  }
}, 120_000);

it('never fails a deployment whose agent works normally, with steps longer than the lease', async () => {
  const admin = await signUp(url);
  const developer = await addUser(url, admin, 'DEVELOPER');
  const apiKey = await createApiKey(url, admin, 'OPERATOR');
  const name = unique('lease-agent-');
  // Each step outlasts the lease: only heartbeats naming the deployment keep it.
  const { agent, stop } = await startNodeAgent(url, apiKey, name, [
    '--once',
    ...QUICK_POLLING,
    '--step-duration',
    `${LEASE_MS + 500}ms`,
  ]);
  try {
    let node: any;
    await waitFor(async () => {
      [node] = await nodesNamed(url, developer, name);
      return node?.status === 'ONLINE';
    }, 60_000);
    const deployment = await createDeployment(url, developer.headers, { nodeId: node.id });
    expect(await exitOf(agent, 120_000)).toBe(0);
    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.statuses).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
  } finally {
    await stop();
  }
}, 240_000);
