/**
 * Builds the deployments subgraph from its config: runtime (migrated database, Redis,
 * credentials), event publisher, stats cache, the client that asks the nodes subgraph about
 * nodes, Apollo Server, and the keeper of claim leases. Does not listen; see main.ts.
 */
import { createPubSub } from '../kit/pubsub';
import {
  createSubgraphRuntime,
  startSubgraphServer,
  withBackgroundTask,
  type Subgraph,
} from '../kit/runtime';
import { createVersionedCache } from '../kit/versioned-cache';
import { createDeploymentsContext, type DeploymentsContext, type DeploymentsDeps } from './context';
import { entities } from './entities';
import type { DeploymentsConfig } from './env';
import { migrations } from './migrations';
import { createDeploymentsPermissions, DEPLOYMENTS_RATE_LIMITS } from './permissions';
import type { DeploymentsTopics, ListenedTopics } from './pubsub';
import { resolvers } from './resolvers';
import { startLeaseKeeper } from './services/leases';
import { createNodesClient } from './services/nodes-client';

export interface DeploymentsSubgraph extends Subgraph {
  /** Lease sweeps this replica has run (tests check that one replica sweeps at a time). */
  leaseSweepCount(): number;
}

export async function createDeploymentsSubgraph(
  config: DeploymentsConfig,
): Promise<DeploymentsSubgraph> {
  const runtime = await createSubgraphRuntime({
    name: 'deployments',
    config,
    entities,
    migrations,
  });
  const pubsub = createPubSub<DeploymentsTopics & ListenedTopics>(
    runtime.redis,
    config.streamPollIntervalMs,
  );
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
  const server = await startSubgraphServer<DeploymentsContext>(runtime, config, {
    resolvers,
    permissions: createDeploymentsPermissions,
    rateLimits: DEPLOYMENTS_RATE_LIMITS,
    changeLog: true,
    createContext: (request) => createDeploymentsContext(deps, request),
    release: pubsub.close,
  });
  const leases = await startLeaseKeeper(deps, runtime.redis, runtime.logger);
  return withBackgroundTask(server, leases, { leaseSweepCount: leases.sweepCount });
}
