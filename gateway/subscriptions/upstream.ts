/**
 * Upstream subscriptions to subgraphs: one multiplexed graphql-ws connection per subgraph. The
 * caller's credentials travel with each subscription (in `extensions.headers`), not with the
 * connection, so one connection serves every caller and each subgraph authorizes each one.
 */
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { forwardedHeaders, type ForwardedRequest } from '../data-source';

export interface UpstreamRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  forwarded: ForwardedRequest;
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
      // graphql-ws re-sends this same payload object when it re-subscribes after a lost
      // connection; recording the stream's position in it makes the subgraph resume from there.
      const extensions: Record<string, unknown> = { headers: forwardedHeaders(request.forwarded) };
      const unsubscribe = clientFor(serviceUrl).subscribe(
        {
          query: request.query,
          operationName: request.operationName,
          variables: request.variables,
          extensions,
        },
        {
          next: (result) => {
            const resumeCursor = (result.extensions as { resumeCursor?: unknown } | undefined)
              ?.resumeCursor;
            if (typeof resumeCursor === 'string') extensions.resumeAfter = resumeCursor;
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
