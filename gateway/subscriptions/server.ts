/**
 * The gateway's graphql-ws endpoint on `/graphql`, beside HTTP.
 *
 * - Credentials come in the `connection_init` payload (`{ "authorization": "Bearer …" }` or
 *   `{ "x-api-key": "…" }`); a bad token closes the socket with 4403 (Forbidden).
 * - Limits, planning, revocation and expiry are those of every transport (sessions.ts).
 * - Limits: subscriptions per connection, connections per credential, and a bounded buffer per
 *   subscriber — one that cannot keep up is disconnected with 4008 rather than growing memory.
 * - On shutdown every socket closes with 1001 (going away), so clients reconnect elsewhere.
 * - Fan-out serializes each event once: every subscriber of a shared topic is sent the same
 *   bytes (see sendEvents), not a message built and stringified per socket.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { ExecutionResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CredentialVerifier } from '../../platform/credentials';
import { badUserInput, clientError, ErrorCode, formatErrorsForClient } from '../../platform/errors';
import { clientAddressOf } from '../../platform/http';
import type { Logger } from '../../platform/logger';
import { goAwayOnClose } from '../../platform/shutdown';
import type { Principal } from '../../platform/principal';
import type { ForwardedRequest } from '../../platform/wire';
import { trustedText, type TrustedDocumentsConfig } from '../trusted-documents';
import type { Channel } from '../../platform/channel';
import { formatSubscriptionErrors } from './executor';
import type { SubscriptionPlan } from './planner';
import type { SubscriptionSessions } from './sessions';

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
  sessions: SubscriptionSessions;
  credentials: CredentialVerifier | null;
  trustedProxies: ReadonlySet<string>;
  logger: Logger;
  keepAliveMs: number;
  limits: SubscriptionLimits;
  /**
   * Documents may be named by id as over HTTP (`documentId` in the subscribe payload, or
   * `extensions.persistedQuery.sha256Hash` with an empty `query`); `require` refuses free text.
   */
  trustedDocuments: TrustedDocumentsConfig;
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

export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  goAwayOnClose(options.httpServer, () => wss.clients);
  const connectionsPerCredential = new Map<string, number>();

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
        let query: string;
        try {
          query = trustedText(options.trustedDocuments, payload) ?? payload.query;
        } catch (error) {
          return [error as GraphQLError];
        }
        const plan = options.sessions.prepare({
          query,
          operationName: payload.operationName ?? undefined,
          variables: payload.variables ?? {},
        });
        if (Array.isArray(plan)) return plan;
        const contextValue: SubscriptionContext = {
          id,
          plan: plan as SubscriptionPlan,
          forwarded: { ...connection.forwarded, requestId: randomUUID() },
          connection,
          socket: ctx.extra.socket,
        };
        return {
          // Only graphql-ws's validation uses it: the plan's document is valid already.
          schema: (plan as SubscriptionPlan).operationContext.schema,
          document: (plan as SubscriptionPlan).document,
          operationName: payload.operationName,
          variableValues: payload.variables ?? {},
          contextValue,
        };
      },
      subscribe: (args) => {
        const { id, plan, forwarded, connection, socket } =
          args.contextValue as SubscriptionContext;
        const channel = options.sessions.start(
          plan,
          {
            query: args.document.loc?.source.body ?? '',
            operationName: args.operationName ?? undefined,
            variables: (args.variableValues ?? {}) as Record<string, unknown>,
            forwarded,
          },
          connection.principal,
          'graphql-ws',
          () => disconnectSlowConsumer(socket),
        );
        connection.subscriptions += 1;
        const finish = channel.return.bind(channel);
        channel.return = () => {
          connection.subscriptions -= 1;
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
      await server.dispose(); // closes every socket with 1001
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
