/** The users subgraph's configuration, read from the environment once at start. */
import { intVar, parseEnv, type Environment } from '../../platform/env';
import {
  baseConfigFromEnv,
  subgraphEnvSchema,
  type SubgraphAuthConfig,
  type SubgraphBaseConfig,
} from '../kit/service-config';
import { privateKeyVar, signingKeyPublished, type PrivateJwk } from '../../platform/tokens';

export interface UsersConfig extends SubgraphBaseConfig, SubgraphAuthConfig {
  /** Signs access tokens (EdDSA); its public half must be among JWT_PUBLIC_KEYS. */
  signingKey: PrivateJwk;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** How often the recent revocations are written back to Redis where it lost them. */
  revocationResyncIntervalMs: number;
}

/** Defaults shared by the environment schema and the local runner. */
export const USERS_DEFAULTS = {
  accessTokenTtlSeconds: 900,
  refreshTokenTtlSeconds: 30 * 86_400,
  revocationResyncIntervalMs: 30_000,
};

const schema = subgraphEnvSchema({
  port: 4001,
  // Its own endpoint: users verifies API keys from its tables and never calls it.
  apiKeyIntrospectionUrl: 'http://127.0.0.1:4001/auth/introspect',
})
  .extend({
    JWT_PRIVATE_KEY: privateKeyVar,
    ACCESS_TOKEN_TTL_SECONDS: intVar(USERS_DEFAULTS.accessTokenTtlSeconds, 30, 86_400),
    REFRESH_TOKEN_TTL_SECONDS: intVar(USERS_DEFAULTS.refreshTokenTtlSeconds, 300),
    REVOCATION_RESYNC_INTERVAL_MS: intVar(USERS_DEFAULTS.revocationResyncIntervalMs, 100),
  })
  .check(signingKeyPublished);

export function loadUsersConfig(source?: Environment): UsersConfig {
  const env = parseEnv(schema, source);
  return {
    ...baseConfigFromEnv(env),
    signingKey: env.JWT_PRIVATE_KEY,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    revocationResyncIntervalMs: env.REVOCATION_RESYNC_INTERVAL_MS,
  };
}
