/**
 * Upstream subscriptions to subgraphs: one multiplexed graphql-ws connection per subgraph. The
 * caller's credentials travel with each subscription (in `extensions.headers`), not with the
 * connection, so one connection serves every caller and each subgraph authorizes each one.
 */
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { resumeCursorOf, subscribeExtensions, type ForwardedRequest } from '../../platform/wire';

export interface UpstreamRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  forwarded: ForwardedRequest;
  /** Where the subgraph resumes (a cursor it sent before); it overrides the client's `after`. */
  resumeAfter?: string;
}

export interface UpstreamSink {
  next(result: ExecutionResult): void;
  error(error: unknown): void;
  complete(): void;
}

export interface Upstreams {
  subscribe(serviceUrl: string, request: UpstreamRequest, sink: UpstreamSink): () => void;
  /** Upstream subscriptions currently open, for metrics and tests. */
  active(): number;
  close(): Promise<void>;
}

export function createUpstreams(): Upstreams {
  const clients = new Map<string, Client>();
  let open = 0;
  const clientFor = (serviceUrl: string): Client => {
    let client = clients.get(serviceUrl);
    if (!client) {
      client = createClient({
        url: serviceUrl.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        lazy: true,
        keepAlive: 15_000,
        retryAttempts: Infinity,
        shouldRetry: () => true,
      });
      clients.set(serviceUrl, client);
    }
    return client;
  };
  return {
    subscribe(serviceUrl, request, sink) {
      open += 1;
      let closed = false;
      const release = () => {
        if (closed) return;
        closed = true;
        open -= 1;
      };
      // After a lost connection the subgraph resumes after the last cursor it sent.
      let position = request.resumeAfter;
      const unsubscribe = clientFor(serviceUrl).subscribe(
        {
          query: request.query,
          operationName: request.operationName,
          variables: request.variables,
          extensions: subscribeExtensions(request.forwarded, () => position),
        },
        {
          next: (result) => {
            position = resumeCursorOf(result) ?? position;
            sink.next(result as ExecutionResult);
          },
          error: (error) => {
            release();
            sink.error(error);
          },
          complete: () => {
            release();
            sink.complete();
          },
        },
      );
      return () => {
        release();
        unsubscribe();
      };
    },
    active: () => open,
    async close() {
      await Promise.all([...clients.values()].map((client) => client.dispose()));
      clients.clear();
    },
  };
}
