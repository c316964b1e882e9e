/**
 * What every subgraph process builds before its own code: logger, migrated database, Redis,
 * the shared revocation list and a credential verifier. Closing it releases them in order
 * (Redis, then the database).
 */
import type { EntitySchema } from '@mikro-orm/core';
import { createApiKeyIntrospection } from '../../platform/api-keys';
import {
  createCredentialVerifier,
  type ApiKeyResolver,
  type CredentialVerifier,
} from '../../platform/credentials';
import type { ReadinessCheck } from '../../platform/http';
import type { Metrics } from '../../platform/metrics';
import { createRateLimiter, type RateLimiter, type RateLimits } from '../../platform/rate-limit';
import {
  DEFAULT_PRUNE_INTERVAL_MS,
  DEFAULT_RETENTION_HOURS,
  startChangeLogPruner,
} from './change-log';
import { createReadRouting, type ReadRouting } from './read-routing';
import { loadSubgraphSdl } from './schema-file';
import type { RequestInfo } from './request-info';
import {
  createSubgraphServer,
  type SubgraphServer,
  type SubgraphServerOptions,
} from './subgraph-server';
import { createLogger, type Logger } from '../../platform/logger';
import { createDatabase, migrate, type Database, type Migrations } from './orm';
import { createRedisConnections, pingRedis, type RedisConnections } from '../../platform/redis';
import { createRevocationList, type RevocationList } from '../../platform/revocations';
import type { SubgraphAuthConfig, SubgraphBaseConfig } from './service-config';
import { createTokenVerifier } from '../../platform/tokens';

export interface SubgraphRuntime {
  /** The subgraph's name: its SDL file, PostgreSQL schema and metrics label. */
  name: string;
  logger: Logger;
  database: Database;
  redis: RedisConnections;
  revocations: RevocationList;
  credentials: CredentialVerifier;
  /** Which queries read from a replica; null without replicas. */
  readRouting: ReadRouting | null;
  readiness: Record<string, ReadinessCheck>;
  close(): Promise<void>;
}

export async function createSubgraphRuntime(options: {
  name: string;
  config: SubgraphBaseConfig & SubgraphAuthConfig;
  entities: EntitySchema[];
  migrations: Migrations;
  /** The users subgraph resolves API keys from its own tables instead of asking itself. */
  resolveApiKey?: (database: Database) => ApiKeyResolver;
}): Promise<SubgraphRuntime> {
  const { config } = options;
  const logger = createLogger({ name: options.name, level: config.logLevel });
  const database = await createDatabase({
    url: config.databaseUrl,
    schema: options.name,
    entities: options.entities,
    migrations: options.migrations,
    poolSize: config.databasePoolSize,
    replicaUrls: config.databaseReplicaUrls ?? [],
    logger,
  });
  let redis: RedisConnections | null = null;
  let revocations: RevocationList | null = null;
  let introspection: Awaited<ReturnType<typeof createApiKeyIntrospection>> | null = null;
  let credentials: CredentialVerifier;
  try {
    await migrate(database);
    redis = createRedisConnections(config.redisUrl, config.redisPrefix);
    revocations = await createRevocationList(redis);
    introspection = options.resolveApiKey
      ? null
      : await createApiKeyIntrospection({ url: config.apiKeyIntrospectionUrl, redis });
    credentials = createCredentialVerifier({
      tokens: await createTokenVerifier(config.publicKeys),
      revocations,
      apiKeys: options.resolveApiKey ? { resolve: options.resolveApiKey(database) } : introspection,
    });
  } catch (error) {
    // A dependency went away while starting: release what was built, so a retry starts clean.
    await introspection?.close().catch(() => undefined);
    await revocations?.close().catch(() => undefined);
    await redis?.close();
    await database.close().catch(() => undefined);
    throw error;
  }
  return {
    name: options.name,
    logger,
    database,
    redis,
    revocations,
    credentials,
    readRouting: createReadRouting({ database, redis, logger }),
    // Replicas are not required: queries read from the primary while none answers.
    readiness: { database: database.ping, redis: () => pingRedis(redis.commands) },
    async close() {
      await introspection?.close();
      await revocations.close();
      await redis.close();
      await database.close();
    },
  };
}

/** The runtime's dependencies in a subgraph's /metrics: database pool, SQL traffic, Redis. */
export function observeRuntime(metrics: Metrics, runtime: SubgraphRuntime): void {
  metrics.labelledGauge(
    'opsgraph_database_pool_connections',
    'Database pool connections by state (used, free) and requests waiting for one (pending).',
    'state',
    () => runtime.database.poolState(),
  );
  metrics.counter(
    'opsgraph_sql_statements_total',
    'SQL statements sent.',
    runtime.database.statementCount,
  );
  metrics.counter(
    'opsgraph_sql_rows_total',
    'Rows returned by SQL statements.',
    runtime.database.rowCount,
  );
  if (runtime.database.replicas.length > 0) {
    metrics.labelledGauge(
      'opsgraph_database_replica_up',
      'Whether each read replica answered its last check (1) or not (0): reads go to the primary.',
      'replica',
      () => Object.fromEntries(runtime.database.replicas.map((r) => [r.name, r.up ? 1 : 0])),
    );
  }
  metrics.gauge(
    'opsgraph_redis_connected',
    'Whether the Redis command connection is ready (1) or not (0).',
    () => (runtime.redis.commands.status === 'ready' ? 1 : 0),
  );
}

/** A started subgraph, as its main.ts and the tests hold it. */
export interface Subgraph extends SubgraphServer {
  /** SQL statements sent so far (tests count them). */
  statementCount(): number;
  /** Stops Apollo, releases what the subgraph built, then Redis and the database (close HTTP first). */
  close(): Promise<void>;
}

/**
 * Builds and starts a subgraph's server on its runtime: its committed SDL, the runtime's
 * credentials, readiness checks, logger and metrics, introspection off in production. Every
 * subgraph's server.ts sets itself up through this one function.
 */
export async function startSubgraphServer<TContext extends RequestInfo>(
  runtime: SubgraphRuntime,
  config: SubgraphBaseConfig,
  options: Pick<SubgraphServerOptions<TContext>, 'createContext' | 'routes'> & {
    /**
     * The subgraph's codegen-typed resolvers (codegen checks them against its schema); Apollo's
     * own map type is context-agnostic and names no codegen type, so they are cast here, once.
     */
    resolvers: object;
    /** The subgraph's graphql-shield rules, given its rate limiter. */
    permissions: (
      limiter: RateLimiter,
    ) => NonNullable<SubgraphServerOptions<TContext>['middleware']>[number];
    /** Its default rate limits; `config.rateLimits` overrides them by name. */
    rateLimits: RateLimits;
    /** Releases what the subgraph built on the runtime (e.g. its pub/sub), before the runtime. */
    release?: () => Promise<void>;
    /** The subgraph keeps change records (kit/change-log.ts): prune them after their retention. */
    changeLog?: boolean;
  },
): Promise<Subgraph> {
  const { permissions, rateLimits, release, resolvers, changeLog, ...rest } = options;
  const limiter = createRateLimiter(runtime.redis, { ...rateLimits, ...config.rateLimits });
  const server = createSubgraphServer<TContext>({
    ...rest,
    resolvers: resolvers as SubgraphServerOptions<TContext>['resolvers'],
    middleware: [permissions(limiter)],
    name: runtime.name,
    typeDefs: loadSubgraphSdl(runtime.name),
    credentials: runtime.credentials,
    readiness: runtime.readiness,
    readRouting: runtime.readRouting,
    logger: runtime.logger,
    maxBodyBytes: config.maxBodyBytes,
    maxConcurrentRequests: config.maxConcurrentRequests,
    trustedProxies: config.trustedProxies,
    introspection: !config.production,
  });
  observeRuntime(server.metrics, runtime);
  await server.start();
  const pruner = changeLog
    ? startChangeLogPruner({
        database: runtime.database,
        redis: runtime.redis,
        logger: runtime.logger,
        schema: runtime.name,
        retentionHours: config.changeLogRetentionHours ?? DEFAULT_RETENTION_HOURS,
        intervalMs: config.changeLogPruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS,
      })
    : null;
  return {
    ...server,
    statementCount: runtime.database.statementCount,
    async close() {
      await pruner?.stop();
      await server.stop();
      await release?.();
      await runtime.close();
    },
  };
}

/**
 * A started subgraph that also runs a background task of its own (a sweeper, a lease keeper),
 * with what the task reports: closing stops the task first, so it never works on a closed
 * database or Redis.
 */
export function withBackgroundTask<TSubgraph extends Subgraph, TReport extends object>(
  subgraph: TSubgraph,
  task: { stop(): Promise<void> },
  report: TReport,
): TSubgraph & TReport {
  return {
    ...subgraph,
    ...report,
    async close() {
      await task.stop();
      await subgraph.close();
    },
  };
}
