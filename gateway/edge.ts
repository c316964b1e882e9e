/**
 * The gateway's edge: what every HTTP request goes through before any subgraph is called — its
 * request id, the caller's address, credential checks (a bad token or API key is refused here, once) and
 * the request budget — ending in the context forwarded to the subgraphs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createApiKeyIntrospection, type ApiKeyIntrospection } from '../platform/api-keys';
import {
  createCredentialVerifier,
  headerValue,
  type CredentialVerifier,
} from '../platform/credentials';
import { clientAddressOf } from '../platform/http';
import { createRedisConnections, type RedisConnections } from '../platform/redis';
import { createRevocationList, type RevocationList } from '../platform/revocations';
import type { Logger } from '../platform/logger';
import { createTokenVerifier } from '../platform/tokens';
import { createEdgeAuthenticator } from './edge-auth';
import type { GatewayConfig } from './env';
import type { GatewayContext } from './execution';
import { createRequestBudget } from './request-budget';

export interface Edge {
  /** The request's context, or a GraphQLError refusing it (bad token, budget spent). */
  buildContext(req: IncomingMessage): Promise<GatewayContext>;
  /** Token verification for other transports (WebSocket), when keys are configured. */
  credentials: CredentialVerifier | null;
  revocations: RevocationList | null;
  /** API key lookups, when configured (API_KEY_INTROSPECTION_URL and Redis). */
  apiKeys: ApiKeyIntrospection | null;
  close(): Promise<void>;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function createEdge(config: GatewayConfig, logger: Logger): Promise<Edge> {
  let redis: RedisConnections | null = null;
  let revocations: RevocationList | null = null;
  if (config.redisUrl) {
    redis = createRedisConnections(config.redisUrl, config.redisPrefix);
    revocations = await createRevocationList(redis);
  }
  const credentials: CredentialVerifier | null = config.publicKeys
    ? createCredentialVerifier({
        tokens: await createTokenVerifier(config.publicKeys),
        revocations,
        apiKeys: null,
      })
    : null;
  const apiKeys =
    redis && config.apiKeyIntrospectionUrl
      ? await createApiKeyIntrospection({ url: config.apiKeyIntrospectionUrl, redis })
      : null;
  const authenticateAtEdge = createEdgeAuthenticator({ tokens: credentials, apiKeys, logger });
  const budget = createRequestBudget(redis, config.requestRateLimit);

  return {
    credentials,
    revocations,
    apiKeys,
    async buildContext(req) {
      const incomingId = headerValue(req.headers['x-request-id']);
      const requestId = incomingId && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
      const clientAddress = clientAddressOf(req, config.trustedProxies);
      // Bad credentials are refused here, once, before any subgraph is called.
      const { authorization, apiKey } = await authenticateAtEdge(req);
      // Charged after the token is verified, so made-up tokens cannot each buy a fresh budget;
      // API keys are verified by the subgraphs, so they count against the client address.
      await budget.charge({ credential: credentials ? authorization : undefined, clientAddress });
      return { forwarded: { requestId, clientAddress, authorization, apiKey } };
    },
    async close() {
      await apiKeys?.close();
      await revocations?.close();
      await redis?.close();
    },
  };
}
