import { lazyMigrations } from '../../kit/orm';

/**
 * Every migration of the nodes schema, in order, under the name its migrations table records.
 * New ones are appended, never edited. Their files are required only when one is pending.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
export const migrations = lazyMigrations({
  Migration20261122010000Initial: () => require('./20261122010000-initial'),
  Migration20261130190000ChangeLog: () => require('./20261130190000-change-log'),
  Migration20261201030000ChangeLogRetention: () => require('./20261201030000-change-log-retention'),
  Migration20261203230000RetirementOutbox: () => require('./20261203230000-retirement-outbox'),
  Migration20261204000000NodeSignInOrder: () => require('./20261204000000-node-sign-in-order'),
});
