/**
 * Builds a subgraph: Apollo Server over `buildSubgraphSchema`, served by Node's http server with
 * health routes. Building is separate from listening, so tests and the local runner start the
 * same thing production does.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  GraphQLError,
  type DocumentNode,
  type GraphQLFormattedError,
  OperationTypeNode,
} from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { createAdmission, DEFAULT_CONCURRENT_REQUESTS } from '../../platform/admission';
import type { CredentialVerifier } from '../../platform/credentials';
import { ErrorCode, formatErrorForClient, isClientError } from '../../platform/errors';
import {
  clientAddressOf,
  createGraphQLHandler,
  documentStore,
  HttpError,
  readGraphQLBody,
  sendError,
  serveHealth,
  type ReadinessCheck,
} from '../../platform/http';
import type { Logger } from '../../platform/logger';
import {
  createMetrics,
  createRequestObserver,
  useMetrics,
  type Metrics,
} from '../../platform/metrics';
import { shareEmptyArguments } from './field-arguments';
import { createLeanQueries } from './lean-queries';
import { isDatabaseUnreachable } from './orm';
import type { ReadRouting } from './read-routing';
import { checkRepresentations } from './representations';
import { writableMode } from './reads';
import type { RequestInfo } from './request-info';
import { refuseUnstorableText } from './storable-text';
import { serveSubscriptions, serveSubscriptionsOverHttp } from './subscription-server';
import { useOperationGuard } from '../../platform/operation-guard';
import { setSecurityHeaders } from '../../platform/security-headers';
import type { TrustedProxies } from '../../platform/trusted-proxies';
import { withServerSpan } from '../../platform/tracing';
import { credentialRefusal, readForwarded } from '../../platform/wire';

/** Only the gateway calls subgraphs: no browser origin is allowed, TLS ends before them. */
const SUBGRAPH_SECURITY = { corsOrigins: new Set<string>(), hsts: false };

/**
 * The resolver map buildSubgraphSchema takes, named through its public signature: the package
 * exports no name for it, only a path inside its dist/.
 */
type SubgraphModule = Exclude<
  Extract<Parameters<typeof buildSubgraphSchema>[0], unknown[]>[number],
  DocumentNode
>;
type SubgraphResolvers = NonNullable<SubgraphModule['resolvers']>;

export interface SubgraphServerOptions<TContext extends RequestInfo> {
  name: string;
  typeDefs: DocumentNode;
  /** Codegen-typed resolvers; Apollo's own map type is context-agnostic. */
  resolvers: SubgraphResolvers;
  /**
   * graphql-middleware applied to the built subgraph schema, e.g. the subgraph's graphql-shield
   * permissions. It wraps field resolvers (and `subscribe` where a field has no resolver of its
   * own); `__resolveReference` lives in the type's extensions and is kept as it is.
   */
  middleware?: Parameters<typeof applyMiddleware>[1][];
  credentials: CredentialVerifier;
  /** Adds the subgraph's own per-request state (forked EntityManager, DataLoaders, …). */
  createContext: (request: RequestInfo) => TContext;
  readiness: Record<string, ReadinessCheck>;
  /** Which queries read from a read replica (kit/read-routing.ts); all from the primary if null. */
  readRouting?: ReadRouting | null;
  logger: Logger;
  maxBodyBytes: number;
  /** GraphQL requests over HTTP worked on at once; the rest wait (platform/admission.ts). */
  maxConcurrentRequests?: number;
  trustedProxies: TrustedProxies;
  introspection: boolean;
  /** Extra HTTP routes by exact path, e.g. the users subgraph's API key introspection. */
  routes?: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>;
}

export interface SubgraphServer {
  httpServer: Server;
  /** The subgraph's Prometheus registry, served on /metrics; add the subgraph's own series. */
  metrics: Metrics;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Queries (federation's `_entities` included) read plain rows, from a replica if routing picks
 * one; mutations keep entities, and record their caller's write once answered.
 */
function readModes(routing: ReadRouting | null) {
  return {
    async enter(context: RequestInfo, operation: OperationTypeNode | undefined): Promise<void> {
      if (!context.mode) return;
      context.mode.readOnly = operation === 'query';
      if (routing && context.mode.readOnly) {
        context.mode.replica = await routing.replicaFor(context.principal);
      }
    },
    /** Before the response leaves: the caller's next query may already be on its way. */
    async answered(context: RequestInfo, operation: OperationTypeNode | undefined): Promise<void> {
      if (routing && (operation === 'mutation' || context.mode?.fence)) {
        await routing.wrote(context.principal);
      }
    },
  };
}

function useReadMode<TContext extends RequestInfo>(
  modes: ReturnType<typeof readModes>,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        didResolveOperation: ({ contextValue, operation }) =>
          modes.enter(contextValue, operation?.operation),
        willSendResponse: ({ contextValue, operation }) =>
          modes.answered(contextValue, operation?.operation),
      };
    },
  };
}

/**
 * Errors as this subgraph's clients get them: masked (platform/errors.ts), except that a
 * database that cannot be reached (restarting, a connection dropped) is SUBGRAPH_UNAVAILABLE
 * naming this subgraph — retryable, as a starting subgraph's answer is.
 */
export function subgraphErrorFormatter(serviceName: string) {
  return (formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError =>
    isDatabaseUnreachable(error)
      ? {
          message: `Subgraph ${serviceName} cannot reach its database; retry shortly.`,
          ...(formatted.path ? { path: formatted.path } : {}),
          extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName },
        }
      : formatErrorForClient(formatted, error);
}

/** Logs unexpected errors with the request id; clients only see them masked. */
function useErrorLogging<TContext extends RequestInfo>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors, operationName }) {
          for (const error of errors) {
            const original = error.originalError ?? error;
            if (
              !isClientError(original) &&
              !error.extensions?.code?.toString().startsWith('GRAPHQL_')
            ) {
              contextValue.logger.error({ err: original, operationName }, 'request failed');
            }
          }
        },
      };
    },
  };
}

export function createSubgraphServer<TContext extends RequestInfo>(
  options: SubgraphServerOptions<TContext>,
): SubgraphServer {
  const built = buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers });
  checkRepresentations(built);
  // For the whole process (graphql-js has one executor), and idempotent.
  shareEmptyArguments();
  refuseUnstorableText(built);
  const schema = options.middleware?.length ? applyMiddleware(built, ...options.middleware) : built;
  const metrics = createMetrics(options.name);
  const observer = createRequestObserver(metrics);
  const modes = readModes(options.readRouting ?? null);
  const formatError = subgraphErrorFormatter(options.name);
  const apollo = new ApolloServer<TContext>({
    schema,
    documentStore: documentStore(),
    csrfPrevention: true,
    introspection: options.introspection,
    // registerShutdown drains this process; Apollo's own signal handler would stop it at once
    // and send the signal again, killing the process while requests are still in flight.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError,
    // Inline traces only serve Apollo's hosted usage reporting, and cache hints nothing here
    // (no @cacheControl, no response cache): both would wrap every field resolver.
    plugins: [
      useErrorLogging<TContext>(),
      useReadMode<TContext>(modes),
      useOperationGuard<TContext>(),
      useMetrics(observer),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
    ],
  });

  /** What a request's headers say about it: credentials refused answer 401. */
  const requestInfo = async (req: IncomingMessage): Promise<RequestInfo> => {
    const forwarded = readForwarded(req.headers);
    const requestId = forwarded.requestId ?? randomUUID();
    const { credentials } = forwarded;
    const principal = await options.credentials
      .authenticate(credentials)
      .catch((error: unknown) => {
        throw error instanceof GraphQLError ? credentialRefusal(error) : error;
      });
    return {
      requestId,
      principal,
      credentials,
      clientAddress: clientAddressOf(req, options.trustedProxies),
      logger: options.logger.child({ requestId }),
    };
  };
  const buildContext = async (req: IncomingMessage): Promise<TContext> =>
    options.createContext({ ...(await requestInfo(req)), mode: writableMode() });

  const admission = createAdmission(options.maxConcurrentRequests ?? DEFAULT_CONCURRENT_REQUESTS);
  let abandoned = 0;
  metrics.gauge(
    'opsgraph_requests_waiting',
    'GraphQL requests over HTTP waiting for one of MAX_CONCURRENT_REQUESTS places.',
    admission.waiting,
  );
  metrics.counter(
    'opsgraph_requests_abandoned_total',
    'GraphQL requests whose caller hung up while they waited for a place: not executed.',
    () => abandoned,
  );
  const graphql = createGraphQLHandler({
    apollo,
    context: buildContext,
    maxBodyBytes: options.maxBodyBytes,
  });
  let leanAnswered = 0;
  const leanQueries = createLeanQueries<TContext>({
    schema,
    observer,
    enterQueryMode: (context) => modes.enter(context, OperationTypeNode.QUERY),
    queryAnswered: (context) => modes.answered(context, OperationTypeNode.QUERY),
  });
  metrics.counter(
    'opsgraph_lean_queries_total',
    'Queries answered on the fast path past Apollo Server (kit/lean-queries.ts).',
    () => leanAnswered,
  );

  const httpServer = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    setSecurityHeaders(res, SUBGRAPH_SECURITY);
    const handle = async () => {
      if (await serveHealth(path, res, options.readiness)) return;
      if (path === '/metrics') return metrics.serve(res);
      const route = options.routes?.[path];
      if (route) return route(req, res);
      if (path !== '/graphql') throw new HttpError(404, 'Not found.', 'NOT_FOUND');
      const body = await readGraphQLBody(req, options.maxBodyBytes);
      if (await subscriptionsOverHttp?.serve(req, res, body)) return;
      // The server span includes the wait for a place: the time the caller saw.
      await withServerSpan(options.name, req.headers, () =>
        admission.run(async () => {
          // Its caller gave up (a gateway's timeout, under overload): no one would read the answer.
          if (!req.socket.writable) abandoned += 1;
          else if (await leanQueries(req, res, body, () => buildContext(req))) leanAnswered += 1;
          else await graphql(req, res, body);
        }),
      );
    };
    handle().catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpError) return sendError(res, error);
      options.logger.error({ err: error }, 'unhandled HTTP error');
      sendError(res, new HttpError(500, 'Internal server error.', 'INTERNAL_SERVER_ERROR'));
    });
  });

  // Subgraphs that declare subscriptions also serve graphql-ws on the same path and port.
  const subscriptions = schema.getSubscriptionType()
    ? serveSubscriptions({
        httpServer,
        schema,
        credentials: options.credentials,
        createContext: options.createContext,
        formatError,
        logger: options.logger,
        trustedProxies: options.trustedProxies,
      })
    : null;

  const subscriptionsOverHttp = subscriptions
    ? serveSubscriptionsOverHttp({
        httpServer,
        schema,
        credentials: options.credentials,
        requestInfo,
        createContext: options.createContext,
        formatError,
        refuse: (req, res, body, error) => graphql(req, res, body, () => Promise.reject(error)),
      })
    : null;

  if (subscriptions) {
    metrics.gauge(
      'opsgraph_websocket_connections',
      'Open graphql-ws connections.',
      subscriptions.connections,
    );
    metrics.gauge(
      'opsgraph_subscriptions_active',
      'Subscriptions being served (graphql-ws, SSE and multipart).',
      () => subscriptions.active() + (subscriptionsOverHttp?.active() ?? 0),
    );
  }

  return {
    httpServer,
    metrics,
    start: () => apollo.start(),
    async stop() {
      await subscriptions?.close();
      await apollo.stop();
      metrics.close();
    },
  };
}
