/**
 * Cache-aside in Redis for values computed per scope (e.g. an organization's dashboard stats),
 * each stored with the version of the data it was computed from. The caller reads that version
 * from the data itself (e.g. the head of the scope's change records, which every change moves
 * in its own transaction), and a value is served only to readers that see the same version. So
 * nothing has to be invalidated: a change whose bookkeeping in Redis failed cannot leave a stale
 * value behind, and neither can a reader that computed from data older than the version it
 * stores under.
 */
import { hashTagged, type RedisConnections } from '../../platform/redis';

export interface VersionedCache<T> {
  /**
   * The value of `scope` at `version`: the cached one, or `compute()`'s, cached for the next
   * readers. Read `version` before computing, so the value can be newer than it, never older.
   */
  get(scope: string, version: number, compute: () => Promise<T>): Promise<T>;
}

export function createVersionedCache<T>(
  redis: RedisConnections,
  name: string,
  ttlSeconds: number,
): VersionedCache<T> {
  const valueKey = (scope: string) => `${redis.prefix}${name}:${hashTagged(scope)}`;
  return {
    async get(scope, version, compute) {
      const cached = await redis.commands.get(valueKey(scope));
      // `at`: entries of the earlier scheme (a `version` counter in Redis) never match.
      const entry = cached ? (JSON.parse(cached) as { at?: number; value: T }) : null;
      if (entry?.at === version) return entry.value;
      const value = await compute();
      await redis.commands.set(
        valueKey(scope),
        JSON.stringify({ at: version, value }),
        'EX',
        ttlSeconds,
      );
      return value;
    },
  };
}
