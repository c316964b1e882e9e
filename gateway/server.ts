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
import { answerUnparsedRequests, createGraphQLHandler, documentStore } from '../platform/http';
import { createLogger } from '../platform/logger';
import { useOperationGuard } from '../platform/operation-guard';
import { createMetrics, createRequestObserver, useMetrics } from '../platform/metrics';
import { securityHeaders } from '../platform/security-headers';
import { createEdge } from './edge';
import { applyApolloTelemetrySetting, type GatewayConfig } from './env';
import { createExecution, type GatewayContext } from './execution';
import { createGraphiQL } from './graphiql';
import { createKnownOperations } from './known-operations';
import {
  createGatewayMetrics,
  observeSubscriptions,
  type GatewaySubscriptionStats,
} from './metrics';
import { createOperationLimits } from './operation-limits';
import { createRoutes } from './routes';
import { createSubgraphHealth } from './subgraph-health';
import {
  createSubscriptionExecutor,
  DEFAULT_HISTORY,
  DEFAULT_RETRY,
} from './subscriptions/executor';
import { createHttpSubscriptions, type HttpSubscriptions } from './subscriptions/http';
import { createSubscriptionPlanner, type SubscriptionPlanner } from './subscriptions/planner';
import { createSubscriptionServer } from './subscriptions/server';
import { createSubscriptionSessions } from './subscriptions/sessions';
import { createUpstreams } from './subscriptions/upstream';
import { createSupergraphSource } from './supergraph-source';

export type { GatewayContext } from './execution';

export interface Gateway {
  httpServer: Server;
  start(): Promise<void>;
  subscriptionStats(): GatewaySubscriptionStats;
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
    documentStore: documentStore(),
    csrfPrevention: true,
    introspection: config.introspection,
    // registerShutdown drains this process; Apollo's own signal handler would stop it at once
    // and send the signal again, killing the process while requests are still in flight.
    stopOnTerminationSignals: false,
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
  const graphql = createGraphQLHandler({
    apollo,
    context: edge.buildContext,
    maxBodyBytes: config.maxBodyBytes,
  });
  let supergraphLoaded = false;
  // Set once the subscription side is built, below: it needs the HTTP server.
  let httpSubscriptions: HttpSubscriptions | null = null;
  const httpServer = createServer(
    createRoutes({
      config,
      graphql,
      subscriptionsOverHttp: (req, res, body) => httpSubscriptions?.serve(req, res, body) ?? null,
      edge,
      knownOperations,
      // GraphiQL sends free text, which a gateway that requires trusted documents refuses.
      graphiql:
        config.graphiql && config.trustedDocuments.mode !== 'require'
          ? createGraphiQL(config.graphiqlTabsDir)
          : null,
      readiness: {
        supergraph: async () => {
          if (!supergraphLoaded) throw new Error('supergraph not loaded');
        },
        subgraphs: createSubgraphHealth(clients, metrics),
      },
      metrics,
      gatewayMetrics,
      countError: (code) => requestObserver.countError(code),
      logger,
    }),
  );

  answerUnparsedRequests(httpServer, securityHeaders(config.security));

  const upstreams = createUpstreams();
  const executor = createSubscriptionExecutor({
    upstreams,
    dataSources: () => clients,
    runEvent: execution.runSubscriptionEvent,
    runEvents: execution.runSubscriptionEvents,
    logger,
    bufferLimit: config.subscriptionBufferLimit,
    history: {
      ...DEFAULT_HISTORY,
      // A joiner is handed the history in one go: it must leave a reader room below the bytes
      // that make it a slow one.
      bytes: Math.min(
        DEFAULT_HISTORY.bytes,
        Math.floor(config.subscriptionLimits.maxBufferedBytes / 2),
      ),
      ageMs: config.subscriptionHistorySeconds * 1000,
    },
    onDelivered: (seconds) => gatewayMetrics.deliveryLatency.observe(seconds),
    // An event waiting on a subgraph whose breaker opened is retried at least until the breaker
    // has let a probe through: a subgraph back after a short restart then completes it, rather
    // than every stream needing it ending while the breaker still fails fetches fast.
    retry: {
      ...DEFAULT_RETRY,
      giveUpAfterMs: Math.max(
        DEFAULT_RETRY.giveUpAfterMs,
        config.subgraphResilience.breaker.openMs + DEFAULT_RETRY.maxDelayMs,
      ),
    },
  });
  const sessions = createSubscriptionSessions({
    planner: () => planner,
    checkOperation: limits.checkOperation,
    formatError: limits.formatError,
    executor,
    revocations: edge.revocations,
    apiKeys: edge.apiKeys,
  });
  httpSubscriptions = createHttpSubscriptions({
    httpServer,
    sessions,
    edge,
    graphql,
    heartbeatMs: config.subscriptionKeepAliveMs,
    maxBufferedBytes: config.subscriptionLimits.maxBufferedBytes,
  });
  const subscriptions = createSubscriptionServer({
    httpServer,
    sessions,
    credentials: edge.credentials,
    apiKeys: edge.apiKeys,
    trustedProxies: config.trustedProxies,
    logger,
    keepAliveMs: config.subscriptionKeepAliveMs,
    limits: config.subscriptionLimits,
    trustedDocuments: config.trustedDocuments,
  });
  const subscriptionStats = () => ({
    ...executor.stats(),
    upstreamSubscriptions: upstreams.active(),
    connections: subscriptions.connections(),
    byTransport: { active: sessions.active(), delivered: sessions.delivered() },
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
      sessions.close();
      executor.close();
      await upstreams.close();
      await apollo.stop();
      await Promise.all([...clients.values()].map((client) => client.close()));
      await edge.close();
      metrics.close();
    },
  };
}
