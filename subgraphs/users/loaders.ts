/** Per-request DataLoaders: any number of lookups in one tick become one SQL statement. */
import DataLoader from 'dataloader';
import { isUuid } from '../kit/ids';
import type { EntityManager } from '../kit/orm';
import { Organization } from './entities/organization';
import { User } from './entities/user';

function byId<T extends { id: string }>(em: EntityManager, entity: new (...args: never[]) => T) {
  return new DataLoader<string, T | null>(async (ids) => {
    const wellFormed = ids.filter(isUuid);
    const rows =
      wellFormed.length === 0 ? [] : await em.find(entity, { id: { $in: wellFormed } } as never);
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

export function createLoaders(em: EntityManager) {
  return {
    userById: byId(em, User),
    organizationById: byId(em, Organization),
  };
}

export type UsersLoaders = ReturnType<typeof createLoaders>;
