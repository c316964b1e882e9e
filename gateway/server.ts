/**
 * Builds the gateway: @apollo/gateway over a supergraph file (reloaded when it changes), lean
 * subgraph clients, token verification at the edge, GraphiQL, health routes. It knows no domain
 * and runs over any composed supergraph. Does not listen; see main.ts.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginSchemaReportingDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { context } from '@opentelemetry/api';
import {
  createCredentialVerifier,
  headerValue,
  type CredentialVerifier,
} from '../subgraphs/kit/credentials';
import {
  clientAddressOf,
  createGraphQLHandler,
  HttpError,
  readGraphQLBody,
  answersTypename,
  sendError,
  serveHealth,
  type ReadinessCheck,
} from '../subgraphs/kit/http';
import { createLogger } from '../subgraphs/kit/logger';
import { createRedisConnections, type RedisConnections } from '../subgraphs/kit/redis';
import { createRevocationList, type RevocationList } from '../subgraphs/kit/revocations';
import { createTokenVerifier } from '../subgraphs/kit/tokens';
import { useOperationGuard } from '../subgraphs/kit/operation-guard';
import { handleCors, setSecurityHeaders } from '../subgraphs/kit/security-headers';
import { incomingContext } from '../subgraphs/kit/tracing';
import { createSubgraphClient, type ForwardedRequest, type SubgraphClient } from './data-source';
import { applyApolloTelemetrySetting, type GatewayConfig } from './env';
import { createSubscriptionExecutor, type SubscriptionStats } from './subscriptions/executor';
import { createSubscriptionPlanner, type SubscriptionPlanner } from './subscriptions/planner';
import { createSubscriptionServer } from './subscriptions/server';
import { createUpstreams } from './subscriptions/upstream';
import { createGraphiQL } from './graphiql';
import { createOperationLimits } from './operation-limits';
import { createRequestBudget } from './request-budget';
import { createGatewayMetrics, observeSubscriptions } from './metrics';
import { createMetrics, createRequestObserver, useMetrics } from '../subgraphs/kit/metrics';
import { createKnownOperations } from './known-operations';
import { createEdgeAuthenticator } from './edge-auth';
import { answerHead } from './edge-routes';
import { createApiKeyIntrospection } from '../subgraphs/kit/api-keys';

export interface GatewayContext {
  forwarded: ForwardedRequest;
}

export interface Gateway {
  httpServer: Server;
  start(): Promise<void>;
  subscriptionStats(): SubscriptionStats & { upstreamSubscriptions: number; connections: number };
  /** Stops Apollo, the subgraph pools and Redis (close the HTTP server first). */
  close(): Promise<void>;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** Distinct operations whose plans the hot path keeps (a client's set is usually far smaller). */
const KNOWN_OPERATIONS = 1000;

export async function createGateway(config: GatewayConfig): Promise<Gateway> {
  applyApolloTelemetrySetting(config.apolloTelemetry);
  const logger = createLogger({ name: 'gateway', level: config.logLevel });
  const clients = new Map<string, SubgraphClient>();
  const metrics = createMetrics('gateway');
  const gatewayMetrics = createGatewayMetrics(metrics);
  const requestObserver = createRequestObserver(metrics);
  const limits = createOperationLimits(config.operationLimits);
  const knownOperations = createKnownOperations({
    formatError: limits.formatError,
    observer: requestObserver,
    onAnswered: (path) => gatewayMetrics.countOperation(path),
    logger,
    maxEntries: KNOWN_OPERATIONS,
  });
  let supergraphLoaded = false;

  const gateway = new ApolloGateway({
    logger,
    experimental_didResolveQueryPlan: knownOperations.remember,
    supergraphSdl: async ({ update }) => {
      const path = config.supergraphPath;
      let current = readFileSync(path, 'utf8');
      // Polling rather than fs.watch: it survives editors' atomic renames and Kubernetes
      // ConfigMap symlink swaps alike.
      watchFile(path, { interval: 1000 }, () => {
        let next: string;
        try {
          next = readFileSync(path, 'utf8');
        } catch (error) {
          return logger.error(
            { err: error, path },
            'supergraph file unreadable; keeping the current one',
          );
        }
        if (next === current) return;
        try {
          update(next);
          current = next;
          logger.info({ path }, 'supergraph reloaded');
        } catch (error) {
          logger.error({ err: error, path }, 'new supergraph rejected; keeping the current one');
        }
      });
      return { supergraphSdl: current, cleanup: async () => unwatchFile(path) };
    },
    buildService: ({ name, url }) => {
      const target = config.subgraphUrls[name.toLowerCase()] ?? url;
      if (!target)
        throw new Error(`Subgraph ${name} has no URL; set SUBGRAPH_${name.toUpperCase()}_URL.`);
      clients
        .get(name)
        ?.close()
        .catch(() => undefined);
      const fetchDuration = gatewayMetrics.subgraphFetchDuration.labels(name);
      const client = createSubgraphClient(name, target, config.subgraphTimeoutMs, (seconds) =>
        fetchDuration.observe(seconds),
      );
      clients.set(name, client);
      return client;
    },
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

  let redis: RedisConnections | null = null;
  let revocations: RevocationList | null = null;
  if (config.redisUrl) {
    redis = createRedisConnections(config.redisUrl, config.redisPrefix);
    revocations = await createRevocationList(redis);
  }
  const credentials: CredentialVerifier | null = config.publicKeys
    ? createCredentialVerifier({
        tokens: await createTokenVerifier(config.publicKeys),
        revocations,
        resolveApiKey: null,
      })
    : null;

  const apiKeys =
    redis && config.apiKeyIntrospectionUrl
      ? await createApiKeyIntrospection({ url: config.apiKeyIntrospectionUrl, redis })
      : null;
  const authenticateAtEdge = createEdgeAuthenticator({ tokens: credentials, apiKeys, logger });
  const budget = createRequestBudget(redis, config.requestRateLimit);

  const buildContext = async (req: IncomingMessage): Promise<GatewayContext> => {
    const incomingId = headerValue(req.headers['x-request-id']);
    const requestId = incomingId && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    const clientAddress = clientAddressOf(req, config.trustedProxies);
    // Bad credentials are refused here, once, before any subgraph is called.
    const { authorization, apiKey } = await authenticateAtEdge(req);
    // Charged after the token is verified, so made-up tokens cannot each buy a fresh budget;
    // API keys are verified by the subgraphs, so they count against the client address.
    await budget.charge({ credential: credentials ? authorization : undefined, clientAddress });
    return { forwarded: { requestId, clientAddress, authorization, apiKey } };
  };

  const graphql = createGraphQLHandler({
    apollo,
    context: buildContext,
    maxBodyBytes: config.maxBodyBytes,
  });

  const serveGraphQL = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readGraphQLBody(req, config.maxBodyBytes);
    const hot = knownOperations.match(req, body);
    if (!hot) {
      gatewayMetrics.countOperation('pipeline');
      return graphql(req, res, body);
    }
    let requestContext: GatewayContext;
    try {
      requestContext = await buildContext(req);
    } catch (error) {
      // Refused (bad token, budget spent): Apollo Server writes the error response.
      return graphql(req, res, body, () => Promise.reject(error));
    }
    await knownOperations.answer(hot, requestContext, res);
  };

  let planner: SubscriptionPlanner | null = null;
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    planner = createSubscriptionPlanner(coreSupergraphSdl);
    knownOperations.clear(planner.schemas);
  });
  const upstreams = createUpstreams();
  const executor = createSubscriptionExecutor({
    upstreams,
    dataSources: () => clients,
    logger,
    bufferLimit: config.subscriptionBufferLimit,
    onDelivered: (seconds) => gatewayMetrics.deliveryLatency.observe(seconds),
  });
  const graphiql = config.graphiql ? createGraphiQL(config.graphiqlTabsDir) : null;

  const readiness: Record<string, ReadinessCheck> = {
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
  };

  const httpServer = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    setSecurityHeaders(res, config.security);
    const handle = async () => {
      if (handleCors(req, res, config.security)) return;
      if (await serveHealth(path, res, readiness)) return;
      if (path === '/metrics') return metrics.serve(res);
      if (graphiql?.serve(path, res)) return;
      if (answerHead(req, path, res)) return;
      if (path !== '/graphql') throw new HttpError(404, 'Not found.', 'NOT_FOUND');
      if (graphiql && req.method === 'GET' && wantsHtml(req)) return graphiql.page(res);
      // @apollo/gateway's spans continue the client's trace, if it sent one.
      await context.with(incomingContext(req.headers), () => serveGraphQL(req, res));
    };
    handle().catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpError) {
        // Refused before Apollo saw it (e.g. malformed JSON): still an error the client sees.
        if (path === '/graphql') requestObserver.countError(error.code);
        return sendError(res, error);
      }
      logger.error({ err: error }, 'unhandled HTTP error');
      sendError(res, new HttpError(500, 'Internal server error.', 'INTERNAL_SERVER_ERROR'));
    });
  });

  const subscriptions = createSubscriptionServer({
    httpServer,
    planner: () => planner,
    executor,
    credentials,
    revocations,
    trustedProxies: config.trustedProxies,
    logger,
    keepAliveMs: config.subscriptionKeepAliveMs,
    limits: config.subscriptionLimits,
  });
  observeSubscriptions(metrics, () => ({
    ...executor.stats(),
    upstreamSubscriptions: upstreams.active(),
    connections: subscriptions.connections(),
  }));

  return {
    httpServer,
    async start() {
      await apollo.start();
      supergraphLoaded = true;
    },
    subscriptionStats: () => ({
      ...executor.stats(),
      upstreamSubscriptions: upstreams.active(),
      connections: subscriptions.connections(),
    }),
    async close() {
      await subscriptions.close();
      executor.close();
      await upstreams.close();
      await apollo.stop();
      await Promise.all([...clients.values()].map((client) => client.close()));
      await apiKeys?.close();
      await revocations?.close();
      await redis?.close();
    },
  };
}

function wantsHtml(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return (req.headers.accept ?? '').includes('text/html') && !url.includes('query=');
}
