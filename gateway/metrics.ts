/**
 * The gateway's own series, beside the request and error series every service has: subgraph
 * fetch durations, WebSocket connections, subscriptions and event delivery.
 */
import { Counter, Histogram } from 'prom-client';
import type { Metrics } from '../platform/metrics';
import type { SubscriptionStats } from './subscriptions/executor';
import type { SubscriptionTransport } from './subscriptions/sessions';

export type GatewaySubscriptionStats = SubscriptionStats & {
  upstreamSubscriptions: number;
  connections: number;
  /** Client subscriptions and results handed to them, by transport. */
  byTransport: {
    active: Record<SubscriptionTransport, number>;
    delivered: Record<SubscriptionTransport, number>;
  };
};

export type OperationPath = 'pipeline' | 'cached-plan' | 'lean';

export function createGatewayMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  const operationPaths = new Counter({
    name: 'opsgraph_gateway_operations_total',
    help: 'HTTP operations by how they were answered: Apollo Server’s pipeline (a document seen for the first time, or anything unusual), or the hot path running a remembered plan with Apollo’s executor (cached-plan) or the lean one.',
    labelNames: ['path'] as const,
    registers,
  });
  // Bound once: no label object per request.
  const byPath = {
    pipeline: operationPaths.labels('pipeline'),
    'cached-plan': operationPaths.labels('cached-plan'),
    lean: operationPaths.labels('lean'),
  };
  return {
    countOperation: (path: OperationPath) => byPath[path].inc(),
    subgraphFetchDuration: new Histogram({
      name: 'opsgraph_subgraph_fetch_duration_seconds',
      help: 'Duration of the gateway’s HTTP requests to each subgraph.',
      labelNames: ['subgraph'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    /** From an upstream event's arrival at the gateway to its result being queued for a client. */
    deliveryLatency: new Histogram({
      name: 'opsgraph_subscription_delivery_latency_seconds',
      help: 'Subscription events: upstream event received → result handed to its subscribers (one observation per event and shared upstream subscription).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

export function observeSubscriptions(
  metrics: Metrics,
  stats: () => GatewaySubscriptionStats,
): void {
  metrics.gauge(
    'opsgraph_websocket_connections',
    'Open graphql-ws connections.',
    () => stats().connections,
  );
  metrics.labelledGauge(
    'opsgraph_subscriptions_active',
    'Client subscriptions being served, by transport (graphql-ws, sse, multipart).',
    'transport',
    () => stats().byTransport.active,
  );
  metrics.gauge(
    'opsgraph_subscriptions_upstream',
    'Upstream subscriptions to subgraphs (identical client subscriptions share one).',
    () => stats().upstreamSubscriptions,
  );
  new Counter({
    name: 'opsgraph_subscription_events_delivered_total',
    help: 'Subscription results written to subscribers, by transport (graphql-ws, sse, multipart).',
    labelNames: ['transport'] as const,
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const [transport, count] of Object.entries(stats().byTransport.delivered))
        this.inc({ transport }, count);
    },
  });
}
