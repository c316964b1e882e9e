import { z } from 'zod';
import { intVar, subgraphEnvShape } from '../../platform/env';
import { rateLimitsVar, type RateLimits } from '../../platform/rate-limit';
import { publicKeysVar, type PublicJwk } from '../../platform/tokens';
import type { TrustedProxies } from '../../platform/trusted-proxies';

/** Settings every subgraph needs, from its environment or built directly by tests and `npm start`. */
export interface SubgraphBaseConfig {
  production: boolean;
  host: string;
  port: number;
  databaseUrl: string;
  databasePoolSize: number;
  /** Read replicas of `databaseUrl` (kit/read-routing.ts); none by default. */
  databaseReplicaUrls?: string[];
  redisUrl: string;
  redisPrefix: string;
  logLevel: string;
  maxBodyBytes: number;
  /** GraphQL requests over HTTP worked on at once (platform/admission.ts). */
  maxConcurrentRequests?: number;
  trustedProxies: TrustedProxies;
  /** Overrides of the subgraph's named rate limits (its permissions.ts holds the defaults). */
  rateLimits?: RateLimits;
  /** Idle time after which a resumable subscription checks the store (kit/resumable.ts). */
  streamPollIntervalMs?: number;
  /** How long change records are kept before they are pruned (kit/change-log.ts). */
  changeLogRetentionHours?: number;
  /** How often they are pruned; not in the environment (tests shorten it). */
  changeLogPruneIntervalMs?: number;
}

export interface SubgraphAuthConfig {
  /** Every key a token may be signed with. */
  publicKeys: PublicJwk[];
  /** Where API keys are verified (the users subgraph's endpoint; the process wiring says where). */
  apiKeyIntrospectionUrl: string;
}

/**
 * Where a subgraph listens and verifies API keys unless its environment says otherwise: the
 * defaults belong to the subgraph's own env.ts, which knows where `npm start` runs everything.
 */
export interface SubgraphDefaults {
  port: number;
  apiKeyIntrospectionUrl: string;
}

/**
 * The name of every rate limit any subgraph defines (its permissions.ts holds the defaults; its
 * rules accept only these names). One list, because one RATE_LIMITS value serves every subgraph
 * and none can see another's limits: a name is refused only when no subgraph defines it.
 */
export const RATE_LIMIT_NAMES = [
  'login',
  'loginPerAddress',
  'signUp',
  'createUser',
  'authenticateNode',
  'postMessage',
  'createDeployment',
] as const;
export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];

export function subgraphEnvSchema(defaults: SubgraphDefaults) {
  return z.object({
    ...subgraphEnvShape,
    PORT: intVar(defaults.port, 0, 65535),
    JWT_PUBLIC_KEYS: publicKeysVar,
    RATE_LIMITS: rateLimitsVar(RATE_LIMIT_NAMES),
    API_KEY_INTROSPECTION_URL: z.string().url().default(defaults.apiKeyIntrospectionUrl),
  });
}

export function baseConfigFromEnv(
  env: z.output<ReturnType<typeof subgraphEnvSchema>>,
): SubgraphBaseConfig & SubgraphAuthConfig {
  return {
    publicKeys: env.JWT_PUBLIC_KEYS,
    apiKeyIntrospectionUrl: env.API_KEY_INTROSPECTION_URL,
    production: env.NODE_ENV === 'production',
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    databaseReplicaUrls: env.DATABASE_REPLICA_URLS,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    logLevel: env.LOG_LEVEL,
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxConcurrentRequests: env.MAX_CONCURRENT_REQUESTS,
    trustedProxies: env.TRUSTED_PROXIES,
    rateLimits: env.RATE_LIMITS,
    streamPollIntervalMs: env.STREAM_POLL_INTERVAL_MS,
    changeLogRetentionHours: env.CHANGE_RETENTION_HOURS,
  };
}
