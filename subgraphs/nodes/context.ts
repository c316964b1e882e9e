import type { EntityManager } from '../kit/orm';
import type { RedisConnections } from '../../platform/redis';
import { createRequestContext, type RequestContext } from '../kit/request-context';
import type { RequestInfo } from '../kit/request-info';
import type { TokenSigner } from '../../platform/tokens';
import type { NodesConfig } from './env';
import { createLoaders, type NodesLoaders } from './loaders';
import type { NodesPubSub } from './pubsub';

/** Process-wide dependencies of the nodes subgraph, built once in createNodesSubgraph. */
export interface NodesDeps {
  config: NodesConfig;
  signer: TokenSigner;
  redis: RedisConnections;
  pubsub: NodesPubSub;
  fork(): EntityManager;
}

export type NodesContext = RequestContext<NodesLoaders, NodesDeps>;

export function createNodesContext(deps: NodesDeps, request: RequestInfo): NodesContext {
  return createRequestContext(deps, request, createLoaders);
}
