/**
 * Builds the gateway by wiring its parts: the supergraph source (@apollo/gateway over a file),
 * the edge (request context: tokens, budget), the execution seam, the hot path, Apollo Server,
 * the HTTP routes and the subscription server. It knows no domain and runs over any composed
 * supergraph. Does not listen; see main.ts.
 */
import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginSchemaReportingDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { answersTypename, createGraphQLHandler } from '../platform/http';
import { createLogger } from '../platform/logger';
import { useOperationGuard } from '../platform/operation-guard';
import { createMetrics, createRequestObserver, useMetrics } from '../platform/metrics';
import { createEdge } from './edge';
import { applyApolloTelemetrySetting, type GatewayConfig } from './env';
import { createExecution, type GatewayContext } from './execution';
import { createGraphiQL } from './graphiql';
import { createKnownOperations } from './known-operations';
import { createGatewayMetrics, observeSubscriptions } from './metrics';
import { createOperationLimits } from './operation-limits';
import { createRoutes } from './routes';
import { createSubscriptionExecutor, type SubscriptionStats } from './subscriptions/executor';
import { createSubscriptionPlanner, type SubscriptionPlanner } from './subscriptions/planner';
import { createSubscriptionServer } from './subscriptions/server';
import { createUpstreams } from './subscriptions/upstream';
import { createSupergraphSource } from './supergraph-source';

export type { GatewayContext } from './execution';

export interface Gateway {
  httpServer: Server;
  start(): Promise<void>;
  subscriptionStats(): SubscriptionStats & { upstreamSubscriptions: number; connections: number };
  /** Stops Apollo, the subgraph pools and Redis (close the HTTP server first). */
  close(): Promise<void>;
}

/** Distinct operations whose plans the hot path keeps (a client's set is usually far smaller). */
const KNOWN_OPERATIONS = 1000;

export async function createGateway(config: GatewayConfig): Promise<Gateway> {
  applyApolloTelemetrySetting(config.apolloTelemetry);
  const logger = createLogger({ name: 'gateway', level: config.logLevel });
  const metrics = createMetrics('gateway');
  const gatewayMetrics = createGatewayMetrics(metrics);
  const requestObserver = createRequestObserver(metrics);
  const limits = createOperationLimits(config.operationLimits);
  const execution = createExecution(logger);
  const knownOperations = createKnownOperations({
    formatError: limits.formatError,
    observer: requestObserver,
    onAnswered: (path) => gatewayMetrics.countOperation(path),
    execution,
    maxEntries: KNOWN_OPERATIONS,
  });
  const { gateway, clients } = createSupergraphSource({
    config,
    logger,
    metrics: gatewayMetrics,
    didResolveQueryPlan: knownOperations.remember,
  });
  let planner: SubscriptionPlanner | null = null;
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    planner = createSubscriptionPlanner(execution.load(coreSupergraphSdl, clients));
    knownOperations.clear();
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    // Batched HTTP requests stay off (Apollo's default): one request, one operation, one budget.
    allowBatchedHttpRequests: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    csrfPrevention: true,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError: limits.formatError,
    plugins: [
      ...limits.plugins,
      useMetrics(requestObserver, limits.formatError),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      useOperationGuard(),
    ],
  });

  const edge = await createEdge(config, logger);
  let supergraphLoaded = false;
  const httpServer = createServer(
    createRoutes({
      config,
      graphql: createGraphQLHandler({
        apollo,
        context: edge.buildContext,
        maxBodyBytes: config.maxBodyBytes,
      }),
      edge,
      knownOperations,
      graphiql: config.graphiql ? createGraphiQL(config.graphiqlTabsDir) : null,
      readiness: {
        supergraph: async () => {
          if (!supergraphLoaded) throw new Error('supergraph not loaded');
        },
        subgraphs: async () => {
          const failures = await Promise.all(
            [...clients].map(async ([name, client]) =>
              (await answersTypename(client.url)) ? null : name,
            ),
          );
          const down = failures.filter(Boolean);
          if (down.length > 0) throw new Error(`unreachable: ${down.join(', ')}`);
        },
      },
      metrics,
      gatewayMetrics,
      countError: (code) => requestObserver.countError(code),
      logger,
    }),
  );

  const upstreams = createUpstreams();
  const executor = createSubscriptionExecutor({
    upstreams,
    dataSources: () => clients,
    runEvent: execution.runSubscriptionEvent,
    logger,
    bufferLimit: config.subscriptionBufferLimit,
    onDelivered: (seconds) => gatewayMetrics.deliveryLatency.observe(seconds),
  });
  const subscriptions = createSubscriptionServer({
    httpServer,
    planner: () => planner,
    checkOperation: limits.checkOperation,
    executor,
    credentials: edge.credentials,
    revocations: edge.revocations,
    trustedProxies: config.trustedProxies,
    logger,
    keepAliveMs: config.subscriptionKeepAliveMs,
    limits: config.subscriptionLimits,
  });
  const subscriptionStats = () => ({
    ...executor.stats(),
    upstreamSubscriptions: upstreams.active(),
    connections: subscriptions.connections(),
  });
  observeSubscriptions(metrics, subscriptionStats);

  return {
    httpServer,
    async start() {
      await apollo.start();
      supergraphLoaded = true;
    },
    subscriptionStats,
    async close() {
      await subscriptions.close();
      executor.close();
      await upstreams.close();
      await apollo.stop();
      await Promise.all([...clients.values()].map((client) => client.close()));
      await edge.close();
    },
  };
}
