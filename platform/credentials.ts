/**
 * Turns the credentials a request carries (`Authorization: Bearer …` or `x-api-key`) into a
 * principal. Every subgraph runs this itself: nothing the gateway says is trusted.
 */
import { unauthenticated } from './errors';
import type { Principal } from './principal';
import type { RevocationList } from './revocations';
import { TokenError, type TokenVerifier } from './tokens';

export type ApiKeyResolver = (secret: string) => Promise<Principal | null>;

export interface CredentialHeaders {
  authorization?: string | undefined;
  apiKey?: string | undefined;
}

export interface CredentialVerifier {
  /** null for an anonymous request; throws UNAUTHENTICATED for bad credentials. */
  authenticate(headers: CredentialHeaders): Promise<Principal | null>;
}

export function createCredentialVerifier(deps: {
  tokens: TokenVerifier;
  revocations: Pick<RevocationList, 'isRevoked'> | null;
  resolveApiKey: ApiKeyResolver | null;
}): CredentialVerifier {
  return {
    async authenticate({ authorization, apiKey }) {
      if (authorization) {
        const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
        if (!match?.[1])
          throw unauthenticated('The Authorization header must be "Bearer <token>".');
        try {
          const { principal } = await deps.tokens.verify(match[1]);
          if (
            principal.kind === 'user' &&
            principal.sessionId &&
            deps.revocations?.isRevoked(principal.sessionId)
          ) {
            throw unauthenticated('This session has ended; sign in again.');
          }
          return principal;
        } catch (error) {
          if (error instanceof TokenError) {
            throw unauthenticated(
              error.expired ? 'Access token expired; refresh it.' : 'Invalid access token.',
            );
          }
          throw error;
        }
      }
      if (apiKey) {
        const principal = deps.resolveApiKey ? await deps.resolveApiKey(apiKey) : null;
        if (!principal) throw unauthenticated('Invalid API key.');
        return principal;
      }
      return null;
    },
  };
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
