/**
 * Merges concurrent `_entities` fetches into one request per subgraph. A burst of subscription
 * events (a replay after a reconnect, many topics catching up at once) would otherwise cost one
 * entity fetch per event; here every fetch with the same operation, the same other variables and
 * the same forwarded credentials that is issued while another is being sent (or in the same
 * tick) goes out together: representations concatenated (identical ones once), and the answer's
 * entities and error paths split back to each caller.
 *
 * Requests of different callers are never merged (credentials are part of the key): each
 * subgraph still authorizes each caller.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { ForwardedRequest } from '../../platform/wire';
import { distinctIndex, answerWithDuplicates } from '../lean-executor';

type Options = GraphQLDataSourceProcessOptions<{ forwarded?: ForwardedRequest }>;

interface Waiter {
  options: Options;
  /** For each of this caller's representations, its index in the merged request. */
  indexes: number[];
  resolve(response: GatewayGraphQLResponse): void;
  reject(error: unknown): void;
}

interface Batch {
  waiters: Waiter[];
  sending: boolean;
  scheduled: boolean;
}

export interface EntityBatcher {
  /** A data source that sends `_entities` fetches through the batcher, the rest straight on. */
  wrap(serviceName: string, source: GraphQLDataSource): GraphQLDataSource;
  /** Requests sent to subgraphs through the batcher, and the fetches they carried (for tests). */
  stats(): { requests: number; fetches: number };
}

export function createEntityBatcher(options: { maxRepresentations: number }): EntityBatcher {
  const batches = new Map<string, Batch>();
  const stats = { requests: 0, fetches: 0 };

  const send = async (key: string, source: GraphQLDataSource, batch: Batch): Promise<void> => {
    batch.scheduled = false;
    batch.sending = true;
    const representations: unknown[] = [];
    const byJson = new Map<string, number>();
    const taken: Waiter[] = [];
    while (batch.waiters.length > 0) {
      const waiter = batch.waiters[0]!;
      const own = waiter.options.request.variables!.representations as unknown[];
      if (taken.length > 0 && representations.length + own.length > options.maxRepresentations)
        break;
      batch.waiters.shift();
      waiter.indexes = own.map((representation) =>
        distinctIndex(representations, byJson, representation),
      );
      taken.push(waiter);
    }
    const first = taken[0]!.options;
    stats.requests += 1;
    stats.fetches += taken.length;
    try {
      const response =
        taken.length === 1
          ? await source.process(first)
          : await source.process({
              ...first,
              request: {
                ...first.request,
                variables: { ...first.request.variables, representations },
              },
            });
      for (const waiter of taken)
        waiter.resolve(
          taken.length === 1 ? response : answerWithDuplicates(response, waiter.indexes),
        );
    } catch (error) {
      for (const waiter of taken) waiter.reject(error);
    } finally {
      batch.sending = false;
      // Fetches that arrived while this one was out go next, together.
      if (batch.waiters.length > 0) void send(key, source, batch);
      else batches.delete(key);
    }
  };

  return {
    wrap(serviceName, source) {
      return {
        process(processOptions: Options) {
          const { request, context } = processOptions;
          const { representations, ...others } = request.variables ?? {};
          if (!Array.isArray(representations)) return source.process(processOptions);
          const forwarded = context.forwarded;
          const key = JSON.stringify([
            serviceName,
            request.query,
            request.operationName ?? null,
            others,
            forwarded?.authorization ?? null,
            forwarded?.apiKey ?? null,
            forwarded?.clientAddress ?? null,
          ]);
          let batch = batches.get(key);
          if (!batch) {
            batch = { waiters: [], sending: false, scheduled: false };
            batches.set(key, batch);
          }
          const current = batch;
          return new Promise<GatewayGraphQLResponse>((resolve, reject) => {
            current.waiters.push({ options: processOptions, indexes: [], resolve, reject });
            if (current.sending || current.scheduled) return;
            current.scheduled = true;
            // Everything issued in this turn of the event loop joins the first request.
            setImmediate(() => void send(key, source, current));
          });
        },
      };
    },
    stats: () => ({ ...stats }),
  };
}
