/**
 * Exponential backoff with full jitter: after the n-th failure, wait a uniformly random time in
 * [0, min(max, base · 2^n)). Full jitter spreads a fleet of agents that lost the gateway at the
 * same moment, so they do not all come back in lockstep when it returns.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

/** The wait before retry number `attempt` (0 for the first retry). */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  // 2^attempt overflows to Infinity for large attempts; min() caps it either way.
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

export interface RetryOptions {
  /** Whether this failure is worth another try; otherwise it is thrown at once. */
  retryable(error: unknown): boolean;
  /** A wait the failure itself asks for (e.g. RATE_LIMITED's retryAfter), instead of backoff. */
  waitFor?(error: unknown): number | undefined;
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
  signal?: AbortSignal;
  policy?: BackoffPolicy;
  /** Gives up after this many attempts (unbounded by default: an agent waits for its gateway). */
  maxAttempts?: number;
}

/** Calls `operation` until it succeeds, a failure is not retryable, or `signal` aborts. */
export async function retry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await operation();
    } catch (error) {
      const last = options.maxAttempts !== undefined && attempt + 1 >= options.maxAttempts;
      if (last || !options.retryable(error)) throw error;
      const delayMs = options.waitFor?.(error) ?? backoffDelay(attempt, options.policy);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, undefined, { signal: options.signal });
    }
  }
}
