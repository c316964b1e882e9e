/**
 * Builds the nodes subgraph from its config: runtime (migrated database, Redis, credentials),
 * node-token signer, event publisher, the sweeper (silent nodes OFFLINE, unconfirmed retirements
 * announced again) with its listener for confirmations, and Apollo Server. Does not listen on a
 * port; see main.ts.
 */
import { createPubSub } from '../kit/pubsub';
import {
  createSubgraphRuntime,
  startSubgraphServer,
  withBackgroundTask,
  type Subgraph,
} from '../kit/runtime';
import { createTokenSigner } from '../../platform/tokens';
import { createNodesContext, type NodesContext, type NodesDeps } from './context';
import { entities } from './entities';
import type { NodesConfig } from './env';
import { migrations } from './migrations';
import { createNodesPermissions, NODES_RATE_LIMITS } from './permissions';
import type { ListenedTopics, NodesTopics } from './pubsub';
import { listenForRetirementConfirmations } from './services/retirements';
import { resolvers } from './resolvers';
import { startSweeper } from './services/sweeper';

export interface NodesSubgraph extends Subgraph {
  /** Sweeps this replica has run (tests check that one replica sweeps at a time). */
  sweepCount(): number;
  /** Stops the sweeper, then closes the subgraph (close HTTP first). */
  close(): Promise<void>;
}

export async function createNodesSubgraph(config: NodesConfig): Promise<NodesSubgraph> {
  const runtime = await createSubgraphRuntime({ name: 'nodes', config, entities, migrations });
  const pubsub = createPubSub<NodesTopics & ListenedTopics>(
    runtime.redis,
    config.streamPollIntervalMs,
  );
  const deps: NodesDeps = {
    config,
    signer: await createTokenSigner(config.signingKey),
    redis: runtime.redis,
    pubsub,
    fork: runtime.database.fork,
  };
  const server = await startSubgraphServer<NodesContext>(runtime, config, {
    resolvers,
    permissions: createNodesPermissions,
    rateLimits: NODES_RATE_LIMITS,
    changeLog: true,
    createContext: (request) => createNodesContext(deps, request),
    release: pubsub.close,
  });
  // Stopped with the pub/sub, when the server releases it.
  await listenForRetirementConfirmations(runtime.database, pubsub, runtime.logger);
  const sweeper = startSweeper({
    database: runtime.database,
    redis: runtime.redis,
    pubsub,
    logger: runtime.logger,
    offlineAfterMs: config.offlineAfterMs,
    intervalMs: config.sweepIntervalMs,
  });
  return withBackgroundTask(server, sweeper, { sweepCount: sweeper.sweepCount });
}
