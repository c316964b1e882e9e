/**
 * Starts real services on loopback for a test file: subgraphs on a fresh database and one or
 * more gateways in front of them, sharing one Redis under a prefix of their own.
 *
 * The subgraphs are those of dev/subgraphs.ts, as `npm start` runs them.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadGatewayConfig, type GatewayConfig } from '../../gateway/env';
import { createGateway, type Gateway } from '../../gateway/server';
import { INTROSPECTION_PATH } from '../../platform/api-keys';
import { listen } from '../../platform/listen';
import { closeHttpServer } from '../../platform/shutdown';
import { generateSigningKey } from '../../platform/tokens';
import { RATE_LIMIT_NAMES } from '../../subgraphs/kit/service-config';
import {
  LOCAL_SUBGRAPHS,
  localSharedConfig,
  type SharedConfig,
  type SubgraphHandle,
} from '../../dev/subgraphs';
import { privateRedis } from './private-services';
import { freePort } from './processes';
import { createTestDatabase, type TestDatabase } from './database';
import { LOG_LEVEL, REDIS_URL } from './env';

export const SUPERGRAPH_PATH = join(__dirname, '..', '..', 'schema', 'supergraph.graphql');

const RELAXED = { max: 100_000, windowMs: 60_000 };
export const RELAXED_RATE_LIMITS = Object.fromEntries(
  RATE_LIMIT_NAMES.map((name) => [name, RELAXED]),
);

/**
 * Subgraph settings (startStack's `config`) under which nothing changes by the clock during a
 * test, however slow the machine: no node turns OFFLINE for want of heartbeats, no claim's lease
 * runs out. For tests that compare what they read at different moments.
 */
export const NOTHING_EXPIRES = {
  nodes: { offlineAfterMs: 3_600_000 },
  deployments: { leaseMs: 3_600_000 },
};

export interface Running<T> {
  service: T;
  url: string;
  stop(): Promise<void>;
}

async function run<T extends { httpServer: Server; close(): Promise<void> }>(
  service: T,
  port = 0,
): Promise<Running<T>> {
  const url = await listen(service.httpServer, '127.0.0.1', port);
  return {
    service,
    url,
    async stop() {
      service.httpServer.closeAllConnections();
      await closeHttpServer(service.httpServer);
      await service.close();
    },
  };
}

/** The gateway's own defaults (an empty environment), on a free loopback port. */
export function testGatewayConfig(overrides: Partial<GatewayConfig>): GatewayConfig {
  const defaults = loadGatewayConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL,
    REDIS_PREFIX: 'opsgraph-test:',
  });
  return {
    ...defaults,
    supergraphPath: SUPERGRAPH_PATH,
    // Tests send far more per token than a person does; the budget's own tests set theirs.
    requestRateLimit: RELAXED,
    // A subgraph stopped and restarted by a test is tried again within seconds, not 30 s.
    subgraphResilience: {
      ...defaults.subgraphResilience,
      breaker: { ...defaults.subgraphResilience.breaker, openMs: 2_000 },
    },
    ...overrides,
  };
}

export async function startGateway(config: GatewayConfig): Promise<Running<Gateway>> {
  const gateway = await createGateway(config);
  await gateway.start();
  return run(gateway);
}

/** Keys under `prefix` that would never expire (a test run must leave none behind). */
export async function keysWithoutExpiry(prefix: string): Promise<string[]> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    const ttls = await Promise.all(keys.map((key) => redis.ttl(key)));
    return keys.filter((_, i) => ttls[i] === -1);
  } finally {
    redis.disconnect();
  }
}

/** Tests clean up after themselves: every key under the stack's own prefix goes with it. */
async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export interface Stack {
  database: TestDatabase;
  shared: SharedConfig;
  subgraphs: Record<string, Running<SubgraphHandle>>;
  gateways: Running<Gateway>[];
  /** The first gateway's URL: where most tests send their requests. */
  gatewayUrl: string;
  gatewayConfig: GatewayConfig;
  /** The prefix of every Redis key and channel of this stack. */
  redisPrefix: string;
  /** Stops one subgraph (e.g. to test readiness); `restart` brings it back on the same port. */
  stopSubgraph(name: string): Promise<void>;
  restartSubgraph(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A stack on a Redis of the test's own, which the test may stop or restrict, behind a gateway
 * without Redis (its request budget in memory): only the subgraphs meet the Redis faults.
 */
export type StackOnPrivateRedis = Awaited<ReturnType<typeof startStackOnPrivateRedis>>;

export async function startStackOnPrivateRedis(options: Parameters<typeof startStack>[0]) {
  const redis = await privateRedis();
  await redis.start();
  const stack = await startStack({ ...options, redisUrl: redis.url });
  const gateway = await startGateway({
    ...stack.gatewayConfig,
    redisUrl: null,
    apiKeyIntrospectionUrl: null,
  });
  return {
    redis,
    stack,
    gateway,
    async stop() {
      await gateway.stop();
      await stack.stop();
      await redis.stop();
    },
  };
}

export async function startStack(
  options: {
    subgraphs?: string[];
    gateways?: number;
    config?: Record<string, Record<string, unknown>>;
    /** A Redis of the test's own (e.g. one it stops or restricts); the shared one otherwise. */
    redisUrl?: string;
    /** A database of the test's own (e.g. on a private PostgreSQL); a fresh one otherwise. */
    database?: TestDatabase;
    /** The prefix of its keys and channels (e.g. one that spreads them over a cluster's nodes). */
    redisPrefix?: string;
  } = {},
): Promise<Stack> {
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const names = options.subgraphs ?? LOCAL_SUBGRAPHS.map((s) => s.name);
  const database = options.database ?? (await createTestDatabase());
  const signingKey = generateSigningKey(`test-${randomBytes(4).toString('hex')}`);
  const redisPrefix = options.redisPrefix ?? `opsgraph-test:${randomBytes(6).toString('hex')}:`;
  const shared = localSharedConfig({
    databaseUrl: database.url,
    redisUrl,
    redisPrefix,
    logLevel: LOG_LEVEL,
    signingKey,
    databasePoolSize: 5,
    // Test files sign up and sign in from one address far more often than a client would;
    // the security tests pass the real limits through `config`.
    rateLimits: RELAXED_RATE_LIMITS,
  });

  // The subgraphs the stack does not run get a port too, where nothing answers: left to the
  // supergraph's defaults (127.0.0.1:4001–4004), an `npm start` beside the tests would.
  for (const { name } of LOCAL_SUBGRAPHS) {
    if (names.includes(name)) continue;
    shared.subgraphUrls = {
      ...shared.subgraphUrls,
      [name]: `http://127.0.0.1:${await freePort()}/graphql`,
    };
  }
  const subgraphs: Record<string, Running<SubgraphHandle>> = {};
  const start = async (name: string, port?: number) => {
    const local = LOCAL_SUBGRAPHS.find((s) => s.name === name);
    if (!local) throw new Error(`unknown subgraph ${name}`);
    subgraphs[name] = await run(await local.create(shared, options.config?.[name] ?? {}), port);
    shared.subgraphUrls = { ...shared.subgraphUrls, [name]: subgraphs[name].url };
  };
  for (const { name } of LOCAL_SUBGRAPHS) {
    if (!names.includes(name)) continue;
    await start(name);
    // The others verify API keys through the users subgraph's introspection endpoint.
    if (name === 'users') {
      shared.base.apiKeyIntrospectionUrl = new URL(
        INTROSPECTION_PATH,
        subgraphs.users!.url,
      ).toString();
    }
  }
  const gatewayConfig = testGatewayConfig({
    subgraphUrls: { ...shared.subgraphUrls },
    publicKeys: shared.base.publicKeys,
    redisUrl,
    redisPrefix,
    // As `npm start` does: a bad API key is refused at the edge, like a bad token.
    apiKeyIntrospectionUrl: subgraphs.users ? shared.base.apiKeyIntrospectionUrl : null,
  });
  const gateways: Running<Gateway>[] = [];
  for (let i = 0; i < (options.gateways ?? 1); i++)
    gateways.push(await startGateway(gatewayConfig));
  return {
    database,
    shared,
    subgraphs,
    gateways,
    gatewayUrl: gateways[0]!.url,
    gatewayConfig,
    redisPrefix,
    stopSubgraph: (name) => subgraphs[name]!.stop(),
    restartSubgraph: (name) => start(name, Number(new URL(subgraphs[name]!.url).port)),
    async stop() {
      await Promise.all(gateways.map((g) => g.stop()));
      for (const subgraph of Object.values(subgraphs).reverse())
        await subgraph.stop().catch(() => undefined);
      await database.drop();
      await deleteKeys(redisPrefix);
    },
  };
}
