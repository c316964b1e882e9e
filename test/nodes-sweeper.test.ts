/**
 * The OFFLINE sweeper with two replicas of the nodes subgraph on one database and one Redis:
 * silent nodes go OFFLINE once, only one replica sweeps per interval, and the lease passes on
 * when its holder goes away or dies.
 */
import { Redis } from 'ioredis';
import { LOCAL_SUBGRAPHS } from '../dev/subgraphs';
import type { NodesSubgraph } from '../subgraphs/nodes/server';
import { SWEEPER_LEASE_KEY } from '../subgraphs/nodes/services/sweeper';
import { graphql } from './support/graphql';
import {
  authenticateNode,
  heartbeat,
  listenToNodeEvents,
  registerNode,
  waitFor,
} from './support/nodes';
import { addUser, signUp } from './support/seed';
import { startStack, type Stack } from './support/stack';

const SWEEP_INTERVAL_MS = 300;
const settings = { sweepIntervalMs: SWEEP_INTERVAL_MS, offlineAfterMs: 1000 };

let stack: Stack;
let url: string;
let replicas: NodesSubgraph[];
const closed = new Set<NodesSubgraph>();
let events: Awaited<ReturnType<typeof listenToNodeEvents>>;
let redis: Redis;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sweeps = () => replicas.map((replica) => replica.sweepCount());
const total = (counts: number[]) => counts.reduce((sum, count) => sum + count, 0);

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users', 'nodes'], config: { nodes: settings } });
  url = stack.gatewayUrl;
  // A second replica on the same database and Redis; it needs no HTTP listener to sweep.
  const second = (await LOCAL_SUBGRAPHS.find((s) => s.name === 'nodes')!.create(
    stack.shared,
    settings,
  )) as NodesSubgraph;
  replicas = [stack.subgraphs.nodes!.service as NodesSubgraph, second];
  events = await listenToNodeEvents(stack.shared.base.redisUrl, stack.shared.base.redisPrefix);
  redis = new Redis(stack.shared.base.redisUrl);
});
afterAll(async () => {
  if (replicas?.[1] && !closed.has(replicas[1])) await replicas[1].close();
  await events?.close();
  await redis?.quit();
  await stack?.stop();
});

const NODE = `query ($id: ID!) { node(id: $id) { status lastHeartbeatAt statusChangedAt } }`;

it('marks a silent node OFFLINE once, and a heartbeat brings it back', async () => {
  const admin = await signUp(url);
  const operator = await addUser(url, admin, 'OPERATOR');
  const silent = await registerNode(url, operator);
  const pending = await registerNode(url, operator);
  const session = await authenticateNode(url, silent);
  const beat = await heartbeat(url, session, { diskPercent: 95 });
  expect(beat.status).toBe('DEGRADED');

  const status = async (id: string) =>
    (await graphql(url, NODE, { id }, operator.headers)).data?.node;
  await waitFor(async () => (await status(silent.node.id))?.status === 'OFFLINE', 5000);
  const offline = await status(silent.node.id);
  expect(new Date(offline.statusChangedAt).getTime()).toBeGreaterThanOrEqual(
    new Date(beat.lastHeartbeatAt!).getTime() + settings.offlineAfterMs,
  );
  // A node that never heartbeated is not "silent": it stays PENDING.
  expect((await status(pending.node.id))?.status).toBe('PENDING');

  // Several more sweeps by two replicas: still exactly one OFFLINE event.
  await sleep(4 * SWEEP_INTERVAL_MS);
  expect(events.of(silent.node.id)).toEqual(['∅→PENDING', 'PENDING→DEGRADED', 'DEGRADED→OFFLINE']);
  // The OFFLINE change carries the readings the node was left with: its last heartbeat's.
  expect(
    events.events.find((e) => e.nodeId === silent.node.id && e.status === 'OFFLINE'),
  ).toMatchObject({
    changedAt: offline.statusChangedAt,
    lastHeartbeatAt: beat.lastHeartbeatAt,
    cpuPercent: 10,
    memoryPercent: 20,
    diskPercent: 95,
    agentVersion: '0.1.0',
  });

  expect((await heartbeat(url, session)).status).toBe('ONLINE');
  await waitFor(() => events.of(silent.node.id).length === 4);
  expect(events.of(silent.node.id).at(-1)).toBe('OFFLINE→ONLINE');
});

it('sweeps exactly once per interval across two replicas', async () => {
  const intervals = 12;
  const before = sweeps();
  await sleep(intervals * SWEEP_INTERVAL_MS);
  const done = sweeps().map((count, i) => count - before[i]!);
  // Both replicas tick every interval; sweeping independently they would make 2 × intervals.
  expect(total(done)).toBeGreaterThanOrEqual(intervals - 2);
  expect(total(done)).toBeLessThanOrEqual(intervals + 1);
  // One replica holds the lease and does all of them.
  expect(Math.min(...done)).toBe(0);
});

it('waits out the lease of a holder that died, then another replica sweeps', async () => {
  // A replica that crashed while holding the lease: its key stays until it expires.
  const leaseKey = `${stack.shared.base.redisPrefix}${SWEEPER_LEASE_KEY}`;
  await redis.set(leaseKey, 'crashed-replica', 'PX', 6 * SWEEP_INTERVAL_MS);
  await sleep(SWEEP_INTERVAL_MS); // a sweep already under way may finish
  const frozen = sweeps();
  await sleep(3 * SWEEP_INTERVAL_MS);
  expect(sweeps()).toEqual(frozen);

  await waitFor(() => total(sweeps()) >= total(frozen) + 2, 10 * SWEEP_INTERVAL_MS);
  expect(await redis.get(leaseKey)).not.toBe('crashed-replica');
});

it('hands the lease over when its holder shuts down', async () => {
  const before = sweeps();
  await sleep(3 * SWEEP_INTERVAL_MS);
  const holder = sweeps()[0]! > before[0]! ? 0 : 1;
  const other = 1 - holder;
  // The stack's replica stops as in production: HTTP first, then the subgraph.
  await (holder === 0 ? stack.stopSubgraph('nodes') : replicas[1]!.close());
  closed.add(replicas[holder]!);

  const start = replicas[other]!.sweepCount();
  await waitFor(() => replicas[other]!.sweepCount() >= start + 2, 6 * SWEEP_INTERVAL_MS);
});
