/** The users subgraph's configuration, read from the environment once at start. */
import { intVar, parseEnv, type Environment } from '../kit/env';
import {
  baseConfigFromEnv,
  subgraphEnvSchema,
  type SubgraphBaseConfig,
} from '../kit/service-config';
import { privateKeyVar, publicKeysVar, type PrivateJwk, type PublicJwk } from '../kit/tokens';

export interface UsersConfig extends SubgraphBaseConfig {
  /** Signs access tokens (EdDSA). */
  signingKey: PrivateJwk;
  /** Every key a token may be signed with (the signing key's public half among them). */
  publicKeys: PublicJwk[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

const schema = subgraphEnvSchema(4001).extend({
  JWT_PRIVATE_KEY: privateKeyVar,
  JWT_PUBLIC_KEYS: publicKeysVar,
  ACCESS_TOKEN_TTL_SECONDS: intVar(900, 30, 86_400),
  REFRESH_TOKEN_TTL_SECONDS: intVar(30 * 86_400, 300),
});

export function loadUsersConfig(source?: Environment): UsersConfig {
  const env = parseEnv(schema, source);
  return {
    ...baseConfigFromEnv(env),
    signingKey: env.JWT_PRIVATE_KEY,
    publicKeys: env.JWT_PUBLIC_KEYS,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
  };
}
