/**
 * MikroORM's async contexts go off when no flush or transaction is in flight
 * (subgraphs/kit/orm-async-context.ts): after a subgraph's writes, Node 20's async hooks no
 * longer cost every promise of the process, and transactions still each see their own context.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

it("turns Node's async hooks off again once MikroORM's writes have settled", () => {
  // In a process of its own, loading modules in a subgraph's order: Jest's worker shares Node's
  // built-in modules between test files.
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'fixtures', 'orm-writes.ts'), database.url],
    { cwd: join(__dirname, '..'), encoding: 'utf8' },
  );
  const seen = JSON.parse(output.trim().split('\n').at(-1)!) as {
    storages: number;
    beforeWrites: boolean;
    duringTransaction: boolean;
    afterWrites: boolean;
    transactionIds: string[];
  };
  expect(seen).toMatchObject({
    storages: 3, // the flush's, the transaction context, raw query fragments
    beforeWrites: false,
    duringTransaction: true,
    afterWrites: false,
  });
  expect(seen.transactionIds).not.toContain('changed');
  expect(new Set(seen.transactionIds).size).toBe(20);
}, 60_000);
