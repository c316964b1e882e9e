/**
 * Counting events in a sliding window on Redis, so that every replica counts against the same
 * one: a sorted set per key, each event a member scored by its time. An event is read and
 * counted in one Lua script, so events sent at once cannot all pass on the same count; one
 * refused is not written, so a refusal never uncounts an event admitted before it; and a member
 * already in the window (a retry of an event counted) is admitted again without counting twice.
 * The rate limits (rate-limit.ts) and the messages subgraph's flood guard count this way.
 */
import type { RedisClient } from './redis';

export interface WindowCount {
  admitted: boolean;
  /** The events in the window before this one (at most `max` when refused). */
  before: number;
  /** When the oldest event still in the window happened (epoch ms), when refused; else null. */
  oldest: number | null;
}

export interface SlidingWindow {
  /** Counts `member` at `now` in `key`'s window, unless the window already holds `max`. */
  count(
    key: string,
    event: { member: string; now: number; windowMs: number; max: number },
  ): Promise<WindowCount>;
  /** Takes a counted event out of the window (it turned out to stand for nothing). */
  forget(key: string, member: string): Promise<void>;
}

// KEYS: the window. ARGV: now, window (ms), max, the member. Returns admitted (0/1), the events
// before this one, and the oldest event's time when refused.
const COUNT_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local before = redis.call('ZCARD', KEYS[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then return {1, before - 1, false} end
if before >= tonumber(ARGV[3]) then
  return {0, before, redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, before, false}
`;

export function createSlidingWindow(redis: RedisClient): SlidingWindow {
  redis.defineCommand('opsgraphSlidingWindowCount', { numberOfKeys: 1, lua: COUNT_SCRIPT });
  const countScript = (redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)
    .opsgraphSlidingWindowCount!;
  return {
    async count(key, { member, now, windowMs, max }) {
      const [admitted, before, oldest] = (await countScript.call(
        redis,
        key,
        now,
        windowMs,
        max,
        member,
      )) as [number, number, string | null];
      return { admitted: admitted === 1, before, oldest: oldest ? Number(oldest) : null };
    },
    async forget(key, member) {
      await redis.zrem(key, member);
    },
  };
}
