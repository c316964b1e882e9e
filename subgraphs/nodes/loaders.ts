/** Per-request DataLoaders: any number of lookups in one tick become one SQL statement. */
import { byIdLoader } from '../kit/loaders';
import type { ReadScope } from '../kit/reads';
import { Node } from './entities/node';

export function createLoaders(scope: ReadScope) {
  return {
    nodeById: byIdLoader(scope, Node),
  };
}

export type NodesLoaders = ReturnType<typeof createLoaders>;
