/**
 * Credentials refused at the edge, before any subgraph is called: a bad bearer token and a bad
 * API key get the same answer, HTTP 401 with one UNAUTHENTICATED error and no `data`, so a
 * client handles "my credential is wrong" in one place whichever kind it sends. Subgraphs still
 * verify everything themselves (zero trust); this only makes refusals early and uniform.
 */
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { ApiKeyIntrospection } from '../platform/api-keys';
import type { CredentialVerifier } from '../platform/credentials';
import { unauthenticated } from '../platform/errors';
import { credentialRefusal, readForwarded } from '../platform/wire';

export interface EdgeCredentials {
  authorization?: string | undefined;
  apiKey?: string | undefined;
}

export type EdgeAuthenticator = (req: IncomingMessage) => Promise<EdgeCredentials>;

/**
 * Whether the users subgraph vouched for the key: true, or false when it could not say (the
 * request is let through and its subgraphs decide); a key it does not know is refused.
 */
export async function verifyApiKey(
  apiKey: string,
  apiKeys: ApiKeyIntrospection,
  logger: Logger,
): Promise<boolean> {
  let known: boolean;
  try {
    known = (await apiKeys.resolve(apiKey)) !== null;
  } catch (error) {
    logger.warn({ err: error }, 'API key check at the edge failed; left to the subgraphs');
    return false;
  }
  if (!known) throw unauthenticated('Invalid API key.');
  return true;
}

export function createEdgeAuthenticator(deps: {
  /** Verifies bearer tokens; null when the gateway has no public keys (tokens pass through). */
  tokens: CredentialVerifier | null;
  /** Verifies API keys; null when no introspection URL is set (keys pass through). */
  apiKeys: ApiKeyIntrospection | null;
  logger: Logger;
}): EdgeAuthenticator {
  // One async step per request: this runs before every query the hot path answers.
  return async (req) => {
    const { credentials } = readForwarded(req.headers);
    const { authorization, apiKey } = credentials;
    try {
      // The subgraphs use the bearer token when both are sent, so that is the one checked here.
      if (authorization) {
        if (deps.tokens) await deps.tokens.authenticate({ authorization });
      } else if (apiKey && deps.apiKeys) await verifyApiKey(apiKey, deps.apiKeys, deps.logger);
    } catch (error) {
      throw error instanceof GraphQLError ? credentialRefusal(error) : error;
    }
    return credentials;
  };
}
