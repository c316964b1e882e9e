/**
 * graphql-ws on a subgraph's `/graphql` path, beside HTTP. The gateway multiplexes many callers
 * over one connection, so credentials come with each subscription (`extensions.headers`, as the
 * gateway forwards them) or, for a client or another router connected directly, with
 * `connection_init` or the upgrade request's headers (see callerHeaders). Either way the
 * subgraph authenticates the caller itself, and the subscription's resolvers authorize it at
 * subscribe time and for every event.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { CredentialVerifier } from './credentials';
import { formatErrorsForClient, withRequestCode } from './errors';
import { clientAddressOf } from './http';
import type { Logger } from './logger';
import { goAwayOnClose } from './shutdown';
import type { RequestInfo } from './subgraph-server';

export interface SubgraphSubscriptions {
  connections(): number;
  active(): number;
  close(): Promise<void>;
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The headers a subscription acts under, from the first place that carries credentials: the
 * subscription's own `extensions.headers` (the opsgraph gateway, one connection for many
 * callers), a `headers` object in `connection_init` (`{ headers: { authorization } }`, as
 * Hive Gateway and Apollo Client users send it), the `connection_init` payload itself
 * (`{ authorization }`), then the upgrade request's HTTP headers (routers that propagate headers
 * onto the WebSocket handshake, e.g. Apollo Router). Names are matched case-insensitively.
 */
function callerHeaders(
  subscription: unknown,
  connectionParams: unknown,
  upgrade: Record<string, unknown>,
): Record<string, unknown> {
  const sources = [
    subscription,
    isRecord(connectionParams) ? connectionParams.headers : undefined,
    connectionParams,
    upgrade,
  ]
    .filter(isRecord)
    .map((source) =>
      Object.fromEntries(
        Object.entries(source).map(([name, value]) => [name.toLowerCase(), value]),
      ),
    );
  const withCredentials = sources.find(
    (source) => text(source.authorization) ?? text(source['x-api-key']),
  );
  return withCredentials ?? sources[0] ?? {};
}

export function serveSubscriptions<TContext extends RequestInfo>(options: {
  httpServer: Server;
  schema: GraphQLSchema;
  credentials: CredentialVerifier;
  createContext: (request: RequestInfo) => TContext;
  logger: Logger;
  trustedProxies: ReadonlySet<string>;
  keepAliveMs?: number;
}): SubgraphSubscriptions {
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  goAwayOnClose(options.httpServer, () => wss.clients);
  // Subscriptions being served, by connection (ids are only unique within one).
  const active = new Map<object, Set<string>>();
  const server = useServer<Record<string, unknown>>(
    {
      schema: options.schema,
      onOperation: (ctx, id) => {
        active.set(ctx, (active.get(ctx) ?? new Set()).add(id));
      },
      onComplete: (ctx, id) => {
        active.get(ctx)?.delete(id);
      },
      onClose: (ctx) => {
        active.delete(ctx);
      },
      onSubscribe: async (ctx, _id, payload) => {
        const headers = callerHeaders(
          payload.extensions?.headers,
          ctx.connectionParams,
          ctx.extra.request.headers,
        );
        const credentials = {
          authorization: text(headers.authorization),
          apiKey: text(headers['x-api-key']),
        };
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [withRequestCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
        }
        const errors = validate(options.schema, document);
        if (errors.length > 0)
          return errors.map((error) => withRequestCode(error, 'GRAPHQL_VALIDATION_FAILED'));
        let principal;
        try {
          principal = await options.credentials.authenticate(credentials);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const requestId = text(headers['x-request-id']) ?? randomUUID();
        const peerIsProxy = options.trustedProxies.has(
          ctx.extra.request.socket.remoteAddress ?? '',
        );
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables ?? {},
          contextValue: options.createContext({
            requestId,
            principal,
            credentials,
            clientAddress:
              (peerIsProxy && text(headers['x-forwarded-for'])) ||
              clientAddressOf(ctx.extra.request, options.trustedProxies),
            logger: options.logger.child({ requestId }),
            stream: { resumeAfter: text(payload.extensions?.resumeAfter) },
          }),
        };
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        // Resumable streams tell the gateway where they are, so it can resume after a drop.
        const resumeCursor = (args.contextValue as TContext).stream?.lastCursor;
        if (!result.errors && !resumeCursor) return undefined;
        return {
          ...result,
          ...(result.errors ? { errors: formatErrorsForClient(result.errors) } : {}),
          ...(resumeCursor ? { extensions: { ...result.extensions, resumeCursor } } : {}),
        };
      },
      onError: (_ctx, _id, _payload, errors) => formatErrorsForClient(errors),
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );
  return {
    connections: () => wss.clients.size,
    active: () => [...active.values()].reduce((sum, ids) => sum + ids.size, 0),
    async close() {
      await server.dispose();
    },
  };
}
