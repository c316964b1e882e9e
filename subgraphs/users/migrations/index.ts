import { lazyMigrations } from '../../kit/orm';

/**
 * Every migration of the users schema, in order, under the name its migrations table records.
 * New ones are appended, never edited. Their files are required only when one is pending.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
export const migrations = lazyMigrations({
  Migration20261122000000Initial: () => require('./20261122000000-initial'),
  Migration20261203240000RecentRevocations: () => require('./20261203240000-recent-revocations'),
});
