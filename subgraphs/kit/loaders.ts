import DataLoader from 'dataloader';
import { isUuid } from './ids';
import { findRowsById, type ReadScope } from './reads';

/**
 * A per-request loader of rows by id: any number of ids in one tick, one SQL statement. Plain
 * rows on read-only requests, entities otherwise (reads.ts).
 */
export function byIdLoader<T extends { id: string }>(
  scope: ReadScope,
  entity: new (...args: never[]) => T,
) {
  return new DataLoader<string, T | null>(async (ids) => {
    const wellFormed = ids.filter(isUuid);
    const rows = wellFormed.length === 0 ? [] : await findRowsById(scope, entity, wellFormed);
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}
