import type { EntityManager } from '../kit/orm';
import type { RequestInfo } from '../kit/request-info';
import type { VersionedCache } from '../kit/versioned-cache';
import type { DeploymentCounts } from './entities/deployment';
import type { DeploymentsConfig } from './env';
import { createLoaders, type DeploymentsLoaders } from './loaders';
import type { DeploymentsPubSub } from './pubsub';
import type { NodesClient } from './services/nodes-client';
import { writableMode, type ReadMode } from '../kit/reads';

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
  /** Read plain rows (queries) or entities (mutations, subscriptions): see kit/reads.ts. */
  mode: ReadMode;
  loaders: DeploymentsLoaders;
  deps: DeploymentsDeps;
}

export function createDeploymentsContext(
  deps: DeploymentsDeps,
  request: RequestInfo,
): DeploymentsContext {
  const em = deps.fork();
  const mode = request.mode ?? writableMode();
  return { ...request, mode, em, loaders: createLoaders(em, mode), deps };
}
