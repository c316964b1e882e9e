/**
 * Builds the messages subgraph from its config: runtime (migrated database, Redis, credentials),
 * moderation, event publisher, Apollo Server. Does not listen; see main.ts.
 */
import { createEntityLookup } from '../kit/entity-lookup';
import { createPubSub } from '../kit/pubsub';
import { createSubgraphRuntime, startSubgraphServer, type Subgraph } from '../kit/runtime';
import { createMessagesContext, type MessagesContext, type MessagesDeps } from './context';
import { entities } from './entities';
import type { MessagesConfig } from './env';
import { migrations } from './migrations';
import { createMessagesPermissions, MESSAGES_RATE_LIMITS } from './permissions';
import type { MessagesTopics } from './pubsub';
import { resolvers } from './resolvers';
import { createContentRules, createFloodGuard } from './services/moderation';

export async function createMessagesSubgraph(config: MessagesConfig): Promise<Subgraph> {
  const runtime = await createSubgraphRuntime({ name: 'messages', config, entities, migrations });
  const pubsub = createPubSub<MessagesTopics>(runtime.redis, config.streamPollIntervalMs);
  const deps: MessagesDeps = {
    pubsub,
    contentRules: createContentRules(config),
    floodGuard: createFloodGuard(runtime.redis, config),
    users: createEntityLookup({
      owner: { name: 'users', url: config.usersSubgraphUrl },
      typename: 'User',
    }),
    fork: runtime.database.fork,
  };
  return startSubgraphServer<MessagesContext>(runtime, config, {
    resolvers,
    permissions: createMessagesPermissions,
    rateLimits: MESSAGES_RATE_LIMITS,
    changeLog: true,
    createContext: (request) => createMessagesContext(deps, request),
    release: pubsub.close,
  });
}
