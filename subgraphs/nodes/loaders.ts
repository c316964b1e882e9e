/** Per-request DataLoaders: any number of lookups in one tick become one SQL statement. */
import { byIdLoader } from '../kit/loaders';
import type { EntityManager } from '../kit/orm';
import type { ReadMode } from '../kit/reads';
import { Node } from './entities/node';

export function createLoaders(em: EntityManager, mode: ReadMode) {
  return {
    nodeById: byIdLoader(em, mode, Node),
  };
}

export type NodesLoaders = ReturnType<typeof createLoaders>;
