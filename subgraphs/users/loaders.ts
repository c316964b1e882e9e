/** Per-request DataLoaders: any number of lookups in one tick become one SQL statement. */
import { byIdLoader } from '../kit/loaders';
import type { EntityManager } from '../kit/orm';
import type { ReadMode } from '../kit/reads';
import { Organization } from './entities/organization';
import { User } from './entities/user';

export function createLoaders(em: EntityManager, mode: ReadMode) {
  return {
    userById: byIdLoader(em, mode, User),
    organizationById: byIdLoader(em, mode, Organization),
  };
}

export type UsersLoaders = ReturnType<typeof createLoaders>;
