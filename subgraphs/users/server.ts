/**
 * Builds the users subgraph from its config: database (migrated), Redis, token signer and
 * verifier, Apollo Server. Does not listen; see main.ts.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { createCredentialVerifier } from '../kit/credentials';
import { createLogger } from '../kit/logger';
import { createDatabase, migrate } from '../kit/orm';
import { createRedisConnections, pingRedis } from '../kit/redis';
import { createRevocationList } from '../kit/revocations';
import { loadSubgraphSdl } from '../kit/schema-file';
import { createSubgraphServer, type SubgraphServer } from '../kit/subgraph-server';
import { createTokenSigner, createTokenVerifier } from '../kit/tokens';
import { createUsersContext, type UsersContext, type UsersDeps } from './context';
import { entities } from './entities';
import type { UsersConfig } from './env';
import { migrations } from './migrations';
import { resolvers } from './resolvers';
import { resolveApiKey } from './services/api-keys-service';

export interface UsersSubgraph extends SubgraphServer {
  /** SQL statements sent so far (tests count them). */
  statementCount(): number;
  /** Closes HTTP, Redis and the database, in that order. */
  close(): Promise<void>;
}

export async function createUsersSubgraph(config: UsersConfig): Promise<UsersSubgraph> {
  const logger = createLogger({ name: 'users', level: config.logLevel });
  const database = await createDatabase({
    url: config.databaseUrl,
    schema: 'users',
    entities,
    migrations,
    poolSize: config.databasePoolSize,
    logger,
  });
  await migrate(database);
  const redis = createRedisConnections(config.redisUrl, config.redisPrefix);
  const revocations = await createRevocationList(redis);
  const credentials = createCredentialVerifier({
    tokens: await createTokenVerifier(config.publicKeys),
    revocations,
    resolveApiKey: (secret) => resolveApiKey(database.fork(), secret),
  });
  const deps: UsersDeps = {
    config,
    signer: await createTokenSigner(config.signingKey),
    revocations,
    credentials,
    fork: database.fork,
  };
  const server = createSubgraphServer<UsersContext>({
    name: 'users',
    typeDefs: loadSubgraphSdl('users'),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
    credentials,
    createContext: (request) => createUsersContext(deps, request),
    readiness: { database: database.ping, redis: () => pingRedis(redis.commands) },
    logger,
    maxBodyBytes: config.maxBodyBytes,
    trustedProxies: config.trustedProxies,
    introspection: !config.production,
  });
  await server.start();
  return {
    ...server,
    statementCount: database.statementCount,
    async close() {
      await server.stop();
      await revocations.close();
      await redis.close();
      await database.close();
    },
  };
}
