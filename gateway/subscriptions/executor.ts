/**
 * Executes federated subscriptions. For each client subscription: open the plan's `primary`
 * fetch as an upstream subscription on the owning subgraph, and for every event run the `rest`
 * of the plan with @apollo/gateway's executeQueryPlan (entity fetches from other subgraphs, in
 * batches) before handing the result to the client.
 *
 * Identical subscriptions (same document, variables and credentials) share one "topic": one
 * upstream subscription and one `rest` execution per event, whose result goes to every
 * subscriber.
 */
import { createHash } from 'node:crypto';
import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { ExecutionResult } from 'graphql-ws';
import type { Logger } from '../../subgraphs/kit/logger';
import type { ForwardedRequest } from '../data-source';
import { createChannel, type Channel } from '../../subgraphs/kit/channel';
import type { PlanningSchemas, SubscriptionPlan } from './planner';
import type { Upstreams } from './upstream';

export interface SubscriptionRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  forwarded: ForwardedRequest;
}

export interface SubscriptionStats {
  /** Distinct upstream subscriptions (topics) open. */
  topics: number;
  subscribers: number;
  /** `rest` executions since start (one per event per topic, however many subscribers). */
  restExecutions: number;
  eventsDelivered: number;
}

export interface SubscriptionExecutor {
  /** `onOverflow` runs when this subscriber falls `bufferLimit` events behind. */
  subscribe(
    plan: SubscriptionPlan,
    schemas: PlanningSchemas,
    request: SubscriptionRequest,
    onOverflow: () => void,
  ): Channel<ExecutionResult>;
  stats(): SubscriptionStats;
  /** Ends every subscription (e.g. on shutdown). */
  close(): void;
}

interface Topic {
  subscribers: Set<Channel<ExecutionResult>>;
  stopUpstream: () => void;
}

export function createSubscriptionExecutor(deps: {
  upstreams: Upstreams;
  /** The data sources of the current supergraph, by subgraph name. */
  dataSources: () => ReadonlyMap<string, GraphQLDataSource & { url: string }>;
  logger: Logger;
  /** Events a subscriber may fall behind before it is disconnected. */
  bufferLimit: number;
  /** Called per result handed to a subscriber, with the seconds since its upstream event arrived. */
  onDelivered?: (latencySeconds: number) => void;
}): SubscriptionExecutor {
  const topics = new Map<string, Topic>();
  const stats = { restExecutions: 0, eventsDelivered: 0 };

  const topicKey = (request: SubscriptionRequest) =>
    createHash('sha256')
      .update(
        JSON.stringify([
          request.query,
          request.operationName ?? null,
          request.variables,
          request.forwarded.authorization ?? null,
          request.forwarded.apiKey ?? null,
        ]),
      )
      .digest('base64url');

  /** Runs primary + rest for one upstream event: the primary "fetch" replays the event itself. */
  const resolveEvent = async (
    plan: SubscriptionPlan,
    schemas: PlanningSchemas,
    request: SubscriptionRequest,
    event: ExecutionResult,
  ): Promise<ExecutionResult> => {
    if (plan.rest) stats.restExecutions += 1;
    const serviceMap: ServiceMap = Object.create(null) as ServiceMap;
    for (const [name, source] of deps.dataSources()) serviceMap[name] = source;
    const primarySource = serviceMap[plan.primary.serviceName];
    serviceMap[plan.primary.serviceName] = {
      process: (options) =>
        options.request.query === plan.primary.operation
          ? Promise.resolve(event as never)
          : primarySource!.process(options),
    };
    // Even without `rest`, the plan runs: executeQueryPlan shapes the result to the client's
    // selection (aliases, typename, fragments).
    const queryPlan: QueryPlan = {
      kind: 'QueryPlan',
      node: plan.rest ? { kind: 'Sequence', nodes: [plan.primary, plan.rest] } : plan.primary,
    };
    const requestContext = {
      request: {
        query: request.query,
        operationName: request.operationName,
        variables: request.variables,
      },
      context: { forwarded: request.forwarded },
      logger: deps.logger,
      metrics: {},
    } as unknown as GatewayGraphQLRequestContext;
    const result = await executeQueryPlan(
      queryPlan,
      serviceMap,
      requestContext,
      plan.operationContext,
      schemas.supergraphSchema,
      schemas.apiSchema,
    );
    return {
      data: result.data ?? null,
      ...(result.errors?.length ? { errors: result.errors } : {}),
    } as ExecutionResult;
  };

  const openTopic = (
    key: string,
    plan: SubscriptionPlan,
    schemas: PlanningSchemas,
    request: SubscriptionRequest,
  ): Topic => {
    const topic: Topic = { subscribers: new Set(), stopUpstream: () => undefined };
    const source = deps.dataSources().get(plan.primary.serviceName);
    if (!source) throw new Error(`No subgraph ${plan.primary.serviceName} in the supergraph`);
    const broadcast = (result: ExecutionResult, receivedAt: number) => {
      const latency = (performance.now() - receivedAt) / 1000;
      for (const subscriber of topic.subscribers) {
        subscriber.push(result);
        stats.eventsDelivered += 1;
        deps.onDelivered?.(latency);
      }
    };
    /** Ends every subscriber, after a last result (the upstream's errors) when there is one. */
    const finish = (last?: ExecutionResult) => {
      if (topics.get(key) === topic) topics.delete(key);
      for (const subscriber of topic.subscribers) {
        if (last) subscriber.push(last);
        subscriber.end();
      }
    };
    // Events are resolved one after another so subscribers see them in upstream order.
    let queue = Promise.resolve();
    const primaryVariables = Object.fromEntries(
      (plan.primary.variableUsages ?? [])
        .filter((name) => name in request.variables)
        .map((name) => [name, request.variables[name]]),
    );
    topic.stopUpstream = deps.upstreams.subscribe(
      source.url,
      {
        query: plan.primary.operation,
        operationName: plan.primary.operationName,
        variables: primaryVariables,
        forwarded: request.forwarded,
      },
      {
        next: (event) => {
          const receivedAt = performance.now();
          queue = queue
            .then(() => resolveEvent(plan, schemas, request, event))
            .then(
              (result) => broadcast(result, receivedAt),
              (error: unknown) => {
                deps.logger.error({ err: error }, 'subscription event failed');
                const failed = {
                  message: 'Internal server error.',
                  extensions: { code: 'INTERNAL_SERVER_ERROR' },
                };
                broadcast({ data: null, errors: [failed] } as never, receivedAt);
              },
            );
        },
        error: (error) => {
          void queue.then(() =>
            finish({ data: null, errors: upstreamErrors(error, plan.primary.serviceName) }),
          );
        },
        complete: () => {
          void queue.then(() => finish());
        },
      },
    );
    return topic;
  };

  return {
    subscribe(plan, schemas, request, onOverflow) {
      const key = topicKey(request);
      const topic = topics.get(key) ?? openTopic(key, plan, schemas, request);
      topics.set(key, topic);
      const channel = createChannel<ExecutionResult>(
        deps.bufferLimit,
        () => {
          topic.subscribers.delete(channel);
          if (topic.subscribers.size === 0 && topics.get(key) === topic) {
            topics.delete(key);
            topic.stopUpstream();
          }
        },
        onOverflow,
      );
      topic.subscribers.add(channel);
      return channel;
    },
    stats: () => ({
      topics: topics.size,
      subscribers: [...topics.values()].reduce((sum, topic) => sum + topic.subscribers.size, 0),
      ...stats,
    }),
    close() {
      for (const topic of [...topics.values()]) {
        topic.stopUpstream();
        for (const subscriber of topic.subscribers) subscriber.end();
      }
      topics.clear();
    },
  };
}

/**
 * graphql-ws reports a refused subscription as an array of GraphQL errors (passed on, e.g.
 * UNAUTHENTICATED), and a lost connection as anything else.
 */
function upstreamErrors(error: unknown, serviceName: string): ExecutionResult['errors'] {
  if (Array.isArray(error)) return error as ExecutionResult['errors'];
  return [
    {
      message: `Subgraph ${serviceName} is unreachable.`,
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName },
    },
  ] as never;
}
