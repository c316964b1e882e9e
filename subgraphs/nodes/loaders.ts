/** Per-request DataLoaders: any number of lookups in one tick become one SQL statement. */
import { byIdLoader } from '../kit/loaders';
import type { EntityManager } from '../kit/orm';
import { Node } from './entities/node';

export function createLoaders(em: EntityManager) {
  return {
    nodeById: byIdLoader(em, Node),
  };
}

export type NodesLoaders = ReturnType<typeof createLoaders>;
