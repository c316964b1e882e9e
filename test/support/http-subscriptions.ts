/**
 * Real HTTP subscription clients for tests: the graphql-sse client (distinct connections mode)
 * and Apollo Client's HttpLink (multipart subscriptions), collecting what they deliver.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client/core';
import { createClient } from 'graphql-sse';
import { createCollected, sinkFor, type Collected } from './subscriptions';

export const SSE_ACCEPT = 'text/event-stream';
export const MULTIPART_ACCEPT = 'multipart/mixed;subscriptionSpec="1.0", application/json';

/** A subscription over GraphQL over SSE, with the graphql-sse client. */
export function sseSubscribe(
  url: string,
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown> = {},
): Collected {
  const client = createClient({ url, headers, retryAttempts: 0 });
  const collected = createCollected();
  const dispose = client.subscribe({ query, variables }, sinkFor(collected));
  collected.unsubscribe = () => {
    dispose();
    client.dispose();
  };
  return collected;
}

/** A subscription over Apollo's multipart protocol, with Apollo Client's HttpLink. */
export function multipartSubscribe(
  url: string,
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown> = {},
): Collected {
  const client = new ApolloClient({
    link: new HttpLink({ uri: url, headers }),
    cache: new InMemoryCache(),
  });
  const collected = createCollected();
  const subscription = client
    .subscribe({ query: gql(query), variables, fetchPolicy: 'no-cache', errorPolicy: 'all' })
    .subscribe(sinkFor(collected, withoutTypenames));
  collected.unsubscribe = () => {
    subscription.unsubscribe();
    client.stop();
  };
  return collected;
}

/** Apollo Client adds `__typename` to every selection: without it, results compare as sent. */
function withoutTypenames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTypenames);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '__typename')
      .map(([key, inner]) => [key, withoutTypenames(inner)]),
  );
}
