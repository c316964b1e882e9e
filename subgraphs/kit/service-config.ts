import { z } from 'zod';
import { intVar, subgraphEnvShape } from '../../platform/env';
import { rateLimitsVar, type RateLimits } from '../../platform/rate-limit';
import type { SubgraphAuthConfig } from './runtime';
import { publicKeysVar } from '../../platform/tokens';

/** Settings every subgraph needs, from its environment or built directly by tests and `npm start`. */
export interface SubgraphBaseConfig {
  production: boolean;
  host: string;
  port: number;
  databaseUrl: string;
  databasePoolSize: number;
  redisUrl: string;
  redisPrefix: string;
  logLevel: string;
  maxBodyBytes: number;
  trustedProxies: ReadonlySet<string>;
  /** Overrides of the subgraph's named rate limits (its permissions.ts holds the defaults). */
  rateLimits?: RateLimits;
  /** Idle time after which a resumable subscription checks the store (kit/resumable.ts). */
  streamPollIntervalMs?: number;
}

export function subgraphEnvSchema(defaultPort: number) {
  return z.object({
    ...subgraphEnvShape,
    PORT: intVar(defaultPort, 0, 65535),
    JWT_PUBLIC_KEYS: publicKeysVar,
    RATE_LIMITS: rateLimitsVar,
    API_KEY_INTROSPECTION_URL: z.string().url().default('http://127.0.0.1:4001/auth/introspect'),
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
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    logLevel: env.LOG_LEVEL,
    maxBodyBytes: env.MAX_BODY_BYTES,
    trustedProxies: env.TRUSTED_PROXIES,
    rateLimits: env.RATE_LIMITS,
    streamPollIntervalMs: env.STREAM_POLL_INTERVAL_MS,
  };
}
