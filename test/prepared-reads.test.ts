/**
 * Read statements are prepared once per connection (subgraphs/kit/reads.ts). A prepared
 * statement that selects `*` cannot survive a column added to its table — PostgreSQL refuses
 * it with "cached plan must not change result type" — and a rolling deploy's migration adds
 * columns while the previous version still serves. Such a statement is prepared again, and its
 * read answers as before.
 */
import { randomUUID } from 'node:crypto';
import { LOCAL_SUBGRAPHS } from '../dev/subgraphs';
import { createLogger } from '../platform/logger';
import { createDatabase, migrate, type Database } from '../subgraphs/kit/orm';
import { Deployment } from '../subgraphs/deployments/entities/deployment';
import { createLoaders } from '../subgraphs/deployments/loaders';
import { createTestDatabase, type TestDatabase } from './support/database';
import { LOG_LEVEL } from './support/env';

let testDatabase: TestDatabase;
let database: Database;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  const { entities, migrations } = LOCAL_SUBGRAPHS.find(({ name }) => name === 'deployments')!;
  database = await createDatabase({
    url: testDatabase.url,
    schema: 'deployments',
    entities,
    migrations,
    // One connection: every read runs where the statement was prepared.
    poolSize: 1,
    logger: createLogger({ name: 'prepared-reads', level: LOG_LEVEL }),
  });
  await migrate(database);
}, 60_000);

afterAll(async () => {
  await database?.close();
  await testDatabase?.drop();
});

it('prepares a statement again when a column is added to its table, and reads as before', async () => {
  const organizationId = randomUUID();
  const nodeId = randomUUID();
  const em = database.fork();
  for (let i = 0; i < 3; i++) {
    em.persist(
      new Deployment(organizationId, nodeId, `app-${i}`, 'v1', 'production', randomUUID(), null),
    );
  }
  await em.flush();

  const page = () => {
    const reader = database.fork();
    const loaders = createLoaders({ mode: { readOnly: true }, em: reader, reader });
    const key = {
      owner: 'node' as const,
      ownerId: nodeId,
      organizationId,
      status: null,
      limit: 10,
    };
    return loaders.deploymentPages.load({ ...key, after: null });
  };
  const before = await page();
  expect(before).toHaveLength(3);
  expect(await page()).toEqual(before);

  const sql = database.orm.em.getConnection();
  await sql.execute('alter table "deployments"."deployments" add column "added_later" int');
  try {
    expect(await page()).toEqual(before);
    expect(await page()).toEqual(before);
  } finally {
    await sql.execute('alter table "deployments"."deployments" drop column "added_later"');
  }
  expect(await page()).toEqual(before);
});
