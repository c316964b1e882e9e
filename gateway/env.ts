/**
 * The gateway's configuration, read from the environment once at start. The gateway knows no
 * domain: subgraph URL overrides are read generically as SUBGRAPH_<NAME>_URL.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import {
  addressListVar,
  trustedProxiesVar,
  booleanVar,
  collectProblems,
  ConfigError,
  intVar,
  logLevelVar,
  nodeEnvVar,
  parseEnv,
  redisUrlVar,
  type Environment,
} from '../platform/env';
import type { SubgraphResilience } from './data-source';
import { OPERATION_LIMIT_DEFAULTS, type OperationLimits } from './operation-limits';
import { rateLimitVar, type RateLimit } from '../platform/rate-limit';
import type { SecurityOptions } from '../platform/security-headers';
import { publicKeysVar, type PublicJwk } from '../platform/tokens';
import type { TrustedProxies } from '../platform/trusted-proxies';
import type { SubscriptionLimits } from './subscriptions/server';
import { loadTrustedDocuments, type TrustedDocumentsConfig } from './trusted-documents';

export interface GatewayConfig {
  production: boolean;
  host: string;
  port: number;
  /** Processes serving the port (node:cluster); 1 runs the gateway in this process. */
  workers: number;
  supergraphPath: string;
  /** Subgraph name (lower case, as in the supergraph) → URL replacing the composed one. */
  subgraphUrls: Record<string, string>;
  subgraphTimeoutMs: number;
  /** Circuit breakers and retries of subgraph fetches (data-source.ts). */
  subgraphResilience: SubgraphResilience;
  /** When set, bearer tokens are verified here before any subgraph is called. */
  publicKeys: PublicJwk[] | null;
  /** When set, revoked sessions are refused here too (subgraphs check them regardless). */
  redisUrl: string | null;
  /**
   * Where API keys are verified (the users subgraph's introspection endpoint). With it (and
   * Redis, which carries key revocations), a bad key is refused here with HTTP 401 like a bad
   * token; without it, keys pass through and the subgraphs refuse bad ones.
   */
  apiKeyIntrospectionUrl: string | null;
  redisPrefix: string;
  logLevel: string;
  maxBodyBytes: number;
  trustedProxies: TrustedProxies;
  graphiql: boolean;
  security: SecurityOptions;
  /** A folder of `.graphql` files GraphiQL opens as example tabs. */
  graphiqlTabsDir: string | null;
  introspection: boolean;
  /** Apollo's own usage telemetry from @apollo/gateway; off unless asked for. */
  apolloTelemetry: boolean;
  /** WebSocket ping interval: well under the 60 s idle timeout of common proxies. */
  subscriptionKeepAliveMs: number;
  /** Events a subscriber may fall behind before it is disconnected. */
  subscriptionBufferLimit: number;
  /** How long a topic resumed from a cursor keeps what it delivered, for joiners. */
  subscriptionHistorySeconds: number;
  subscriptionLimits: SubscriptionLimits;
  /** The general request budget per credential, else per client address. */
  requestRateLimit: RateLimit;
  operationLimits: OperationLimits;
  /** Persisted documents clients may send by id, and whether only those run. */
  trustedDocuments: TrustedDocumentsConfig;
}

const schema = z.object({
  NODE_ENV: nodeEnvVar,
  HOST: z.string().default('0.0.0.0'),
  PORT: intVar(4000, 0, 65535),
  GATEWAY_WORKERS: intVar(1, 0, 256),
  SUPERGRAPH_PATH: z.string().default('schema/supergraph.graphql'),
  SUBGRAPH_TIMEOUT_MS: intVar(10_000, 100),
  SUBGRAPH_BREAKER_FAILURES: intVar(5, 1),
  SUBGRAPH_BREAKER_WINDOW_MS: intVar(30_000, 100),
  SUBGRAPH_BREAKER_OPEN_MS: intVar(30_000, 100),
  SUBGRAPH_RETRY_ATTEMPTS: intVar(3, 1, 10),
  SUBGRAPH_RETRY_BUDGET_MS: intVar(1_000, 0, 60_000),
  JWT_PUBLIC_KEYS: publicKeysVar.optional(),
  REDIS_URL: redisUrlVar.optional(),
  REDIS_PREFIX: z.string().default('opsgraph:'),
  API_KEY_INTROSPECTION_URL: z.string().url().optional(),
  LOG_LEVEL: logLevelVar,
  MAX_BODY_BYTES: intVar(1_000_000, 1_000),
  TRUSTED_PROXIES: trustedProxiesVar,
  GRAPHIQL: booleanVar(true),
  CORS_ORIGINS: addressListVar,
  HSTS: booleanVar(false),
  GRAPHIQL_TABS_DIR: z.string().optional(),
  INTROSPECTION: z.enum(['true', 'false', '1', '0']).optional(),
  APOLLO_TELEMETRY_ENABLED: booleanVar(false),
  SUBSCRIPTION_KEEPALIVE_MS: intVar(12_000, 1_000, 55_000),
  SUBSCRIPTION_BUFFER_LIMIT: intVar(1_000, 1),
  SUBSCRIPTION_HISTORY_SECONDS: intVar(60, 0, 3_600),
  SUBSCRIPTIONS_PER_CONNECTION: intVar(100, 1),
  CONNECTIONS_PER_CREDENTIAL: intVar(20, 1),
  SUBSCRIPTION_MAX_BUFFERED_BYTES: intVar(4_000_000, 1_000),
  REQUEST_RATE_LIMIT: rateLimitVar('600/1m'),
  MAX_DEPTH: intVar(OPERATION_LIMIT_DEFAULTS.maxDepth, 1),
  MAX_ALIASES: intVar(OPERATION_LIMIT_DEFAULTS.maxAliases, 0),
  MAX_ROOT_FIELDS: intVar(OPERATION_LIMIT_DEFAULTS.maxRootFields, 1),
  MAX_DIRECTIVES: intVar(OPERATION_LIMIT_DEFAULTS.maxDirectives, 0),
  MAX_TOKENS: intVar(OPERATION_LIMIT_DEFAULTS.maxTokens, 10),
  MAX_COST: intVar(OPERATION_LIMIT_DEFAULTS.maxCost, 1),
  FIELD_SUGGESTIONS: z.enum(['true', 'false', '1', '0']).optional(),
});

/** Parsed apart, so that the manifests are read even when other variables are bad. */
const trustedDocumentsSchema = z.object({
  TRUSTED_DOCUMENTS: z.enum(['allow', 'require']).default('allow'),
  TRUSTED_DOCUMENTS_PATH: z.string().optional(),
});

const flag = (value: string | undefined, fallback: boolean) =>
  value === undefined ? fallback : value === 'true' || value === '1';

const SUBGRAPH_URL = /^SUBGRAPH_([A-Z0-9_]+)_URL$/;

export function loadGatewayConfig(source: Environment = process.env): GatewayConfig {
  const problems: string[] = [];
  const env = collectProblems(problems, () => parseEnv(schema, source));
  const subgraphUrls: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    const match = SUBGRAPH_URL.exec(name);
    if (!match?.[1] || !value) continue;
    if (!/^https?:\/\//.test(value)) problems.push(`${name}: must be an http(s) URL`);
    subgraphUrls[match[1].toLowerCase()] = value;
  }
  // Read and parsed here, once: a bad manifest stops the gateway before it listens.
  const trustedDocuments = collectProblems(problems, () => {
    const { TRUSTED_DOCUMENTS, TRUSTED_DOCUMENTS_PATH } = parseEnv(trustedDocumentsSchema, source);
    return loadTrustedDocuments(TRUSTED_DOCUMENTS, TRUSTED_DOCUMENTS_PATH);
  });
  if (!env || !trustedDocuments || problems.length > 0) throw new ConfigError(problems);
  const production = env.NODE_ENV === 'production';
  return {
    production,
    host: env.HOST,
    port: env.PORT,
    // 0: one per core this process may use.
    workers: env.GATEWAY_WORKERS === 0 ? availableParallelism() : env.GATEWAY_WORKERS,
    supergraphPath: env.SUPERGRAPH_PATH,
    subgraphUrls,
    subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS,
    subgraphResilience: {
      breaker: {
        failures: env.SUBGRAPH_BREAKER_FAILURES,
        windowMs: env.SUBGRAPH_BREAKER_WINDOW_MS,
        openMs: env.SUBGRAPH_BREAKER_OPEN_MS,
      },
      retry: { attempts: env.SUBGRAPH_RETRY_ATTEMPTS, budgetMs: env.SUBGRAPH_RETRY_BUDGET_MS },
    },
    publicKeys: env.JWT_PUBLIC_KEYS ?? null,
    redisUrl: env.REDIS_URL ?? null,
    redisPrefix: env.REDIS_PREFIX,
    apiKeyIntrospectionUrl: env.API_KEY_INTROSPECTION_URL ?? null,
    logLevel: env.LOG_LEVEL,
    maxBodyBytes: env.MAX_BODY_BYTES,
    trustedProxies: env.TRUSTED_PROXIES,
    graphiql: env.GRAPHIQL,
    security: { corsOrigins: env.CORS_ORIGINS, hsts: env.HSTS },
    graphiqlTabsDir: env.GRAPHIQL_TABS_DIR ?? null,
    apolloTelemetry: env.APOLLO_TELEMETRY_ENABLED,
    subscriptionKeepAliveMs: env.SUBSCRIPTION_KEEPALIVE_MS,
    subscriptionBufferLimit: env.SUBSCRIPTION_BUFFER_LIMIT,
    subscriptionHistorySeconds: env.SUBSCRIPTION_HISTORY_SECONDS,
    subscriptionLimits: {
      subscriptionsPerConnection: env.SUBSCRIPTIONS_PER_CONNECTION,
      connectionsPerCredential: env.CONNECTIONS_PER_CREDENTIAL,
      maxBufferedBytes: env.SUBSCRIPTION_MAX_BUFFERED_BYTES,
    },
    requestRateLimit: env.REQUEST_RATE_LIMIT,
    operationLimits: {
      maxDepth: env.MAX_DEPTH,
      maxAliases: env.MAX_ALIASES,
      maxRootFields: env.MAX_ROOT_FIELDS,
      maxDirectives: env.MAX_DIRECTIVES,
      maxTokens: env.MAX_TOKENS,
      maxCost: env.MAX_COST,
      // Like introspection: on in development, off in production unless asked for.
      fieldSuggestions: flag(env.FIELD_SUGGESTIONS, !production),
    },
    trustedDocuments,
    introspection:
      env.INTROSPECTION === undefined
        ? !production
        : env.INTROSPECTION === 'true' || env.INTROSPECTION === '1',
  };
}

/**
 * @apollo/gateway reads this variable when constructed: unless disabled, it starts an
 * OpenTelemetry exporter that probes cloud metadata endpoints and reports to Apollo. opsgraph
 * makes no outbound call it was not asked to.
 */
export function applyApolloTelemetrySetting(enabled: boolean): void {
  if (enabled) delete process.env.APOLLO_TELEMETRY_DISABLED;
  else process.env.APOLLO_TELEMETRY_DISABLED = 'true';
}
