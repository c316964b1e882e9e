/**
 * Heartbeats racing the OFFLINE sweeper: a node's status history (its NODE_STATUS_CHANGED change
 * records, in stream order) never goes back in time and each record follows the one before it.
 * Forty nodes heartbeat around the silence after which the sweeper takes them OFFLINE, some of
 * them overloaded (DEGRADED), for a few seconds; the pauses come from a printed seed
 * (TEST_SEED=<seed> replays them; the race itself still depends on the machine's timing).
 */
import { Client } from 'pg';
import { HeartbeatDocument } from './__generated__/graphql';
import { Random } from './faults/schedule';
import { errorCodes, graphql } from './support/graphql';
import { authenticateNode, registerNode } from './support/nodes';
import { signUp } from './support/seed';
import { startStack, type Stack } from './support/stack';

const OFFLINE_AFTER_MS = 250;
const SEED = Number(process.env.TEST_SEED || Math.floor(Math.random() * 2 ** 31));

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'nodes'],
    config: { nodes: { offlineAfterMs: OFFLINE_AFTER_MS, sweepIntervalMs: 50 } },
  });
});
afterAll(() => stack?.stop());

interface StatusChange {
  nodeId: string;
  previousStatus: string;
  status: string;
  changedAt: string;
}

it('keeps every node’s status history in order while heartbeats race the sweeper', async () => {
  console.log(`nodes-status-history seed: ${SEED} (TEST_SEED=${SEED} replays it)`);
  const random = new Random(SEED);
  const url = stack.gatewayUrl;
  const admin = await signUp(url);
  const nodes = await Promise.all(
    Array.from({ length: 40 }, async () => authenticateNode(url, await registerNode(url, admin))),
  );
  const codes: unknown[] = [];
  const until = Date.now() + 8_000;
  await Promise.all(
    nodes.map(async ({ headers }, i) => {
      const pauses = random.fork();
      while (Date.now() < until) {
        const input = { cpuPercent: i % 3 === 0 ? 99 : 5, memoryPercent: 10, diskPercent: 10 };
        codes.push(...errorCodes(await graphql(url, HeartbeatDocument, { input }, headers)));
        await new Promise((r) => setTimeout(r, pauses.between(150, 400)));
      }
    }),
  );
  expect(codes).toEqual([]);

  const db = new Client({ connectionString: stack.database.url });
  await db.connect();
  const { rows } = await db
    .query<{ payload: StatusChange }>(
      `select payload from nodes.change_log where topic = 'NODE_STATUS_CHANGED' order by position`,
    )
    .finally(() => db.end());
  const lastOf = new Map<string, StatusChange>();
  const outOfOrder: string[] = [];
  for (const { payload: change } of rows) {
    const last = lastOf.get(change.nodeId);
    if (last && (change.previousStatus !== last.status || change.changedAt < last.changedAt))
      outOfOrder.push(`${JSON.stringify(last)} then ${JSON.stringify(change)}`);
    lastOf.set(change.nodeId, change);
  }
  // The race happened: nodes went OFFLINE and came back.
  expect(rows.filter(({ payload }) => payload.status === 'OFFLINE').length).toBeGreaterThan(0);
  expect(outOfOrder).toEqual([]);
}, 60_000);
