/**
 * Cache-aside in Redis for values computed per scope (e.g. an organization's dashboard stats),
 * invalidated by bumping the scope's version rather than deleting the value. A reader that
 * computed from data older than the latest change stores its value under the old version, which
 * no later reader accepts: a plain delete would let such a reader cache stale data for the
 * whole TTL.
 */
import { hashTagged, type RedisConnections } from '../../platform/redis';

export interface VersionedCache<T> {
  /** The cached value of `scope`, or `compute()`'s, cached for the next readers. */
  get(scope: string, compute: () => Promise<T>): Promise<T>;
  /** Call after every committed change that affects `scope`'s value. */
  invalidate(scope: string): Promise<void>;
}

const VERSION_GRACE_SECONDS = 3600;

export function createVersionedCache<T>(
  redis: RedisConnections,
  name: string,
  ttlSeconds: number,
): VersionedCache<T> {
  // A scope's two keys in one cluster slot, as one MGET reads them.
  const valueKey = (scope: string) => `${redis.prefix}${name}:${hashTagged(scope)}`;
  const versionKey = (scope: string) => `${redis.prefix}${name}:${hashTagged(scope, ':version')}`;
  return {
    async get(scope, compute) {
      const [version, cached] = await redis.commands.mget(versionKey(scope), valueKey(scope));
      const current = version ?? '0';
      if (cached) {
        const entry = JSON.parse(cached) as { version: string; value: T };
        if (entry.version === current) return entry.value;
      }
      const value = await compute();
      await redis.commands.set(
        valueKey(scope),
        JSON.stringify({ version: current, value }),
        'EX',
        ttlSeconds,
      );
      return value;
    },
    async invalidate(scope) {
      // The version expires too (no key lives forever), long after any value written under an
      // older version: a reader would have to stall for an hour between computing and storing
      // for a reset version to match its stale value.
      await redis.commands
        .multi()
        .incr(versionKey(scope))
        .expire(versionKey(scope), ttlSeconds * 2 + VERSION_GRACE_SECONDS)
        .exec();
    },
  };
}
