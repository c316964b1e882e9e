import { Migration20261122010000Initial } from './20261122010000-initial';
import { Migration20261130190000ChangeLog } from './20261130190000-change-log';
import { Migration20261201030000ChangeLogRetention } from './20261201030000-change-log-retention';

/** Every migration of the nodes schema, in order. New ones are appended, never edited. */
export const migrations = [
  { name: 'Migration20261122010000Initial', class: Migration20261122010000Initial },
  { name: 'Migration20261130190000ChangeLog', class: Migration20261130190000ChangeLog },
  {
    name: 'Migration20261201030000ChangeLogRetention',
    class: Migration20261201030000ChangeLogRetention,
  },
];
