/** Per-request DataLoaders: any number of lookups in one tick become one SQL statement. */
import DataLoader from 'dataloader';
import { isUuid } from '../kit/ids';
import type { EntityManager } from '../kit/orm';
import { Node } from './entities/node';

export function createLoaders(em: EntityManager) {
  return {
    nodeById: new DataLoader<string, Node | null>(async (ids) => {
      const wellFormed = ids.filter(isUuid);
      const rows = wellFormed.length === 0 ? [] : await em.find(Node, { id: { $in: wellFormed } });
      const found = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}

export type NodesLoaders = ReturnType<typeof createLoaders>;
