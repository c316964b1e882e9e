/**
 * Rate limits on Redis, through @envelop/rate-limiter's core (`getGraphQLRateLimiter`) and its
 * `RedisStore`, so every replica counts against the same sliding window. Neither the subgraphs'
 * nor the gateway's Apollo Server runs Envelop, so its plugin does not fit; the core does: the
 * subgraphs call it from graphql-shield rules (kit/shield.ts, `rateLimitRule`), the gateway once
 * per request. No graphql-shield here, so the gateway does not load it.
 *
 * Rejected calls are not counted (`uncountRejected`), so a client that keeps hammering is let
 * in again as soon as its earlier calls leave the window, which `retryAfter` tells it.
 */
import { InMemoryStore, RedisStore } from '@envelop/rate-limiter';
// The core is not re-exported from the package's index, only reachable by its own path.
import { getGraphQLRateLimiter } from '@envelop/rate-limiter/get-graphql-rate-limiter';
import { z } from 'zod';
import { clientError, ErrorCode } from './errors';
import type { RedisClient, RedisConnections } from './redis';

export interface RateLimit {
  max: number;
  windowMs: number;
}
export type RateLimits = Record<string, RateLimit>;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const LIMIT = /^(\d+)\s*\/\s*(\d+)(ms|s|m|h|d)$/;

/** `5/15m`: at most 5 calls in any 15 minutes (units ms, s, m, h, d). */
export function parseRateLimit(text: string): RateLimit | null {
  const match = LIMIT.exec(text.trim());
  if (!match) return null;
  const max = Number(match[1]);
  const windowMs = Number(match[2]) * UNIT_MS[match[3] as keyof typeof UNIT_MS];
  return max > 0 && windowMs > 0 ? { max, windowMs } : null;
}

export const formatRateLimit = ({ max, windowMs }: RateLimit): string => {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (windowMs % UNIT_MS[unit] === 0) return `${max}/${windowMs / UNIT_MS[unit]}${unit}`;
  }
  return `${max}/${windowMs}ms`;
};

/** One limit, e.g. REQUEST_RATE_LIMIT=600/1m. */
export const rateLimitVar = (defaultValue: string) =>
  z
    .string()
    .default(defaultValue)
    .transform((text, ctx) => {
      const limit = parseRateLimit(text);
      if (!limit) {
        ctx.addIssue({ code: 'custom', message: 'must look like 5/15m (calls/window)' });
        return z.NEVER;
      }
      return limit;
    });

/** Overrides of named limits, e.g. RATE_LIMITS=login=5/15m,signUp=10/1h. */
export const rateLimitsVar = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const limits: RateLimits = {};
    for (const entry of text.split(',').map((s) => s.trim())) {
      if (!entry) continue;
      const [name, value] = entry.split('=').map((s) => s.trim());
      const limit = value ? parseRateLimit(value) : null;
      if (!name || !limit) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" must look like name=5/15m` });
        return z.NEVER;
      }
      limits[name] = limit;
    }
    return limits;
  });

export function rateLimited(limit: RateLimit, retryAfter: number) {
  return clientError(
    ErrorCode.RATE_LIMITED,
    `Too many requests (limit ${formatRateLimit(limit)}); retry in ${retryAfter} s.`,
    { retryAfter },
  );
}

export interface RateLimiter {
  readonly limits: Readonly<RateLimits>;
  /** Counts one call by `identity` against limit `name`; throws RATE_LIMITED when over it. */
  consume(name: string, identity: string): Promise<void>;
}

/**
 * The RedisStore speaks node-redis-style callbacks (`get(key, cb)`, `set([key, value, …], cb)`);
 * this adapter gives it an ioredis client and the deployment's key prefix.
 */
function redisStoreClient(redis: RedisClient, prefix: string) {
  return {
    get: (key: string, callback: (error: Error | null, value?: string | null) => void) =>
      void redis.get(`${prefix}${key}`).then(
        (value) => callback(null, value),
        (error: Error) => callback(error),
      ),
    set: ([key, ...rest]: (string | number)[], callback: (error: Error | null) => void) =>
      void redis.set(`${prefix}${key}`, ...(rest as [string, 'EX', number])).then(
        () => callback(null),
        (error: Error) => callback(error),
      ),
  };
}

/**
 * `limits` names every limit this process enforces; a name it does not know is a programming
 * error. Without Redis (one process only) counters live in memory.
 */
export function createRateLimiter(
  redis: Pick<RedisConnections, 'commands' | 'prefix'> | null,
  limits: RateLimits,
): RateLimiter {
  const store = redis
    ? new RedisStore(redisStoreClient(redis.commands, `${redis.prefix}rate-limit:`))
    : new InMemoryStore();
  const limiter = getGraphQLRateLimiter({
    store,
    identifyContext: (identity: string) => identity,
  });
  return {
    limits,
    async consume(name, identity) {
      const limit = limits[name];
      if (!limit) throw new Error(`No rate limit named ${name}.`);
      const refused = await limiter(
        name,
        { args: {}, context: identity },
        { max: limit.max, window: String(limit.windowMs), uncountRejected: true },
      );
      if (!refused) return;
      // The caller may retry once the oldest call still counted leaves the window.
      const calls = await store.getForIdentity({ contextIdentity: identity, fieldIdentity: name });
      const oldest = Math.min(...calls.filter((t) => t + limit.windowMs > Date.now()));
      const retryAfterMs = Number.isFinite(oldest) ? oldest + limit.windowMs - Date.now() : 1000;
      throw rateLimited(limit, Math.max(1, Math.ceil(retryAfterMs / 1000)));
    },
  };
}
