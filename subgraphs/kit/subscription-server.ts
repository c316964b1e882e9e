/**
 * graphql-ws on a subgraph's `/graphql` path, beside HTTP. The gateway multiplexes many callers
 * over one connection, so credentials come with each subscription (`extensions.headers`, as the
 * gateway forwards them) or, for a client connected directly, with `connection_init`. Either
 * way the subgraph authenticates the caller itself, and the subscription's resolvers authorize
 * it at subscribe time and for every event.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { CredentialVerifier } from '../../platform/credentials';
import { formatErrorsForClient, withRequestCode } from '../../platform/errors';
import { clientAddressOf } from '../../platform/http';
import type { Logger } from '../../platform/logger';
import { goAwayOnClose } from '../../platform/shutdown';
import { readForwarded, readSubscribeExtensions, withResumeCursor } from '../../platform/wire';
import type { RequestInfo } from './request-info';
import { createStreamState } from './resumable';

export interface SubgraphSubscriptions {
  connections(): number;
  active(): number;
  close(): Promise<void>;
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
        const sent = readSubscribeExtensions(payload.extensions);
        const forwarded = readForwarded(sent.headers ?? ctx.connectionParams ?? {});
        const { credentials } = forwarded;
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
        const requestId = forwarded.requestId ?? randomUUID();
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
              (peerIsProxy && forwarded.clientAddress) ||
              clientAddressOf(ctx.extra.request, options.trustedProxies),
            logger: options.logger.child({ requestId }),
            stream: createStreamState(sent.resumeAfter),
          }),
        };
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        // Resumable streams tell the gateway where they are, so it can resume after a drop.
        const resumeCursor = (args.contextValue as TContext).stream?.position();
        if (!result.errors && !resumeCursor) return undefined;
        const formatted = result.errors
          ? { ...result, errors: formatErrorsForClient(result.errors) }
          : result;
        return resumeCursor ? withResumeCursor(formatted, resumeCursor) : formatted;
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
