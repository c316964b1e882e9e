/**
 * Starts real services on loopback for a test file: the users subgraph on a fresh database and
 * one or more gateways in front of it, sharing one Redis under a prefix of their own.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createGateway, type Gateway } from '../../gateway/server';
import type { GatewayConfig } from '../../gateway/env';
import { listen } from '../../subgraphs/kit/listen';
import { closeHttpServer } from '../../subgraphs/kit/shutdown';
import { generateSigningKey, publicJwkOf, type PrivateJwk } from '../../subgraphs/kit/tokens';
import type { UsersConfig } from '../../subgraphs/users/env';
import { createUsersSubgraph, type UsersSubgraph } from '../../subgraphs/users/server';
import { createTestDatabase, type TestDatabase } from './database';
import { LOG_LEVEL, REDIS_URL } from './env';

export const SUPERGRAPH_PATH = join(__dirname, '..', '..', 'schema', 'supergraph.graphql');

export interface Running<T> {
  service: T;
  url: string;
  stop(): Promise<void>;
}

export function testGatewayConfig(overrides: Partial<GatewayConfig>): GatewayConfig {
  return {
    production: false,
    host: '127.0.0.1',
    port: 0,
    supergraphPath: SUPERGRAPH_PATH,
    subgraphUrls: {},
    subgraphTimeoutMs: 5000,
    publicKeys: null,
    redisUrl: null,
    redisPrefix: 'opsgraph-test:',
    logLevel: LOG_LEVEL,
    maxBodyBytes: 1_000_000,
    trustedProxies: new Set(),
    graphiql: true,
    introspection: true,
    apolloTelemetry: false,
    ...overrides,
  };
}

export async function startGateway(config: GatewayConfig): Promise<Running<Gateway>> {
  const gateway = await createGateway(config);
  await gateway.start();
  const url = await listen(gateway.httpServer, config.host, config.port);
  return {
    service: gateway,
    url,
    async stop() {
      await closeHttpServer(gateway.httpServer);
      await gateway.close();
    },
  };
}

export async function startUsers(config: UsersConfig): Promise<Running<UsersSubgraph>> {
  const users = await createUsersSubgraph(config);
  const url = await listen(users.httpServer, config.host, config.port);
  return {
    service: users,
    url,
    async stop() {
      users.httpServer.closeAllConnections();
      await closeHttpServer(users.httpServer);
      await users.close();
    },
  };
}

export interface Stack {
  database: TestDatabase;
  signingKey: PrivateJwk;
  redisPrefix: string;
  users: Running<UsersSubgraph>;
  gateways: Running<Gateway>[];
  /** The first gateway's URL: where most tests send their requests. */
  gatewayUrl: string;
  usersConfig: UsersConfig;
  gatewayConfig: GatewayConfig;
  stop(): Promise<void>;
}

export async function startStack(options: { gateways?: number } = {}): Promise<Stack> {
  const database = await createTestDatabase();
  const signingKey = generateSigningKey(`test-${randomBytes(4).toString('hex')}`);
  const redisPrefix = `opsgraph-test:${randomBytes(6).toString('hex')}:`;
  const usersConfig: UsersConfig = {
    production: false,
    host: '127.0.0.1',
    port: 0,
    databaseUrl: database.url,
    databasePoolSize: 5,
    redisUrl: REDIS_URL,
    redisPrefix,
    logLevel: LOG_LEVEL,
    maxBodyBytes: 1_000_000,
    trustedProxies: new Set(),
    signingKey,
    publicKeys: [publicJwkOf(signingKey)],
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 86_400,
  };
  const users = await startUsers(usersConfig);
  const gatewayConfig = testGatewayConfig({
    subgraphUrls: { users: users.url },
    publicKeys: usersConfig.publicKeys,
    redisUrl: REDIS_URL,
    redisPrefix,
  });
  const gateways: Running<Gateway>[] = [];
  for (let i = 0; i < (options.gateways ?? 1); i++)
    gateways.push(await startGateway(gatewayConfig));
  return {
    database,
    signingKey,
    redisPrefix,
    users,
    gateways,
    gatewayUrl: gateways[0]!.url,
    usersConfig,
    gatewayConfig,
    async stop() {
      await Promise.all(gateways.map((g) => g.stop()));
      await users.stop();
      await database.drop();
    },
  };
}
