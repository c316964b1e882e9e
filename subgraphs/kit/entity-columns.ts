/**
 * Column definitions the subgraphs' entity schemas share. Entities hold the ids of the rows they
 * point at, not the rows (a loader fetches those), so each such column is a many-to-one mapped
 * to its primary key.
 */
import type { EntityClass } from '@mikro-orm/core';

/** A column holding the id of a row of `entity`, named `fieldName` in the table. */
export function idOf<Target extends object>(
  entity: () => EntityClass<Target>,
  fieldName: string,
  options: { nullable?: boolean; primary?: boolean } = {},
) {
  return { kind: 'm:1', entity, mapToPk: true, fieldName, ...options } as const;
}
