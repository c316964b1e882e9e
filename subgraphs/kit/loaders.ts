import DataLoader from 'dataloader';
import { isUuid } from './ids';
import type { EntityManager } from './orm';
import { findRowsById, type ReadMode } from './reads';

/**
 * A per-request loader of rows by id: any number of ids in one tick, one SQL statement. Plain
 * rows on read-only requests, entities otherwise (reads.ts).
 */
export function byIdLoader<T extends { id: string }>(
  em: EntityManager,
  mode: ReadMode,
  entity: new (...args: never[]) => T,
) {
  return new DataLoader<string, T | null>(async (ids) => {
    const wellFormed = ids.filter(isUuid);
    const rows = wellFormed.length === 0 ? [] : await findRowsById(em, mode, entity, wellFormed);
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}
