import { Migration20261122020000Initial } from './20261122020000-initial';
import { Migration20261122080000OwnerStatistics } from './20261122080000-owner-statistics';
import { Migration20261130190000ChangeLog } from './20261130190000-change-log';
import { Migration20261201000000ClaimLeases } from './20261201000000-claim-leases';
import { Migration20261201030000ChangeLogRetention } from './20261201030000-change-log-retention';

/** Every migration of the deployments schema, in order. New ones are appended, never edited. */
export const migrations = [
  { name: 'Migration20261122020000Initial', class: Migration20261122020000Initial },
  {
    name: 'Migration20261122080000OwnerStatistics',
    class: Migration20261122080000OwnerStatistics,
  },
  { name: 'Migration20261130190000ChangeLog', class: Migration20261130190000ChangeLog },
  { name: 'Migration20261201000000ClaimLeases', class: Migration20261201000000ClaimLeases },
  {
    name: 'Migration20261201030000ChangeLogRetention',
    class: Migration20261201030000ChangeLogRetention,
  },
];
