import DataLoader from 'dataloader';
import { isUuid } from './ids';
import type { EntityManager } from './orm';

/** A per-request loader of entities by id: any number of ids in one tick, one SQL statement. */
export function byIdLoader<T extends { id: string }>(
  em: EntityManager,
  entity: new (...args: never[]) => T,
) {
  return new DataLoader<string, T | null>(async (ids) => {
    const wellFormed = ids.filter(isUuid);
    const rows =
      wellFormed.length === 0 ? [] : await em.find(entity, { id: { $in: wellFormed } } as never);
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}
