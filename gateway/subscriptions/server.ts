/**
 * The gateway's graphql-ws endpoint on `/graphql`, beside HTTP: the graphql-transport-ws
 * protocol served here (ProtocolConnection), graphql-ws's library validating the messages.
 *
 * - Credentials come in the `connection_init` payload (`{ "authorization": "Bearer …" }` or
 *   `{ "x-api-key": "…" }`); a bad token closes the socket with 4403 (Forbidden).
 * - Limits, planning, revocation and expiry are those of every transport (sessions.ts).
 * - Limits: subscriptions per connection, connections per credential, and a bounded buffer per
 *   subscriber — one that cannot keep up is disconnected with 4008 rather than growing memory.
 * - On shutdown every socket closes with 1001 (going away), so clients reconnect elsewhere.
 * - Fan-out serializes each event once: every subscriber of a shared topic is sent the same
 *   bytes (nextFrame, sendFrame), not a message built and stringified per socket.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError } from 'graphql';
import {
  CloseCode as ProtocolCloseCode,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  handleProtocols,
  MessageType,
  parseMessage,
  type ExecutionResult,
  type Message,
  type SubscribeMessage,
} from 'graphql-ws';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ApiKeyIntrospection } from '../../platform/api-keys';
import { holdWritesForTick, type CorkableStream } from '../../platform/batched-writes';
import { headersWithCredentials, type CredentialVerifier } from '../../platform/credentials';
import { clientError, ErrorCode, formatErrorsForClient } from '../../platform/errors';
import { clientAddressOf } from '../../platform/http';
import type { Logger } from '../../platform/logger';
import { goAwayOnClose } from '../../platform/shutdown';
import type { Principal } from '../../platform/principal';
import { UNREAD_END_GRACE_MS } from '../../platform/subscriptions-over-http';
import type { TrustedProxies } from '../../platform/trusted-proxies';
import type { ForwardedRequest } from '../../platform/wire';
import { verifyApiKey } from '../edge-auth';
import { NOT_FOUND, trustedText, type TrustedDocumentsConfig } from '../trusted-documents';
import type { Channel, ChannelSink } from '../../platform/channel';
import { formatSubscriptionErrors } from './executor';
import type { SubscriptionPlan } from './planner';
import type { SubscriptionSessions } from './sessions';

/**
 * A random UUID as one flat string. Node builds randomUUID()'s result from sixteen pieces, which
 * V8 keeps as a tree of concatenations (about 600 bytes) for as long as the string lives — here
 * the life of a subscription.
 */
const flatUUID = () => Buffer.from(randomUUID(), 'latin1').toString('latin1');

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
  /** API key lookups, when configured: without, keys pass through to the subgraphs. */
  apiKeys: ApiKeyIntrospection | null;
  trustedProxies: TrustedProxies;
  logger: Logger;
  keepAliveMs: number;
  limits: SubscriptionLimits;
  /** How long a socket may take to send `connection_init` before it is closed with 4408. */
  connectionInitWaitMs?: number;
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

/**
 * The credentials of a `connection_init` payload, named as HTTP headers are, at its top level or
 * under `headers` (as Apollo Client and Hive Gateway users send them); `apiKey` is read too.
 */
function credentialsOf(params: Record<string, unknown> | undefined) {
  const headers = headersWithCredentials([params?.headers, params]);
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  return {
    authorization: text(headers.authorization),
    apiKey: text(headers['x-api-key']) ?? text(headers.apikey),
  };
}

/**
 * A reader too slow to take its events is told so (4008) and, as it is not reading, probably
 * will not answer the close handshake: its socket is dropped shortly after either way.
 */
function disconnectSlowConsumer(socket: WebSocket): void {
  if (socket.readyState !== socket.OPEN) return;
  socket.close(CloseCode.SlowConsumer, 'Subscriber too slow');
  setTimeout(() => socket.terminate(), UNREAD_END_GRACE_MS).unref();
}

/** An event's `next` message, framed; `payload` is the message without its frame header. */
interface SharedFrame {
  frame: Buffer;
  payload: Buffer;
}

/**
 * A server-to-client text frame around `message` (RFC 6455 §5.2: FIN, opcode 1, unmasked):
 * the same bytes for every socket, so an event is framed once, not once per subscriber.
 */
function textFrame(message: string): SharedFrame {
  const length = Buffer.byteLength(message);
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(message, headerLength);
  return { frame, payload: frame.subarray(headerLength) };
}

/**
 * The `next` frame of an event, built once per event and subscription id: subscribers of one
 * shared topic get the same result object, and clients mostly number their subscriptions alike,
 * so thousands of sockets share one buffer. Kept as long as the result is (e.g. in a topic's
 * history), no longer.
 */
const frames = new WeakMap<ExecutionResult, Map<string, SharedFrame>>();

function nextFrame(id: string, result: ExecutionResult): SharedFrame {
  let byId = frames.get(result);
  if (!byId) frames.set(result, (byId = new Map()));
  let shared = byId.get(id);
  if (!shared) {
    const payload = result.errors
      ? { ...result, errors: formatSubscriptionErrors(result.errors) }
      : result;
    shared = textFrame(JSON.stringify({ id, type: 'next', payload }));
    byId.set(id, shared);
  }
  return shared;
}

/**
 * Disconnects a socket whose unsent bytes exceed `maxBufferedBytes` (the kernel's buffer is full
 * and the rest waits in memory): its reader is too slow. One function per server, run after a
 * tick's frames left, with the socket as its argument.
 */
const slowReaderCheck = (maxBufferedBytes: number) => (socket: WebSocket) => {
  if (socket.bufferedAmount > maxBufferedBytes) disconnectSlowConsumer(socket);
};

/** The parts of ws's WebSocket (ws 8) that writing a ready-made frame relies on. */
interface WsInternals {
  _socket?: CorkableStream & { write(chunk: Buffer): boolean };
  _sender?: { _state?: unknown; _queue?: unknown[]; _firstFragment?: unknown };
  _extensions?: Record<string, unknown>;
}

/**
 * Writes a shared frame straight to the socket's TCP stream: what ws's `send` ends in for an
 * uncompressed message, without building a header and two writes per socket. Only while ws has
 * nothing of its own under way on the socket (no compression, nothing queued, no fragmented
 * message) — otherwise, or if ws's internals are not what this expects, `send` does it.
 * `checkReader` (slowReaderCheck) runs once the frame has left.
 */
function sendFrame(
  socket: WebSocket,
  shared: SharedFrame,
  checkReader: (socket: WebSocket) => void,
): void {
  const {
    _socket: stream,
    _sender: sender,
    _extensions: extensions,
  } = socket as unknown as WsInternals;
  if (
    stream &&
    sender?._state === 0 &&
    sender._queue?.length === 0 &&
    sender._firstFragment === true &&
    extensions &&
    !extensions['permessage-deflate']
  ) {
    // The frames a socket gets in one go (a window of replayed events, handed over at once)
    // leave in one write; what is unsent counts only then, as until then every frame waits.
    // The tick's first frame corks the stream and schedules the check for all of them.
    holdWritesForTick(stream, checkReader, socket);
    stream.write(shared.frame);
  } else {
    socket.send(shared.payload, { binary: false });
    checkReader(socket);
  }
}

/**
 * Sends a subscriber's events on its socket as shared frames, each as it is pushed (the
 * channel's sink): a message built and stringified per socket for every event, or a pull loop
 * with a promise and a job per socket, would cost each event that per subscriber. When the
 * channel closes, the client is told how — `complete`, or `error` with the reason — unless it
 * ended the subscription itself or the socket is gone. A class, not closures: one small object
 * per subscription.
 */
class SubscriberEvents implements ChannelSink<ExecutionResult> {
  constructor(
    readonly channel: Channel<ExecutionResult>,
    private readonly socket: SocketWithProtocol,
    private readonly id: string,
    private readonly checkReader: (socket: WebSocket) => void,
  ) {}

  take(result: ExecutionResult): void {
    const { socket } = this;
    if (socket.readyState !== socket.OPEN) return void this.channel.return();
    // Called in the loop that hands an event to every subscriber of its topic: what goes wrong
    // here ends this subscriber's stream (the client gets the error), not the loop.
    try {
      sendFrame(socket, nextFrame(this.id, result), this.checkReader);
    } catch (error) {
      this.channel.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  closed(failure: Error | null): void {
    const { socket, id } = this;
    const state = socket[protocolState]!;
    state.admitted!.subscriptions -= 1;
    if (state.subscriptions.get(id) !== this) return; // completed by the client, or socket closed
    state.subscriptions.delete(id);
    if (!failure) return send(socket, { id, type: MessageType.Complete });
    const error = new GraphQLError(failure.message, { originalError: failure });
    send(socket, { id, type: MessageType.Error, payload: formatErrorsForClient([error]) });
  }
}

/** The hash of Apollo's persisted query extension in a `subscribe` payload, if any. */
const apqHashOf = ({ extensions }: SubscribeMessage['payload']): unknown =>
  (extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;

/** A protocol message to the client (events go as shared frames: sendFrame). */
function send(socket: WebSocket, message: object): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

/** The largest message a client may send (a `subscribe` with its document): as over HTTP. */
const MAX_CLIENT_MESSAGE_BYTES = 1_000_000;
/**
 * The longest subscription id (clients send UUIDs). An id is held for its subscription's life
 * and framed into each of its events: at a megabyte each, 100 per connection and 20 connections
 * per credential, one client could pin gigabytes of the gateway's memory with ids alone.
 */
export const MAX_SUBSCRIPTION_ID_LENGTH = 128;

/**
 * How often the keep-alive sweep pings the sockets whose turn it is. Each socket is pinged once
 * per `keepAliveMs`, but not all at once: pinging 19,000 sockets in one go kept a gateway's core
 * busy for about 0.2 s (a write each, then as many pongs to read), and every event that arrived
 * meanwhile waited for it — the slowest deliveries of the 19,000-subscriber benchmark.
 */
const PING_SLICE_MS = 100;

/**
 * Liveness of every socket with two timers for the whole server instead of graphql-ws's three
 * per socket: the sockets are dealt into slices of the keep-alive interval as they open, and a
 * sweep every PING_SLICE_MS visits the next slice, terminating the sockets that did not answer
 * their previous ping and pinging the others (so a dead peer goes within two intervals, as with
 * graphql-ws's ping-then-wait); one timer, armed for the oldest deadline, closes with 4408 the
 * sockets that sent no `connection_init` in time. Sockets wait for their init in arrival order,
 * so the deadlines are in order too.
 */
function watchLiveness(
  keepAliveMs: number,
  connectionInitWaitMs: number,
): {
  opened(socket: WebSocket): void;
  initialised(socket: WebSocket): void;
  closed(socket: WebSocket): void;
  stop(): void;
} {
  const awaitingPong = new Set<WebSocket>();
  const awaitingInit = new Map<WebSocket, number>();
  let initTimer: NodeJS.Timeout | undefined;

  const slices = Array.from(
    { length: Math.max(1, Math.round(keepAliveMs / PING_SLICE_MS)) },
    () => new Set<WebSocket>(),
  );
  const sliceOf = new Map<WebSocket, Set<WebSocket>>();
  let nextToFill = 0;
  let nextToVisit = 0;
  const sweep = setInterval(() => {
    for (const socket of slices[nextToVisit]!) {
      if (socket.readyState !== socket.OPEN) continue;
      if (awaitingPong.has(socket)) {
        socket.terminate();
        continue;
      }
      awaitingPong.add(socket);
      socket.ping();
    }
    nextToVisit = (nextToVisit + 1) % slices.length;
  }, keepAliveMs / slices.length);
  sweep.unref();

  const closeLateSockets = () => {
    initTimer = undefined;
    const now = Date.now();
    for (const [socket, deadline] of awaitingInit) {
      if (deadline > now) break;
      awaitingInit.delete(socket);
      socket.close(
        ProtocolCloseCode.ConnectionInitialisationTimeout,
        'Connection initialisation timeout',
      );
    }
    armInitTimer();
  };
  const armInitTimer = () => {
    if (initTimer || awaitingInit.size === 0) return;
    const oldest = awaitingInit.values().next().value!;
    initTimer = setTimeout(closeLateSockets, Math.max(0, oldest - Date.now()));
    initTimer.unref();
  };
  // One listener function for every socket: ws calls it with the socket as `this`.
  function answered(this: WebSocket) {
    awaitingPong.delete(this);
  }

  return {
    opened(socket) {
      const slice = slices[nextToFill]!;
      nextToFill = (nextToFill + 1) % slices.length;
      slice.add(socket);
      sliceOf.set(socket, slice);
      socket.on('pong', answered);
      awaitingInit.set(socket, Date.now() + connectionInitWaitMs);
      armInitTimer();
    },
    initialised: (socket) => awaitingInit.delete(socket),
    closed(socket) {
      sliceOf.get(socket)?.delete(socket);
      sliceOf.delete(socket);
      awaitingPong.delete(socket);
      awaitingInit.delete(socket);
    },
    stop() {
      clearInterval(sweep);
      clearTimeout(initTimer);
    },
  };
}

const internalError = 'Internal server error';

/**
 * A socket's graphql-transport-ws state. The protocol is served here rather than by graphql-ws's
 * server, whose every subscription holds a suspended async function, its closures and promises
 * for its whole life: with a gateway holding tens of thousands of subscriptions, that was a
 * large part of what each cost. graphql-ws still validates the client's messages.
 */
class ProtocolConnection {
  initReceived = false;
  /** Set once `connection_init` is accepted: from then on the client may subscribe. */
  admitted: Connection | null = null;
  /** The client's running subscriptions by id. */
  readonly subscriptions = new Map<string, SubscriberEvents>();

  constructor(readonly clientAddress: string) {}
}
const protocolState = Symbol('graphql-transport-ws connection');
type SocketWithProtocol = WebSocket & { [protocolState]?: ProtocolConnection };

const CONNECTION_INIT_WAIT_MS = 10_000;

export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const checkReader = slowReaderCheck(options.limits.maxBufferedBytes);
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: '/graphql',
    handleProtocols,
    perMessageDeflate: false, // events are framed once for every socket, uncompressed
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
  });
  goAwayOnClose(options.httpServer, () => wss.clients);
  const connectionsPerCredential = new Map<string, number>();
  const liveness = watchLiveness(
    options.keepAliveMs,
    options.connectionInitWaitMs ?? CONNECTION_INIT_WAIT_MS,
  );

  /** `connection_init`: the credentials in its payload admit the socket, or close it. */
  async function admit(
    socket: SocketWithProtocol,
    state: ProtocolConnection,
    params: Record<string, unknown> | undefined,
  ): Promise<void> {
    const { authorization, apiKey } = credentialsOf(params);
    let principal: Principal | null = null;
    let verified = false;
    // As at the HTTP edge: the bearer token when both are sent, as the subgraphs use it.
    try {
      if (authorization) {
        if (options.credentials) {
          principal = await options.credentials.authenticate({ authorization });
          verified = true;
        }
      } else if (apiKey && options.apiKeys)
        verified = await verifyApiKey(apiKey, options.apiKeys, options.logger);
    } catch {
      return socket.close(ProtocolCloseCode.Forbidden, 'Forbidden');
    }
    if (socket.readyState !== socket.OPEN) return; // gone while its credentials were checked
    const { clientAddress } = state;
    // Connections count against a credential only once it is verified: made-up ones would each
    // buy a fresh allowance. The others count against the client's address.
    const credentialKey = verified
      ? createHash('sha256')
          .update(authorization ?? apiKey!)
          .digest('base64url')
      : `address:${clientAddress}`;
    const open = connectionsPerCredential.get(credentialKey) ?? 0;
    if (open >= options.limits.connectionsPerCredential) {
      return socket.close(
        CloseCode.TooManyConnections,
        'Too many connections for these credentials',
      );
    }
    connectionsPerCredential.set(credentialKey, open + 1);
    state.admitted = {
      forwarded: { clientAddress, authorization, apiKey },
      principal,
      credentialKey,
      subscriptions: 0,
    };
    send(socket, { type: MessageType.ConnectionAck });
  }

  /** `subscribe`: plans the operation and starts its stream, or returns the errors refusing it. */
  function subscribe(
    socket: SocketWithProtocol,
    state: ProtocolConnection,
    connection: Connection,
    { id, payload }: SubscribeMessage,
  ): readonly GraphQLError[] | null {
    if (connection.subscriptions >= options.limits.subscriptionsPerConnection) {
      return [
        clientError(
          ErrorCode.RATE_LIMITED,
          `At most ${options.limits.subscriptionsPerConnection} subscriptions per connection: end one, or open another connection.`,
          // The allowance frees when one ends, whenever that is: a second is as good as any.
          { limit: options.limits.subscriptionsPerConnection, retryAfter: 1 },
        ),
      ];
    }
    let query: string;
    try {
      query = trustedText(options.trustedDocuments, payload) ?? payload.query;
      // An Apollo hash no manifest holds, without its text: over HTTP Apollo's automatic
      // persisted queries answer it PERSISTED_QUERY_NOT_FOUND, on which the client resends it
      // with the text. Answered alike here, not with the syntax error of an empty document.
      if (!query && typeof apqHashOf(payload) === 'string')
        return [clientError(ErrorCode.PERSISTED_QUERY_NOT_FOUND, NOT_FOUND)];
    } catch (error) {
      return [error as GraphQLError];
    }
    const request = {
      query,
      operationName: payload.operationName ?? undefined,
      variables: payload.variables ?? {},
    };
    const plan = options.sessions.prepare(request);
    if (Array.isArray(plan)) return plan;
    const channel = options.sessions.start(
      plan as SubscriptionPlan,
      { ...request, forwarded: { ...connection.forwarded, requestId: flatUUID() } },
      connection.principal,
      'graphql-ws',
      () => disconnectSlowConsumer(socket),
    );
    connection.subscriptions += 1;
    const events = new SubscriberEvents(channel, socket, id, checkReader);
    state.subscriptions.set(id, events);
    channel.drainTo(events);
    return null;
  }

  function handleMessage(socket: SocketWithProtocol, data: string): void {
    const state = socket[protocolState]!;
    let message: Message;
    try {
      message = parseMessage(data);
    } catch {
      return socket.close(ProtocolCloseCode.BadRequest, 'Invalid message received');
    }
    // Only `subscribe` and `complete` carry an id (parseMessage checked it is a string there);
    // any other message may hold an `id` of any kind, which is no concern of the protocol.
    if (
      (message.type === MessageType.Subscribe || message.type === MessageType.Complete) &&
      message.id.length > MAX_SUBSCRIPTION_ID_LENGTH
    ) {
      return socket.close(
        ProtocolCloseCode.BadRequest,
        `Invalid message received: id longer than ${MAX_SUBSCRIPTION_ID_LENGTH} characters`,
      );
    }
    switch (message.type) {
      case MessageType.ConnectionInit: {
        if (state.initReceived) {
          return socket.close(
            ProtocolCloseCode.TooManyInitialisationRequests,
            'Too many initialisation requests',
          );
        }
        state.initReceived = true;
        liveness.initialised(socket);
        const params = message.payload as Record<string, unknown> | undefined;
        admit(socket, state, params).catch((error: unknown) => failed(socket, error));
        return;
      }
      case MessageType.Ping:
        return send(socket, {
          type: MessageType.Pong,
          ...(message.payload && { payload: message.payload }),
        });
      case MessageType.Pong:
        return;
      case MessageType.Subscribe: {
        const connection = state.admitted;
        if (!connection) return socket.close(ProtocolCloseCode.Unauthorized, 'Unauthorized');
        const { id } = message;
        if (state.subscriptions.has(id)) {
          // Not naming the id: a close reason holds at most 123 bytes (ws throws beyond).
          return socket.close(
            ProtocolCloseCode.SubscriberAlreadyExists,
            'Subscriber for this id already exists',
          );
        }
        const refused = subscribe(socket, state, connection, message);
        if (refused) {
          send(socket, { id, type: MessageType.Error, payload: options.sessions.refusal(refused) });
        }
        return;
      }
      case MessageType.Complete: {
        const events = state.subscriptions.get(message.id);
        state.subscriptions.delete(message.id);
        void events?.channel.return();
        return;
      }
      default:
        return socket.close(ProtocolCloseCode.BadRequest, 'Invalid message received');
    }
  }

  /** What went wrong handling a client's message is ours: the socket closes with 4500. */
  function failed(socket: WebSocket, error: unknown): void {
    options.logger.error({ err: error }, 'graphql-transport-ws message handling failed');
    socket.close(ProtocolCloseCode.InternalServerError, internalError);
  }

  wss.once('error', (error) => {
    options.logger.error({ err: error }, 'WebSocket server failed');
    for (const socket of wss.clients)
      socket.close(ProtocolCloseCode.InternalServerError, internalError);
  });
  // Listeners shared by every socket (ws calls them with the socket as `this`), and per socket
  // only its ProtocolConnection: a gateway holds tens of thousands of connections, each costing
  // what is created per connection.
  function onSocketError(this: WebSocket, error: Error) {
    options.logger.warn({ err: error }, 'WebSocket connection failed');
    this.close(ProtocolCloseCode.InternalServerError, internalError);
  }
  function onSocketMessage(this: SocketWithProtocol, data: RawData) {
    // Once the socket is closing (4400, 4409, 1001…), what the client still sends until it
    // answers the close (ws waits up to 30 s) is not served: no subscription opened upstream
    // for a socket that can no longer receive its events.
    if (this.readyState !== this.OPEN) return;
    try {
      handleMessage(this, String(data));
    } catch (error) {
      failed(this, error);
    }
  }
  function onSocketClose(this: SocketWithProtocol) {
    liveness.closed(this);
    const state = this[protocolState]!;
    const running = [...state.subscriptions.values()];
    state.subscriptions.clear();
    for (const events of running) void events.channel.return();
    const connection = state.admitted;
    if (!connection) return;
    const open = (connectionsPerCredential.get(connection.credentialKey) ?? 1) - 1;
    if (open > 0) connectionsPerCredential.set(connection.credentialKey, open);
    else connectionsPerCredential.delete(connection.credentialKey);
  }
  wss.on('connection', (socket: SocketWithProtocol, request) => {
    // Of the upgrade request only the client's address is kept: the request, its headers and
    // its socket's parser state are not held for the life of the connection.
    socket[protocolState] = new ProtocolConnection(
      clientAddressOf(request, options.trustedProxies),
    );
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      return socket.close(ProtocolCloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
    }
    liveness.opened(socket);
    socket.on('message', onSocketMessage);
  });

  return {
    connections: () => wss.clients.size,
    async close() {
      liveness.stop();
      for (const socket of wss.clients) socket.close(CloseCode.GoingAway, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
