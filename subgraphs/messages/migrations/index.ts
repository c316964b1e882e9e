import { Migration20261122010000Initial } from './20261122010000-initial';

/** Every migration of the messages schema, in order. New ones are appended, never edited. */
export const migrations = [
  { name: 'Migration20261122010000Initial', class: Migration20261122010000Initial },
];
