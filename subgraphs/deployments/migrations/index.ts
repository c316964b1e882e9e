import { Migration20261122020000Initial } from './20261122020000-initial';

/** Every migration of the deployments schema, in order. New ones are appended, never edited. */
export const migrations = [
  { name: 'Migration20261122020000Initial', class: Migration20261122020000Initial },
];
