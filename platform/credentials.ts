/**
 * Turns the credentials a request carries (`Authorization: Bearer …` or `x-api-key`) into a
 * principal, and tells what outlives the request (a subscription) when they end. Every subgraph
 * runs this itself: nothing the gateway says is trusted.
 */
import { createCredentialWatch, type Watching } from './credential-watch';
import { unauthenticated } from './errors';
import type { Principal } from './principal';
import type { RevocationList } from './revocations';
import { TokenError, type TokenVerifier } from './tokens';

export type ApiKeyResolver = (secret: string) => Promise<Principal | null>;

/** Where API keys are looked up, and where their revocations are heard, if anywhere. */
export interface ApiKeySource {
  resolve: ApiKeyResolver;
  /**
   * Calls `onRevoked` once the key is revoked (the introspection client hears revocations:
   * platform/api-keys.ts); returns how to stop watching.
   */
  watch?: (secret: string, onRevoked: () => void) => () => void;
}

export interface CredentialHeaders {
  authorization?: string | undefined;
  apiKey?: string | undefined;
}

export interface CredentialVerifier {
  /** null for an anonymous request; throws UNAUTHENTICATED for bad credentials. */
  authenticate(headers: CredentialHeaders): Promise<Principal | null>;
  /**
   * Calls `onEnded` once, with the reason, when the credentials that authenticated `principal`
   * end: the token expires, its session or API key is revoked (platform/credential-watch.ts).
   * For what outlives a request, such as a subscription; returns how to stop watching.
   */
  watch<T>(
    principal: Principal | null,
    headers: CredentialHeaders,
    target: T,
    onEnded: (target: T, message: string) => void,
  ): Watching;
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/**
 * Of header-like records (a graphql-ws `connection_init` payload, its `headers`, an upgrade
 * request's headers…), the first that carries credentials, else the first: names lower-cased, as
 * HTTP compares them (GraphiQL sends a tab's headers as they are typed).
 */
export function headersWithCredentials(sources: readonly unknown[]): Record<string, unknown> {
  const records = sources
    .filter((source): source is Record<string, unknown> => isRecord(source))
    .map((source) =>
      Object.fromEntries(
        Object.entries(source).map(([name, value]) => [name.toLowerCase(), value]),
      ),
    );
  const withCredentials = records.find(
    (headers) => text(headers.authorization) ?? text(headers['x-api-key']),
  );
  return withCredentials ?? records[0] ?? {};
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function createCredentialVerifier(deps: {
  tokens: TokenVerifier;
  revocations: Pick<RevocationList, 'isRevoked' | 'onRevoked'> | null;
  apiKeys: ApiKeySource | null;
}): CredentialVerifier {
  const watch = deps.apiKeys?.watch;
  const credentialWatch = createCredentialWatch({
    revocations: deps.revocations,
    apiKeys: watch ? { watch } : null,
  });
  return {
    // A key sent beside a bearer token authenticated nothing (the token wins): not watched.
    watch: (principal, { authorization, apiKey }, target, onEnded) =>
      credentialWatch.watch(principal, authorization ? undefined : apiKey, target, onEnded),
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
        const principal = deps.apiKeys ? await deps.apiKeys.resolve(apiKey) : null;
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
