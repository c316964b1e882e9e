/**
 * How the gateway talks to subgraphs: one undici Pool (keep-alive) per subgraph and a plain
 * `Pool.request`. Apollo's default RemoteGraphQLDataSource goes through a fetch polyfill that
 * dominated the gateway's CPU profile; this path does the minimum per request.
 *
 * Each client also keeps its subgraph's circuit breaker (circuit-breaker.ts): while the subgraph
 * is down, requests needing it fail at once with SUBGRAPH_UNAVAILABLE, and Apollo's executor (or
 * the lean one, falling back to it) still answers the rest of the query: partial data. A query's
 * fetch that could not connect, or met a 503, is retried after a jittered pause within a
 * bounded number of attempts and time; a mutation's never is.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLError } from 'graphql';
import { Pool } from 'undici';
import { subgraphUnavailable } from '../platform/errors';
import { injectTraceContext } from '../platform/tracing';
import { forwardedHeaders, type ForwardedRequest } from '../platform/wire';
import {
  createCircuitBreaker,
  retryDelayMs,
  type BreakerSettings,
  type BreakerState,
  type RetrySettings,
} from './circuit-breaker';

export interface SubgraphClient extends GraphQLDataSource<{ forwarded?: ForwardedRequest }> {
  readonly url: string;
  /** Its circuit breaker's state (readiness and metrics report it). */
  breakerState(): BreakerState;
  close(): Promise<void>;
}

/** How a subgraph client copes with a subgraph that is down (gateway env). */
export interface SubgraphResilience {
  breaker: BreakerSettings;
  retry: RetrySettings;
}

/** Why an attempt failed, and whether sending the same query again may help. */
class AttemptFailed extends Error {
  constructor(
    readonly error: GraphQLError,
    readonly retryable: boolean,
    /** The subgraph's own GraphQL answer, when it gave one (a starting subgraph's 503). */
    readonly answer?: GatewayGraphQLResponse,
  ) {
    super(error.message);
  }
}

/** undici's timeouts: the subgraph is slow rather than gone; another wait would only double it. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * Queries only: the planner writes every subgraph fetch of a query as `query …` (or `{ … }`),
 * and a mutation is never sent twice.
 */
const isQuery = (operation: string | undefined) =>
  !!operation && /^\s*(query\b|\{)/.test(operation);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The last attempt's failure: what the caller gets when no further attempt is made. */
const give = (failure: AttemptFailed) => {
  if (failure.answer) return failure.answer;
  throw failure.error;
};

export function createSubgraphClient(
  name: string,
  url: string,
  timeoutMs: number,
  resilience: SubgraphResilience,
  /** Called with each fetch's duration in seconds (for metrics). */
  observe: (seconds: number) => void = () => undefined,
  onBreakerChange: (state: BreakerState) => void = () => undefined,
): SubgraphClient {
  const target = new URL(url);
  const pool = new Pool(target.origin, {
    connections: 64,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const path = target.pathname + target.search;
  const breaker = createCircuitBreaker(resilience.breaker, onBreakerChange);

  const attempt = async (
    headers: Record<string, string>,
    body: string,
  ): Promise<GatewayGraphQLResponse> => {
    let response;
    try {
      response = await pool.request({ method: 'POST', path, headers, body });
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new AttemptFailed(
        subgraphUnavailable(name, `Subgraph ${name} is unreachable.`, error as Error),
        !TIMEOUT_CODES.has(code ?? ''),
      );
    }
    const text = await response.body.text();
    let answer: GatewayGraphQLResponse | undefined;
    try {
      answer = JSON.parse(text) as GatewayGraphQLResponse;
    } catch {
      // Not GraphQL: a proxy's error page, or not our service at all.
    }
    // 503: starting or stopping (kit/dependencies); its GraphQL answer says so to the client.
    if (response.statusCode === 503 || !answer) {
      throw new AttemptFailed(
        subgraphUnavailable(
          name,
          `Subgraph ${name} answered HTTP ${response.statusCode} without GraphQL JSON.`,
        ),
        response.statusCode === 503,
        answer,
      );
    }
    return answer;
  };

  return {
    url,
    breakerState: breaker.state,
    async process(
      options: GraphQLDataSourceProcessOptions<{ forwarded?: ForwardedRequest }>,
    ): Promise<GatewayGraphQLResponse> {
      const { query, variables, operationName, extensions } = options.request;
      const forwarded = options.context.forwarded;
      const headers = forwarded ? forwardedHeaders(forwarded) : {};
      headers['content-type'] = 'application/json';
      injectTraceContext(headers);
      const body = JSON.stringify({ query, variables, operationName, extensions });
      const started = performance.now();
      let failure: AttemptFailed | null = null;
      for (let retry = 0; ; retry++) {
        if (!breaker.allow()) {
          // A retry the breaker stops (it opened meanwhile) ends with the real failure.
          if (failure) return give(failure);
          throw subgraphUnavailable(
            name,
            `Subgraph ${name} is unavailable: its circuit breaker is open after repeated failures.`,
          );
        }
        const attemptStarted = retry === 0 ? started : performance.now();
        try {
          const answer = await attempt(headers, body);
          breaker.succeeded();
          observe((performance.now() - attemptStarted) / 1000);
          return answer;
        } catch (error) {
          if (!(error instanceof AttemptFailed)) throw error;
          breaker.failed();
          failure = error;
          const delay = retryDelayMs(retry + 1);
          // Only a failure needs to know whether a retry is allowed: a success costs no test.
          const attempts = isQuery(query) ? resilience.retry.attempts : 1;
          if (
            !error.retryable ||
            retry + 1 >= attempts ||
            performance.now() - started + delay >= resilience.retry.budgetMs
          )
            return give(error);
          await sleep(delay);
        }
      }
    },
    close: () => pool.close(),
  };
}
