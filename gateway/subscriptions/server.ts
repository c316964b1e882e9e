/**
 * The gateway's graphql-ws endpoint on `/graphql`, beside HTTP.
 *
 * - Credentials come in the `connection_init` payload (`{ "authorization": "Bearer …" }` or
 *   `{ "x-api-key": "…" }`); a bad token closes the socket with 4403 (Forbidden).
 * - A subscription ends with an UNAUTHENTICATED error when its session is revoked (logout, on
 *   any replica) or its token expires; the client reconnects with a fresh token and resumes.
 * - Limits: subscriptions per connection, connections per credential, and a bounded buffer per
 *   subscriber — one that cannot keep up is disconnected with 4008 rather than growing memory.
 * - On shutdown every socket closes with 1001 (going away), so clients reconnect elsewhere.
 * - Fan-out serializes each event once: every subscriber of a shared topic is sent the same
 *   bytes (see sendEvents), not a message built and stringified per socket.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError } from 'graphql';
import type { ExecutionResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Channel } from '../../platform/channel';
import type { CredentialVerifier } from '../../platform/credentials';
import { badUserInput, clientError, ErrorCode, formatErrorsForClient } from '../../platform/errors';
import { clientAddressOf } from '../../platform/http';
import type { Logger } from '../../platform/logger';
import { goAwayOnClose } from '../../platform/shutdown';
import type { Principal } from '../../platform/principal';
import type { RevocationList } from '../../platform/revocations';
import type { ForwardedRequest } from '../../platform/wire';
import type { CheckOperation } from '../operation-limits';
import { formatSubscriptionErrors, type SubscriptionExecutor } from './executor';
import type { SubscriptionPlan, SubscriptionPlanner } from './planner';

/** Close codes beyond graphql-ws's own (4400–4499). */
export const CloseCode = {
  GoingAway: 1001,
  TooManyConnections: 4029,
  SlowConsumer: 4008,
} as const;

export interface SubscriptionLimits {
  subscriptionsPerConnection: number;
  connectionsPerCredential: number;
  /** Bytes queued on a socket beyond which its reader is considered too slow. */
  maxBufferedBytes: number;
}

export interface SubscriptionServerOptions {
  httpServer: Server;
  planner: () => SubscriptionPlanner | null;
  /** The operation limits HTTP requests obey (depth, aliases, root fields, … cost). */
  checkOperation: CheckOperation;
  executor: SubscriptionExecutor;
  credentials: CredentialVerifier | null;
  revocations: RevocationList | null;
  trustedProxies: ReadonlySet<string>;
  logger: Logger;
  keepAliveMs: number;
  limits: SubscriptionLimits;
}

export interface SubscriptionServer {
  connections(): number;
  /** Closes every socket with 1001 (going away), so clients reconnect elsewhere. */
  close(): Promise<void>;
}

interface Connection {
  forwarded: Omit<ForwardedRequest, 'requestId'>;
  principal: Principal | null;
  credentialKey: string;
  subscriptions: number;
}

interface SubscriptionContext {
  /** The client's id for this subscription, which every frame of it carries. */
  id: string;
  plan: SubscriptionPlan;
  forwarded: ForwardedRequest;
  connection: Connection;
  socket: WebSocket;
}

type ConnectionExtra = { connection?: Connection };

const stringParam = (params: Record<string, unknown> | undefined, ...names: string[]) => {
  for (const name of names) {
    const value = params?.[name];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
};

/**
 * A reader too slow to take its events is told so (4008) and, as it is not reading, probably
 * will not answer the close handshake: its socket is dropped shortly after either way.
 */
function disconnectSlowConsumer(socket: WebSocket): void {
  if (socket.readyState !== socket.OPEN) return;
  socket.close(CloseCode.SlowConsumer, 'Subscriber too slow');
  setTimeout(() => socket.terminate(), 2_000).unref();
}

/**
 * The `next` frame of an event, built once per event and subscription id: subscribers of one
 * shared topic get the same result object, and clients mostly number their subscriptions alike,
 * so thousands of sockets share one buffer. Kept as long as the result is (e.g. in a topic's
 * history), no longer.
 */
const frames = new WeakMap<ExecutionResult, Map<string, Buffer>>();

function nextFrame(id: string, result: ExecutionResult): Buffer {
  let byId = frames.get(result);
  if (!byId) frames.set(result, (byId = new Map()));
  let frame = byId.get(id);
  if (!frame) {
    const payload = result.errors
      ? { ...result, errors: formatSubscriptionErrors(result.errors) }
      : result;
    frame = Buffer.from(JSON.stringify({ id, type: 'next', payload }));
    byId.set(id, frame);
  }
  return frame;
}

/**
 * Sends a subscriber's events on its socket as shared frames. graphql-ws would build and
 * stringify a message per socket for every event; the iterator it is given here yields nothing
 * and ends when the subscriber's channel does, so graphql-ws still sends `complete` (or
 * `error`) after the last event, and still ends the channel when the client unsubscribes.
 */
function sendEvents(
  channel: Channel<ExecutionResult>,
  socket: WebSocket,
  id: string,
  maxBufferedBytes: number,
): AsyncGenerator<ExecutionResult> {
  const events = {
    async next(): Promise<IteratorResult<ExecutionResult>> {
      for (;;) {
        const step = await channel.next();
        if (step.done || socket.readyState !== socket.OPEN) return channel.return();
        socket.send(nextFrame(id, step.value), { binary: false });
        // The kernel's buffer is full and ws is queueing in memory: the reader is too slow.
        if (socket.bufferedAmount > maxBufferedBytes) disconnectSlowConsumer(socket);
      }
    },
    return: () => channel.return(),
    [Symbol.asyncIterator]: () => events,
  };
  return events as unknown as AsyncGenerator<ExecutionResult>;
}

const sessionEnded = (message: string): ExecutionResult =>
  ({ data: null, errors: [{ message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] }) as never;

export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  goAwayOnClose(options.httpServer, () => wss.clients);
  const connectionsPerCredential = new Map<string, number>();
  /** Live subscriber channels by session, to end them when the session is revoked. */
  const bySession = new Map<string, Set<Channel<ExecutionResult>>>();

  const stopListening = options.revocations?.onRevoked((sessionId) => {
    for (const channel of bySession.get(sessionId) ?? []) {
      channel.push(sessionEnded('This session has ended; sign in again.'));
      channel.end();
    }
  });

  const server = useServer<Record<string, unknown>, ConnectionExtra>(
    {
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams;
        const authorization = stringParam(params, 'authorization', 'Authorization');
        const apiKey = stringParam(params, 'x-api-key', 'apiKey');
        let principal: Principal | null = null;
        if (authorization && options.credentials) {
          try {
            principal = await options.credentials.authenticate({ authorization });
          } catch {
            return false; // graphql-ws closes with 4403 Forbidden
          }
        }
        const clientAddress = clientAddressOf(ctx.extra.request, options.trustedProxies);
        const credential = authorization ?? apiKey;
        const credentialKey = credential
          ? createHash('sha256').update(credential).digest('base64url')
          : `address:${clientAddress}`;
        const open = connectionsPerCredential.get(credentialKey) ?? 0;
        if (open >= options.limits.connectionsPerCredential) {
          ctx.extra.socket.close(
            CloseCode.TooManyConnections,
            'Too many connections for these credentials',
          );
          return false;
        }
        connectionsPerCredential.set(credentialKey, open + 1);
        ctx.extra.connection = {
          forwarded: { clientAddress, authorization, apiKey },
          principal,
          credentialKey,
          subscriptions: 0,
        };
        return true;
      },
      onClose: (ctx) => {
        const connection = ctx.extra.connection;
        if (!connection) return;
        const open = (connectionsPerCredential.get(connection.credentialKey) ?? 1) - 1;
        if (open > 0) connectionsPerCredential.set(connection.credentialKey, open);
        else connectionsPerCredential.delete(connection.credentialKey);
      },
      onSubscribe: (ctx, id, payload) => {
        const connection = ctx.extra.connection!;
        if (connection.subscriptions >= options.limits.subscriptionsPerConnection) {
          return [
            clientError(
              ErrorCode.RATE_LIMITED,
              `At most ${options.limits.subscriptionsPerConnection} subscriptions per connection.`,
              { limit: options.limits.subscriptionsPerConnection },
            ),
          ];
        }
        const planner = options.planner();
        if (!planner) return [new GraphQLError('The supergraph is not loaded yet.')];
        const refused = options.checkOperation(
          planner.schemas.apiGraphQLSchema,
          payload.query,
          payload.operationName ?? undefined,
          payload.variables ?? {},
        );
        if (refused) return refused;
        const plan = planner.plan(payload.query, payload.operationName ?? undefined);
        if (Array.isArray(plan)) return plan;
        const contextValue: SubscriptionContext = {
          id,
          plan: plan as SubscriptionPlan,
          forwarded: { ...connection.forwarded, requestId: randomUUID() },
          connection,
          socket: ctx.extra.socket,
        };
        return {
          schema: planner.schemas.apiGraphQLSchema,
          document: (plan as SubscriptionPlan).document,
          operationName: payload.operationName,
          variableValues: payload.variables ?? {},
          contextValue,
        };
      },
      subscribe: (args) => {
        const { id, plan, forwarded, connection, socket } =
          args.contextValue as SubscriptionContext;
        const channel = options.executor.subscribe(
          plan,
          {
            query: args.document.loc?.source.body ?? '',
            operationName: args.operationName ?? undefined,
            variables: (args.variableValues ?? {}) as Record<string, unknown>,
            forwarded,
          },
          () => disconnectSlowConsumer(socket),
        );
        connection.subscriptions += 1;
        const sessionId =
          connection.principal?.kind === 'user' ? connection.principal.sessionId : undefined;
        if (sessionId) {
          const channels = bySession.get(sessionId) ?? new Set();
          channels.add(channel);
          bySession.set(sessionId, channels);
        }
        const expiresAt = connection.principal?.expiresAt;
        const expiry =
          expiresAt === undefined
            ? undefined
            : setTimeout(
                () => {
                  channel.push(sessionEnded('Access token expired; reconnect with a fresh one.'));
                  channel.end();
                },
                Math.max(0, expiresAt * 1000 - Date.now()),
              );
        const release = () => {
          connection.subscriptions -= 1;
          clearTimeout(expiry);
          if (sessionId) bySession.get(sessionId)?.delete(channel);
          if (sessionId && bySession.get(sessionId)?.size === 0) bySession.delete(sessionId);
        };
        const finish = channel.return.bind(channel);
        channel.return = () => {
          release();
          return finish();
        };
        return sendEvents(channel, socket, id, options.limits.maxBufferedBytes);
      },
      execute: () => {
        throw badUserInput('Only subscriptions are served over WebSocket.');
      },
      onError: (_ctx, _id, _payload, errors) => formatErrorsForClient(errors),
    },
    wss,
    options.keepAliveMs,
  );

  return {
    connections: () => wss.clients.size,
    async close() {
      stopListening?.();
      await server.dispose(); // closes every socket with 1001
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
