/**
 * kit/orm.ts `transaction`: MikroORM's transactional callback finds its fork through an
 * AsyncLocalStorage, which must hold for each transaction however they overlap; and once none is
 * open, the storage is let go, so that Node's promise hooks stop costing every later request.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransactionContext } from '@mikro-orm/core';
import { LOCAL_SUBGRAPHS } from '../dev/subgraphs';
import { createLogger } from '../platform/logger';
import { createDatabase, transaction, type Database } from '../subgraphs/kit/orm';
import { createTestDatabase, type TestDatabase } from './support/database';
import { LOG_LEVEL } from './support/env';

const storage = (TransactionContext as unknown as { storage: AsyncLocalStorage<unknown> }).storage;
/** Whether the storage is running (Node keeps its hooks on while any storage is). */
const storageEnabled = () => (storage as unknown as { enabled: boolean }).enabled;

let testDatabase: TestDatabase;
let database: Database;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  const users = LOCAL_SUBGRAPHS.find((subgraph) => subgraph.name === 'users')!;
  database = await createDatabase({
    url: testDatabase.url,
    schema: users.name,
    entities: users.entities,
    migrations: users.migrations,
    poolSize: 4,
    logger: createLogger({ name: 'transactions', level: LOG_LEVEL }),
  });
});

afterAll(async () => {
  await database?.close();
  await testDatabase?.drop();
});

test('overlapping transactions each see their own fork, and none leaves the storage running', async () => {
  const run = (pauses: number[]) => {
    const em = database.fork();
    return transaction(em, async (fork) => {
      for (const pause of pauses) {
        await sleep(pause);
        // Inside the callback, the request's EntityManager resolves to the transaction's fork.
        expect(TransactionContext.getEntityManager(fork.name)).toBe(fork);
        expect(fork.isInTransaction()).toBe(true);
        await fork.execute('select 1');
      }
      return fork;
    });
  };
  // The first ends while the second is still open: the second keeps its context.
  const [first, second] = await Promise.all([run([5]), run([5, 30, 5])]);
  expect(first).not.toBe(second);
  expect(storageEnabled()).toBe(false);

  // A failed transaction lets it go too.
  await expect(
    transaction(database.fork(), async () => {
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  expect(storageEnabled()).toBe(false);
});
