/**
 * API key verification for subgraphs that do not own API keys. They ask the users subgraph's
 * introspection endpoint (RFC 7662 in spirit: the caller proves nothing but possession of the
 * secret, which is already the credential) and cache answers briefly. Revocations are published
 * on Redis and evict the cached entry at once, so a revoked key stops working everywhere.
 */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import type { ApiKeyResolver } from './credentials';
import { isRole, type Principal } from './principal';
import type { RedisConnections } from './redis';

export const API_KEY_REVOCATIONS_CHANNEL = 'api-key-revocations';
export const INTROSPECTION_PATH = '/auth/introspect';

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Announces a revoked key (by its secret's hash) to every service's cache. */
export async function publishApiKeyRevocation(
  redis: RedisConnections,
  secretHash: string,
): Promise<void> {
  await redis.channels.publish(`${redis.prefix}${API_KEY_REVOCATIONS_CHANNEL}`, secretHash);
}

export interface ApiKeyIntrospection {
  resolve: ApiKeyResolver;
  /**
   * Calls `onRevoked` once the key is revoked: when its revocation is heard, or when a lookup
   * finds it stands for nobody — after a Redis reconnect (which may have missed the revocation),
   * and once per cache lifetime (in case its announcement was never published). For what
   * outlives a request, such as a subscription; the returned function stops watching.
   */
  watch(secret: string, onRevoked: () => void): () => void;
  close(): Promise<void>;
}

export async function createApiKeyIntrospection(options: {
  url: string;
  redis: RedisConnections;
  cacheTtlMs?: number;
  maxEntries?: number;
}): Promise<ApiKeyIntrospection> {
  const ttl = options.cacheTtlMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { principal: Principal | null; expires: number }>();
  // Counts the revocations heard (and reconnects, which may have missed some). An answer to a
  // lookup that was under way when one was heard may predate it: it serves the request that
  // asked, but is not cached, or the revoked key would keep working for the cache's lifetime.
  let revocationsHeard = 0;
  /** The watched keys by secret hash, with the secret to look them up again. */
  const watched = new Map<string, { secret: string; listeners: Set<() => void> }>();
  /** Forgets a revoked key's answer, and tells its watchers, once: it is no longer watched. */
  const revoked = (secretHash: string) => {
    cache.delete(secretHash);
    const entry = watched.get(secretHash);
    watched.delete(secretHash);
    for (const listener of entry?.listeners ?? []) listener();
  };
  const channels = options.redis.channels;
  const stopListening = await channels.subscribe(
    `${options.redis.prefix}${API_KEY_REVOCATIONS_CHANNEL}`,
    (secretHash) => {
      revocationsHeard += 1;
      revoked(secretHash);
    },
  );
  /** Looks the watched keys up afresh (a lookup that fails decides nothing: still watched). */
  const recheckWatched = () => {
    for (const [secretHash, { secret }] of watched) {
      void introspect(secret).then(
        (principal) => principal === null && revoked(secretHash),
        () => undefined,
      );
    }
  };
  // After a reconnect, revocations may have been missed: forget everything cached, and look the
  // watched keys up again.
  const stopClearing = channels.onReconnected(() => {
    revocationsHeard += 1;
    cache.clear();
    recheckWatched();
  });
  // A revocation whose announcement failed (the users subgraph could not publish) is heard by
  // nobody: a held key is looked up again each cache lifetime, as a request's key would be.
  const rechecks = setInterval(recheckWatched, ttl);
  rechecks.unref();

  const introspect = async (secret: string): Promise<Principal | null> => {
    const response = await request(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: secret }),
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
    if (response.statusCode === 404) {
      await response.body.dump();
      return null;
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`API key introspection answered HTTP ${response.statusCode}`);
    }
    const { principal } = (await response.body.json()) as { principal?: Record<string, unknown> };
    if (
      principal?.kind !== 'user' ||
      typeof principal.userId !== 'string' ||
      typeof principal.organizationId !== 'string' ||
      typeof principal.apiKeyId !== 'string' ||
      !isRole(principal.role)
    ) {
      throw new Error('API key introspection answered an unexpected shape');
    }
    return {
      kind: 'user',
      userId: principal.userId,
      organizationId: principal.organizationId,
      role: principal.role,
      apiKeyId: principal.apiKeyId,
    };
  };

  async function resolve(secret: string): Promise<Principal | null> {
    const key = hashSecret(secret);
    const cached = cache.get(key);
    if (cached && cached.expires > Date.now()) return cached.principal;
    const heardBefore = revocationsHeard;
    const principal = await introspect(secret);
    if (revocationsHeard !== heardBefore) return principal;
    if (cache.size >= maxEntries) cache.clear();
    cache.set(key, { principal, expires: Date.now() + ttl });
    return principal;
  }

  return {
    resolve,
    watch(secret, onRevoked) {
      const secretHash = hashSecret(secret);
      let entry = watched.get(secretHash);
      if (!entry) watched.set(secretHash, (entry = { secret, listeners: new Set() }));
      const { listeners } = entry;
      listeners.add(onRevoked);
      return () => {
        listeners.delete(onRevoked);
        if (listeners.size === 0 && watched.get(secretHash)?.listeners === listeners) {
          watched.delete(secretHash);
        }
      };
    },
    async close() {
      clearInterval(rechecks);
      stopClearing();
      await stopListening();
    },
  };
}
