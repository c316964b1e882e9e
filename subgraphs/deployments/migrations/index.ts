import { lazyMigrations } from '../../kit/orm';

/**
 * Every migration of the deployments schema, in order, under the name its migrations table records.
 * New ones are appended, never edited. Their files are required only when one is pending.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
export const migrations = lazyMigrations({
  Migration20261122020000Initial: () => require('./20261122020000-initial'),
  Migration20261122080000OwnerStatistics: () => require('./20261122080000-owner-statistics'),
  Migration20261130190000ChangeLog: () => require('./20261130190000-change-log'),
  Migration20261201000000ClaimLeases: () => require('./20261201000000-claim-leases'),
  Migration20261201030000ChangeLogRetention: () => require('./20261201030000-change-log-retention'),
  Migration20261203200000RetiredNodes: () => require('./20261203200000-retired-nodes'),
});
