/**
 * Builds the users subgraph from its config: runtime (migrated database, Redis, credentials),
 * token signer, the keeper of the revocation list, Apollo Server. Does not listen on a port; see
 * main.ts.
 */
import { INTROSPECTION_PATH } from '../../platform/api-keys';
import { createSubgraphRuntime, startSubgraphServer, type Subgraph } from '../kit/runtime';
import { createTokenSigner } from '../../platform/tokens';
import { createUsersContext, type UsersContext, type UsersDeps } from './context';
import { entities } from './entities';
import type { UsersConfig } from './env';
import { migrations } from './migrations';
import { createUsersPermissions, USERS_RATE_LIMITS } from './permissions';
import { resolvers } from './resolvers';
import { createIntrospectionRoute, resolveApiKey } from './services/api-keys-service';
import { keepRevocations } from './services/revocation-keeper';

export async function createUsersSubgraph(config: UsersConfig): Promise<Subgraph> {
  const runtime = await createSubgraphRuntime({
    name: 'users',
    config,
    entities,
    migrations,
    resolveApiKey: (database) => (secret) => resolveApiKey(database.fork(), secret),
  });
  const deps: UsersDeps = {
    config,
    signer: await createTokenSigner(config.signingKey),
    revocations: runtime.revocations,
    redis: runtime.redis,
    fork: runtime.database.fork,
  };
  const keeper = await keepRevocations({
    database: runtime.database,
    redis: runtime.redis,
    revocations: runtime.revocations,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    intervalMs: config.revocationResyncIntervalMs,
    logger: runtime.logger,
  });
  return startSubgraphServer<UsersContext>(runtime, config, {
    resolvers,
    permissions: createUsersPermissions,
    rateLimits: USERS_RATE_LIMITS,
    createContext: (request) => createUsersContext(deps, request),
    routes: {
      [INTROSPECTION_PATH]: createIntrospectionRoute(runtime.database, config.maxBodyBytes),
    },
    release: async () => keeper.stop(),
  });
}
