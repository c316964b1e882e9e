/**
 * The general per-client request budget, charged once per HTTP GraphQL request before anything
 * else runs: per credential (token or API key) when there is one, else per client address. The
 * counters live in Redis when the gateway has it, so the budget holds across replicas.
 */
import { createHash } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { RateLimit } from '../subgraphs/kit/rate-limit';
import { createRateLimiter } from '../subgraphs/kit/rate-limit';
import type { RedisConnections } from '../subgraphs/kit/redis';

export interface RequestBudget {
  /** Throws RATE_LIMITED (HTTP 429 with Retry-After) once the client has spent its budget. */
  charge(client: { credential?: string | undefined; clientAddress: string }): Promise<void>;
}

export function createRequestBudget(
  redis: RedisConnections | null,
  limit: RateLimit,
): RequestBudget {
  const limiter = createRateLimiter(redis, { request: limit });
  return {
    async charge({ credential, clientAddress }) {
      // Credentials are hashed: a counter's key must never carry a usable secret.
      const identity = credential
        ? `credential:${createHash('sha256').update(credential).digest('base64url')}`
        : `address:${clientAddress}`;
      try {
        await limiter.consume('request', identity);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        const retryAfter = String(error.extensions.retryAfter);
        throw new GraphQLError(error.message, {
          extensions: {
            ...error.extensions,
            http: { status: 429, headers: new HeaderMap([['retry-after', retryAfter]]) },
          },
        });
      }
    },
  };
}
