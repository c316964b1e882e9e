import type { EntityManager } from '../kit/orm';
import type { RedisConnections } from '../../platform/redis';
import type { RequestInfo } from '../kit/request-info';
import type { TokenSigner } from '../../platform/tokens';
import type { NodesConfig } from './env';
import { createLoaders, type NodesLoaders } from './loaders';
import type { NodesPubSub } from './pubsub';
import { writableMode, type ReadMode } from '../kit/reads';

/** Process-wide dependencies of the nodes subgraph, built once in createNodesSubgraph. */
export interface NodesDeps {
  config: NodesConfig;
  signer: TokenSigner;
  redis: RedisConnections;
  pubsub: NodesPubSub;
  fork(): EntityManager;
}

export interface NodesContext extends RequestInfo {
  em: EntityManager;
  /** Read plain rows (queries) or entities (mutations, subscriptions): see kit/reads.ts. */
  mode: ReadMode;
  loaders: NodesLoaders;
  deps: NodesDeps;
}

export function createNodesContext(deps: NodesDeps, request: RequestInfo): NodesContext {
  const em = deps.fork();
  const mode = request.mode ?? writableMode();
  return { ...request, mode, em, loaders: createLoaders(em, mode), deps };
}
