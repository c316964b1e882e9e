/**
 * Rate limits on Redis, through @envelop/rate-limiter's core (`getGraphQLRateLimiter`) and a
 * store of our own, so every replica counts against the same sliding window. The subgraphs'
 * Apollo Server does not run Envelop, so its plugin does not fit; the core does: the subgraphs
 * call it from graphql-shield rules (kit/shield.ts, `rateLimitRule`). The gateway's request
 * budget (gateway/request-budget.ts) keeps a cheaper count of its own and takes only
 * `rateLimited` and the limit parsing from here.
 *
 * Rejected calls are not counted, so a client that keeps hammering is let in again as soon as its
 * earlier calls leave the window, which `retryAfter` tells it. Each call is counted in the same
 * step that reads the calls before it (CountingStore, below), so calls sent at once cannot all
 * pass on the same count.
 */
import { randomUUID } from 'node:crypto';
import type { Identity, Store } from '@envelop/rate-limiter';
// The core is not re-exported from the package's index, only reachable by its own path.
import { getGraphQLRateLimiter } from '@envelop/rate-limiter/get-graphql-rate-limiter';
import { z } from 'zod';
import { clientError, ErrorCode } from './errors';
import type { RedisClient, RedisConnections } from './redis';
import { createSlidingWindow } from './sliding-window';

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

/**
 * Overrides of named limits, e.g. RATE_LIMITS=login=5/15m,signUp=10/1h, each of one of `names`:
 * any other name is a typo that would leave the limit it meant unchanged.
 */
export const rateLimitsVar = (names: readonly string[]) =>
  z
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
        if (!names.includes(name)) {
          ctx.addIssue({
            code: 'custom',
            message: `no limit is named "${name}" (the names are ${names.join(', ')})`,
          });
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
 * The calls still in a window, as the limiter's core reads them — read and counted in one step.
 *
 * The core reads an identity's calls, decides, then writes them back with this one added: calls
 * sent at once all read the same calls and all pass (30 logins at once let 11 through a limit of
 * 5). So the store counts the call while it reads, if there is room for it, and answers with as
 * many calls as were in the window before it (all dated now: the core only counts them, and must
 * not see one expire between the two steps); the core, told `readOnly`, writes nothing. When they
 * fill the limit, this call was not counted, and the core refuses it. The counting is the shared
 * sliding window's (sliding-window.ts).
 */
interface CountingStore extends Store {
  getForIdentity(identity: Identity): Promise<readonly number[]>;
  /** When the oldest call still in the window was made (epoch ms), for `retryAfter`. */
  oldest(identity: Identity): Promise<number | null>;
}

const keyOf = ({ contextIdentity, fieldIdentity }: Identity) =>
  `${contextIdentity}:${fieldIdentity}`;

function countingStore(
  redis: RedisClient,
  prefix: string,
  limitOf: (name: string) => RateLimit,
): CountingStore {
  const window = createSlidingWindow(redis);
  const key = (identity: Identity) => `${prefix}${keyOf(identity)}`;
  return {
    async getForIdentity(identity) {
      const { max, windowMs } = limitOf(identity.fieldIdentity);
      const now = Date.now();
      const { before } = await window.count(key(identity), {
        member: randomUUID(),
        now,
        windowMs,
        max,
      });
      return new Array<number>(before).fill(now);
    },
    setForIdentity() {},
    async oldest(identity) {
      const [, score] = await redis.zrange(key(identity), 0, 0, 'WITHSCORES');
      return score === undefined ? null : Number(score);
    },
  };
}

/**
 * `limits` names every limit this process enforces; a name it does not know is a programming
 * error.
 */
export function createRateLimiter(
  redis: Pick<RedisConnections, 'commands' | 'prefix'>,
  limits: RateLimits,
): RateLimiter {
  const limitOf = (name: string) => {
    const limit = limits[name];
    if (!limit) throw new Error(`No rate limit named ${name}.`);
    return limit;
  };
  const store = countingStore(redis.commands, `${redis.prefix}rate-limit-calls:`, limitOf);
  const limiter = getGraphQLRateLimiter({
    store,
    identifyContext: (identity: string) => identity,
  });
  return {
    limits,
    async consume(name, identity) {
      const limit = limitOf(name);
      const refused = await limiter(
        name,
        { args: {}, context: identity },
        // The store counts the call as it reads (CountingStore): the core writes nothing.
        { max: limit.max, window: String(limit.windowMs), readOnly: true },
      );
      if (!refused) return;
      // The caller may retry once the oldest call still counted leaves the window.
      const oldest = await store.oldest({ contextIdentity: identity, fieldIdentity: name });
      const retryAfterMs = oldest === null ? 1000 : oldest + limit.windowMs - Date.now();
      throw rateLimited(limit, Math.max(1, Math.ceil(retryAfterMs / 1000)));
    },
  };
}
