/**
 * Builds the users subgraph from its config: runtime (migrated database, Redis, credentials),
 * token signer, Apollo Server. Does not listen; see main.ts.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { INTROSPECTION_PATH } from '../../platform/api-keys';
import { createSubgraphRuntime, startSubgraphServer } from '../kit/runtime';
import type { SubgraphServer } from '../kit/subgraph-server';
import { createTokenSigner } from '../../platform/tokens';
import { createUsersContext, type UsersContext, type UsersDeps } from './context';
import { entities } from './entities';
import type { UsersConfig } from './env';
import { migrations } from './migrations';
import { createUsersPermissions, USERS_RATE_LIMITS } from './permissions';
import { resolvers } from './resolvers';
import { createIntrospectionRoute, resolveApiKey } from './services/api-keys-service';

export interface UsersSubgraph extends SubgraphServer {
  /** SQL statements sent so far (tests count them). */
  statementCount(): number;
  /** Releases Apollo, Redis and the database (close the HTTP server first). */
  close(): Promise<void>;
}

export async function createUsersSubgraph(config: UsersConfig): Promise<UsersSubgraph> {
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
  const server = await startSubgraphServer<UsersContext>(runtime, config, {
    resolvers: resolvers as GraphQLResolverMap<unknown>,
    permissions: createUsersPermissions,
    rateLimits: USERS_RATE_LIMITS,
    createContext: (request) => createUsersContext(deps, request),
    routes: {
      [INTROSPECTION_PATH]: createIntrospectionRoute(runtime.database, config.maxBodyBytes),
    },
  });
  return {
    ...server,
    async close() {
      await server.stop();
      await runtime.close();
    },
  };
}
