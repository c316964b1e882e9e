/**
 * Builds the messages subgraph from its config: runtime (migrated database, Redis, credentials),
 * moderation, event publisher, Apollo Server. Does not listen; see main.ts.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { createEntityLookup } from '../kit/entity-lookup';
import { createPubSub } from '../kit/pubsub';
import { createSubgraphRuntime, startSubgraphServer } from '../kit/runtime';
import type { SubgraphServer } from '../kit/subgraph-server';
import { createMessagesContext, type MessagesContext, type MessagesDeps } from './context';
import { entities } from './entities';
import type { MessagesConfig } from './env';
import { migrations } from './migrations';
import { createMessagesPermissions, MESSAGES_RATE_LIMITS } from './permissions';
import type { MessagesTopics } from './pubsub';
import { resolvers } from './resolvers';
import { createContentRules, createFloodGuard } from './services/moderation';

export interface MessagesSubgraph extends SubgraphServer {
  /** SQL statements sent so far (tests count them). */
  statementCount(): number;
  /** Releases Apollo, Redis and the database (close the HTTP server first). */
  close(): Promise<void>;
}

export async function createMessagesSubgraph(config: MessagesConfig): Promise<MessagesSubgraph> {
  const runtime = await createSubgraphRuntime({ name: 'messages', config, entities, migrations });
  const pubsub = createPubSub<MessagesTopics>(
    config.redisUrl,
    config.redisPrefix,
    config.streamPollIntervalMs,
  );
  const deps: MessagesDeps = {
    pubsub,
    contentRules: createContentRules(config),
    floodGuard: createFloodGuard(runtime.redis, config),
    users: createEntityLookup({ url: config.usersSubgraphUrl, typename: 'User' }),
    fork: runtime.database.fork,
  };
  const server = await startSubgraphServer<MessagesContext>(runtime, config, {
    resolvers: resolvers as GraphQLResolverMap<unknown>,
    permissions: createMessagesPermissions,
    rateLimits: MESSAGES_RATE_LIMITS,
    createContext: (request) => createMessagesContext(deps, request),
  });
  return {
    ...server,
    async close() {
      await server.stop();
      await pubsub.close();
      await runtime.close();
    },
  };
}
