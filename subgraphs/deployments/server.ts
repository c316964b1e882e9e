/**
 * Builds the deployments subgraph from its config: runtime (migrated database, Redis,
 * credentials), event publisher, stats cache, the client that asks the nodes subgraph about
 * nodes, and Apollo Server. Does not listen; see main.ts.
 */
import { createPubSub } from '../kit/pubsub';
import { createSubgraphRuntime, startSubgraphServer, type Subgraph } from '../kit/runtime';
import { createVersionedCache } from '../kit/versioned-cache';
import { createDeploymentsContext, type DeploymentsContext, type DeploymentsDeps } from './context';
import { entities } from './entities';
import type { DeploymentsConfig } from './env';
import { migrations } from './migrations';
import { createDeploymentsPermissions, DEPLOYMENTS_RATE_LIMITS } from './permissions';
import type { DeploymentsTopics } from './pubsub';
import { resolvers } from './resolvers';
import { createNodesClient } from './services/nodes-client';

export async function createDeploymentsSubgraph(config: DeploymentsConfig): Promise<Subgraph> {
  const runtime = await createSubgraphRuntime({
    name: 'deployments',
    config,
    entities,
    migrations,
  });
  const pubsub = createPubSub<DeploymentsTopics>(runtime.redis, config.streamPollIntervalMs);
  const deps: DeploymentsDeps = {
    config,
    pubsub,
    statsCache: createVersionedCache(
      runtime.redis,
      'deployment-stats',
      config.statsCacheTtlSeconds,
    ),
    nodes: createNodesClient(config.nodesUrl),
    fork: runtime.database.fork,
  };
  return startSubgraphServer<DeploymentsContext>(runtime, config, {
    resolvers,
    permissions: createDeploymentsPermissions,
    rateLimits: DEPLOYMENTS_RATE_LIMITS,
    createContext: (request) => createDeploymentsContext(deps, request),
    release: pubsub.close,
  });
}
