import type { EntityManager } from '../kit/orm';
import { createRequestContext, type RequestContext } from '../kit/request-context';
import type { RequestInfo } from '../kit/request-info';
import type { VersionedCache } from '../kit/versioned-cache';
import type { DeploymentCounts } from './entities/deployment';
import type { DeploymentsConfig } from './env';
import { createLoaders, type DeploymentsLoaders } from './loaders';
import type { DeploymentsPubSub } from './pubsub';
import type { NodesClient } from './services/nodes-client';

/** Process-wide dependencies of the deployments subgraph, built once in createDeploymentsSubgraph. */
export interface DeploymentsDeps {
  config: DeploymentsConfig;
  pubsub: DeploymentsPubSub;
  statsCache: VersionedCache<DeploymentCounts>;
  nodes: NodesClient;
  fork(): EntityManager;
}

export type DeploymentsContext = RequestContext<DeploymentsLoaders, DeploymentsDeps>;

export function createDeploymentsContext(
  deps: DeploymentsDeps,
  request: RequestInfo,
): DeploymentsContext {
  return createRequestContext(deps, request, createLoaders);
}
