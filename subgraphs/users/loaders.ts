/** Per-request DataLoaders: any number of lookups in one tick become one SQL statement. */
import { byIdLoader } from '../kit/loaders';
import type { EntityManager } from '../kit/orm';
import { Organization } from './entities/organization';
import { User } from './entities/user';

export function createLoaders(em: EntityManager) {
  return {
    userById: byIdLoader(em, User),
    organizationById: byIdLoader(em, Organization),
  };
}

export type UsersLoaders = ReturnType<typeof createLoaders>;
