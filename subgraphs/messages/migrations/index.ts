import { Migration20261122010000Initial } from './20261122010000-initial';
import { Migration20261130190000ChangeLog } from './20261130190000-change-log';

/** Every migration of the messages schema, in order. New ones are appended, never edited. */
export const migrations = [
  { name: 'Migration20261122010000Initial', class: Migration20261122010000Initial },
  { name: 'Migration20261130190000ChangeLog', class: Migration20261130190000ChangeLog },
];
