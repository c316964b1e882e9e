/** Real graphql-ws clients for tests, collecting what a subscription delivers. */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

/** What a subscription delivered; `TData` is its document's result type (typed documents). */
export interface Collected<TData = any> {
  results: FormattedExecutionResult<TData, unknown>[];
  /** Set when the server completed the subscription. */
  completed: boolean;
  error: unknown;
  /** Resolves once at least `count` results arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<FormattedExecutionResult<TData, unknown>[]>;
  /** Resolves once the subscription completed or failed. */
  ended(timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

export function wsClient(httpUrl: string, connectionParams: Record<string, unknown> = {}): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

async function poll(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An empty Collected; a transport's client fills it in (results, completed, error). */
export function createCollected<TData = any>(): Collected<TData> {
  const collected: Collected<TData> = {
    results: [],
    completed: false,
    error: undefined,
    async waitFor(count, timeoutMs = 10_000) {
      await poll(
        () => collected.results.length >= count || collected.completed,
        timeoutMs,
        `${count} events`,
      );
      return collected.results;
    },
    async ended(timeoutMs = 10_000) {
      await poll(
        () => collected.completed || collected.error !== undefined,
        timeoutMs,
        'the end of the subscription',
      );
    },
    unsubscribe: () => undefined,
  };
  return collected;
}

/** A subscription sink that records into `collected`, results mapped by `map`. */
export function sinkFor(collected: Collected, map: (result: any) => unknown = (result) => result) {
  return {
    next: (result: unknown) => void collected.results.push(map(result) as never),
    error: (error: unknown) => {
      collected.error = error;
    },
    complete: () => {
      collected.completed = true;
    },
  };
}

/**
 * Subscribes with a typed document (test/operations: typed variables and results) or, for
 * operations that are deliberately not valid API operations, a string (see ./graphql.ts).
 */
export function collect<TData, TVariables>(
  client: Client,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  /** More fields of the subscribe payload, e.g. a trusted document's `documentId`. */
  payload?: Record<string, unknown>,
): Collected<TData>;
export function collect(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
  payload?: Record<string, unknown>,
): Collected;
export function collect(
  client: Client,
  query: string | TypedDocumentNode,
  variables: unknown = {},
  payload: Record<string, unknown> = {},
): Collected<unknown> {
  const collected = createCollected<unknown>();
  collected.unsubscribe = client.subscribe(
    {
      ...payload,
      query: typeof query === 'string' ? query : print(query),
      variables: variables as Record<string, unknown>,
    },
    sinkFor(collected),
  );
  return collected;
}

/** Polls until `check` holds (e.g. a subscription registered upstream). */
export const eventually = (check: () => boolean, timeoutMs = 10_000) =>
  poll(check, timeoutMs, 'a condition');

/**
 * The ids of the messages a `messageAdded` subscription (MESSAGE_ADDED) delivered, each checked
 * whole: no error, the author resolved by the users subgraph, its cursor in extensions.
 */
export const deliveredMessages = (subscription: Collected, authorUsername: string) =>
  subscription.results.map((result) => {
    expect(result.errors).toBeUndefined();
    const message = result.data.messageAdded;
    expect(message.author).toEqual({ username: authorUsername, displayName: expect.any(String) });
    expect(result.extensions).toEqual({ resumeCursor: message.cursor });
    return message.id as string;
  });

/** WebSocket clients for one test, all disposed by `disposeAll` (call it in afterEach). */
export function clientsFor(params: () => Record<string, unknown>) {
  const clients: Client[] = [];
  return {
    open(url: string): Client {
      const created = wsClient(url, params());
      clients.push(created);
      return created;
    },
    disposeAll: () => Promise.all(clients.splice(0).map((c) => c.dispose())).then(() => undefined),
  };
}
