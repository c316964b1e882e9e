/**
 * The general per-client request budget, charged once per HTTP GraphQL request before anything
 * else runs: per credential (token or API key) when there is one, else per client address. The
 * counters live in Redis when the gateway has it, so the budget holds across replicas.
 *
 * It counts with a sliding window approximated by two fixed ones — the previous window's count,
 * weighted by how much of it the sliding window still covers, plus the current one's — which
 * costs one Redis round trip (a Lua script) per request and two small counters per client,
 * whatever its rate. (The subgraphs' few per-field limits keep every call's time, in a sorted set:
 * too much for every request.)
 */
import { hash } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { rateLimited, type RateLimit } from '../platform/rate-limit';
import { hashTagged, type RedisClient, type RedisConnections } from '../platform/redis';

export interface RequestBudget {
  /** Throws RATE_LIMITED (HTTP 429 with Retry-After) once the client has spent its budget. */
  charge(client: { credential?: string | undefined; clientAddress: string }): Promise<void>;
}

/** Calls counted in the current fixed window and the one before it, after this charge. */
interface Counts {
  allowed: boolean;
  current: number;
  previous: number;
}

type Counter = (identity: string, window: number, weightOfPrevious: number) => Promise<Counts>;

// KEYS: this window's counter, the previous window's. ARGV: max, weight of the previous, TTL ms.
const CHARGE_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous * tonumber(ARGV[2]) + current >= tonumber(ARGV[1]) then
  return {0, current, previous}
end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, current + 1, previous}
`;

function redisCounter(redis: RedisClient, prefix: string, limit: RateLimit): Counter {
  redis.defineCommand('opsgraphChargeBudget', { numberOfKeys: 2, lua: CHARGE_SCRIPT });
  const charge = (redis as unknown as Record<string, (...args: unknown[]) => Promise<number[]>>)
    .opsgraphChargeBudget!;
  return async (identity, window, weightOfPrevious) => {
    const [allowed, current, previous] = await charge.call(
      redis,
      // Both counters in one cluster slot, as one script reads them.
      `${prefix}${hashTagged(identity, `:${window}`)}`,
      `${prefix}${hashTagged(identity, `:${window - 1}`)}`,
      limit.max,
      weightOfPrevious,
      limit.windowMs * 2,
    );
    return { allowed: allowed === 1, current: current!, previous: previous! };
  };
}

/** One process only (no Redis): the same counters in memory, dropped once two windows old. */
function memoryCounter(limit: RateLimit): Counter {
  const counts = new Map<string, number>();
  let latestWindow = 0;
  return async (identity, window, weightOfPrevious) => {
    if (window !== latestWindow) {
      latestWindow = window;
      for (const key of counts.keys()) {
        if (Number(key.slice(key.lastIndexOf(':') + 1)) < window - 1) counts.delete(key);
      }
    }
    const key = `${identity}:${window}`;
    const current = counts.get(key) ?? 0;
    const previous = counts.get(`${identity}:${window - 1}`) ?? 0;
    if (previous * weightOfPrevious + current >= limit.max)
      return { allowed: false, current, previous };
    counts.set(key, current + 1);
    return { allowed: true, current: current + 1, previous };
  };
}

/** Seconds until the client may call again: until the weighted count drops below the limit. */
function secondsUntilAllowed(limit: RateLimit, { current, previous }: Counts, elapsed: number) {
  const { max, windowMs } = limit;
  // Still within this window, only the previous window's share can shrink…
  let waitMs =
    current < max && previous > 0 ? windowMs * (1 - (max - current) / previous) - elapsed : 0;
  // …otherwise this window's calls must slide out in the next.
  if (current >= max) waitMs = windowMs - elapsed + windowMs * Math.max(0, 1 - max / current);
  return Math.max(1, Math.ceil(waitMs / 1000));
}

export function createRequestBudget(
  redis: RedisConnections | null,
  limit: RateLimit,
): RequestBudget {
  const count = redis
    ? redisCounter(redis.commands, `${redis.prefix}request-budget:`, limit)
    : memoryCounter(limit);
  return {
    async charge({ credential, clientAddress }) {
      // Credentials are hashed: a counter's key must never carry a usable secret. (The one-shot
      // hash: a third of a Hash object's cost, on every request.)
      const identity = credential
        ? `credential:${hash('sha256', credential, 'base64url')}`
        : `address:${clientAddress}`;
      const now = Date.now();
      const window = Math.floor(now / limit.windowMs);
      const elapsed = now - window * limit.windowMs;
      const counts = await count(identity, window, (limit.windowMs - elapsed) / limit.windowMs);
      if (counts.allowed) return;
      const error = rateLimited(limit, secondsUntilAllowed(limit, counts, elapsed));
      const retryAfter = String(error.extensions.retryAfter);
      throw new GraphQLError(error.message, {
        extensions: {
          ...error.extensions,
          http: { status: 429, headers: new HeaderMap([['retry-after', retryAfter]]) },
        },
      });
    },
  };
}
