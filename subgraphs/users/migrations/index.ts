import { Migration20261122000000Initial } from './20261122000000-initial';

/** Every migration of the users schema, in order. New ones are appended, never edited. */
export const migrations = [
  { name: 'Migration20261122000000Initial', class: Migration20261122000000Initial },
];
