/**
 * A subgraph applies its pending migrations at start, and loads MikroORM's migrator only when one
 * is pending (subgraphs/kit/orm.ts): a restart on a migrated schema skips a quarter of a start's
 * module loading.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { migrations } from '../subgraphs/deployments/migrations';
import { createTestDatabase, type TestDatabase } from './support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

/** Migrates with the first `count` migrations in a process of its own, as a subgraph's start. */
function start(count: number): { migratorLoaded: boolean; applied: string[] } {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'fixtures', 'migrate.ts'), database.url, String(count)],
    { cwd: join(__dirname, '..'), encoding: 'utf8' },
  );
  return JSON.parse(output.trim().split('\n').at(-1)!);
}

it('loads the migrator only when a migration is pending, and then applies exactly those', () => {
  const all = migrations.names;
  expect(all.length).toBeGreaterThan(1);
  // A fresh database: no schema, no migrations table.
  expect(start(all.length - 1)).toEqual({ migratorLoaded: true, applied: all.slice(0, -1) });
  expect(start(all.length - 1)).toEqual({ migratorLoaded: false, applied: all.slice(0, -1) });
  // A build with one more migration: only that one runs.
  expect(start(all.length)).toEqual({ migratorLoaded: true, applied: all });
  expect(start(all.length)).toEqual({ migratorLoaded: false, applied: all });
}, 60_000);
