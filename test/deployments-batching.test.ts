/**
 * Batching across subgraphs: the dashboard query fetches a page of deployments with their node
 * (nodes subgraph), who triggered them (users subgraph) and their latest events. The number of
 * SQL statements each subgraph runs must not grow with the page size.
 */
import { seedFinishedDeployments } from './support/deployments';
import { graphql } from './support/graphql';
import { addUser, signUp } from './support/seed';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let url: string;

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'nodes', 'deployments'],
    // No sweep during the measurements: only the query's own statements are counted.
    config: { nodes: { sweepIntervalMs: 3_600_000 } },
  });
  url = stack.gatewayUrl;
});
afterAll(() => stack?.stop());

const DASHBOARD = `query ($first: Int!) {
  deployments(first: $first) {
    edges {
      node {
        id
        status
        node { name region status }
        triggeredBy { username }
        events(last: 3) { edges { node { message } } }
      }
    }
  }
}`;

/** SQL statements each subgraph ran while `run` ran. */
async function statementsDuring(run: () => Promise<void>): Promise<Record<string, number>> {
  const names = Object.keys(stack.subgraphs);
  const count = () => names.map((name) => stack.subgraphs[name]!.service.statementCount());
  const before = count();
  await run();
  const after = count();
  return Object.fromEntries(names.map((name, i) => [name, after[i]! - before[i]!]));
}

it('runs the same few SQL statements per subgraph for 10 and for 100 deployments', async () => {
  const admin = await signUp(url);
  const developers = [admin, await addUser(url, admin, 'DEVELOPER')];
  // 100 deployments, 20 on each of 5 nodes, each run to success with logs: 5 events each.
  await seedFinishedDeployments(
    url,
    admin,
    20,
    developers.map((developer) => developer.headers),
  );

  const counts: Record<number, Record<string, number>> = {};
  for (const first of [10, 100]) {
    counts[first] = await statementsDuring(async () => {
      const response = await graphql(url, DASHBOARD, { first }, admin.headers);
      expect(response.errors).toBeUndefined();
      const edges = response.data!.deployments.edges;
      expect(edges).toHaveLength(first);
      for (const { node } of edges) {
        expect(node).toEqual({
          id: expect.any(String),
          status: 'SUCCEEDED',
          node: { name: expect.any(String), region: 'eu-central-1', status: 'PENDING' },
          triggeredBy: { username: expect.any(String) },
          events: {
            edges: [
              { node: { message: expect.stringMatching(/^pulled app-/) } },
              { node: { message: expect.stringMatching(/^started app-/) } },
              { node: { message: 'Status changed from RUNNING to SUCCEEDED.' } },
            ],
          },
        });
      }
    });
  }
  // One statement per entity type and level: the page and the events of all its deployments;
  // every node at once; every user at once.
  const expected = { users: 1, nodes: 1, deployments: 2 };
  expect(counts[10]).toEqual(expected);
  expect(counts[100]).toEqual(expected);
});
