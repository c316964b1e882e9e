/**
 * The large dataset of the `system` benchmark, written straight into each subgraph's tables
 * (after their migrations ran) with bulk SQL: going through the API would take hours. Every row
 * keeps the invariants the services maintain, so the GraphQL layer reads it like data it wrote:
 * gapless per-channel message sequences under `channels.last_sequence`, deployment events
 * numbered 1…n under `deployments.last_event_sequence` and telling the same story as the status,
 * at most one RUNNING deployment per (node, application), rollbacks that name a SUCCEEDED
 * deployment of the same application, node and environment (now ROLLED_BACK), channel authors
 * who are members, and no row that crosses organizations.
 *
 * One module per subgraph under bench/seed/ writes its tables; this one runs them in order.
 *
 * On its own: `DATABASE_URL=… npx tsx bench/seed-large.ts` seeds a database `npm run migrate`
 * prepared (BENCH_SCALE=0.1 for a tenth of it).
 */
import type { Client } from 'pg';
import {
  createRandom,
  FULL_DATASET,
  scaleDataset,
  withClient,
  type DatasetSize,
  type SeededDataset,
} from './seed/dataset';
import { seedDeployments } from './seed/deployments';
import { seedMessages } from './seed/messages';
import { seedNodes } from './seed/nodes';
import { seedUsers } from './seed/users';

export {
  FULL_DATASET,
  scaleDataset,
  SEEDED_PASSWORD,
  type DatasetSize,
  type SeededDataset,
} from './seed/dataset';

/** What autovacuum would long have done on a database that grew to this size. */
async function analyze(client: Client): Promise<void> {
  for (const table of [
    'users.users',
    'users.sessions',
    'nodes.nodes',
    'deployments.deployments',
    'deployments.deployment_events',
    'messages.channels',
    'messages.channel_members',
    'messages.messages',
  ])
    await client.query(`vacuum (analyze) ${table}`);
}

/** Seeds `databaseUrl`, whose schemas every subgraph has migrated, and prints how long it took. */
export async function seedLargeDataset(
  databaseUrl: string,
  size: DatasetSize = FULL_DATASET,
): Promise<SeededDataset> {
  const started = Date.now();
  const random = createRandom(42);
  const organizations = await withClient(databaseUrl, (client) => seedUsers(client, size, random));
  // Chat and the fleet are independent: two connections load them side by side.
  const [busiestChannel, deploymentEvents] = await Promise.all([
    withClient(databaseUrl, (client) => seedMessages(client, organizations, size, random)),
    withClient(databaseUrl, async (client) => {
      const nodes = await seedNodes(client, organizations, size, random);
      return seedDeployments(client, nodes, size);
    }),
  ]);
  await withClient(databaseUrl, analyze);
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `Seeded ${size.users} users, ${size.nodes} nodes, ${size.deployments} deployments with ${deploymentEvents} events, ${size.messages} messages in ${size.channels} channels in ${seconds.toFixed(1)} s.`,
  );
  return {
    size,
    organizations: organizations.map(({ id, name }) => ({ id, name })),
    users: organizations.flatMap((o) => o.users),
    busiestChannel: {
      id: busiestChannel.id,
      name: busiestChannel.name,
      messages: busiestChannel.messages,
    },
    deploymentEvents,
    seconds,
  };
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('Set DATABASE_URL to a database `npm run migrate` prepared.');
    process.exit(2);
  }
  seedLargeDataset(url, scaleDataset(Number(process.env.BENCH_SCALE ?? 1))).catch(
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
