import type { EntityManager } from '../kit/orm';
import type { RequestInfo } from '../kit/subgraph-server';
import type { VersionedCache } from '../kit/versioned-cache';
import type { DeploymentsConfig } from './env';
import { createLoaders, type DeploymentsLoaders } from './loaders';
import type { DeploymentsPubSub } from './pubsub';
import type { NodesClient } from './services/nodes-client';
import type { DeploymentCounts } from './services/stats-service';

/** Process-wide dependencies of the deployments subgraph, built once in createDeploymentsSubgraph. */
export interface DeploymentsDeps {
  config: DeploymentsConfig;
  pubsub: DeploymentsPubSub;
  statsCache: VersionedCache<DeploymentCounts>;
  nodes: NodesClient;
  fork(): EntityManager;
}

export interface DeploymentsContext extends RequestInfo {
  em: EntityManager;
  loaders: DeploymentsLoaders;
  deps: DeploymentsDeps;
}

export function createDeploymentsContext(
  deps: DeploymentsDeps,
  request: RequestInfo,
): DeploymentsContext {
  const em = deps.fork();
  return { ...request, em, loaders: createLoaders(em), deps };
}
