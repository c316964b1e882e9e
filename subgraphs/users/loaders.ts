/** Per-request DataLoaders: any number of lookups in one tick become one SQL statement. */
import { byIdLoader } from '../kit/loaders';
import type { ReadScope } from '../kit/reads';
import { Organization } from './entities/organization';
import { User } from './entities/user';

export function createLoaders(scope: ReadScope) {
  return {
    userById: byIdLoader(scope, User),
    organizationById: byIdLoader(scope, Organization),
  };
}

export type UsersLoaders = ReturnType<typeof createLoaders>;
