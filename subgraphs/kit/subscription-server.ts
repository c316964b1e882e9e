/**
 * A subgraph's subscriptions on its `/graphql` path, beside HTTP queries:
 *
 * - graphql-ws. The gateway multiplexes many callers over one connection, so credentials come
 *   with each subscription (`extensions.headers`, as the gateway forwards them) or, for a client
 *   or another router connected directly, with `connection_init` or the upgrade request's
 *   headers (see callerHeaders).
 * - SSE and multipart HTTP (subscriptions-over-http.ts), for routers and clients that use them:
 *   credentials are the request's headers, handled exactly as for HTTP queries.
 *
 * Either way the subgraph authenticates the caller itself, and the subscription's resolvers
 * authorize it at subscribe time and for every event. The credentials are watched for the
 * subscription's life (platform/credential-watch.ts): when the token expires, or its session or
 * API key is revoked, the subscription ends with an UNAUTHENTICATED error, as the gateway ends
 * its clients' — also for a caller that came straight to the subgraph (zero trust).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  getOperationAST,
  GraphQLError,
  parse,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { batchSendsPerTick } from '../../platform/batched-writes';
import {
  headersWithCredentials,
  type CredentialHeaders,
  type CredentialVerifier,
} from '../../platform/credentials';
import { formatErrorsForClient, unauthenticated, withRequestCode } from '../../platform/errors';
import { clientAddressOf } from '../../platform/http';
import type { Logger } from '../../platform/logger';
import type { Principal } from '../../platform/principal';
import {
  fragmentsOf,
  noOperationError,
  subscriptionRootDirectiveErrors,
  variableErrors,
} from '../../platform/operation-guard';
import { goAwayOnClose } from '../../platform/shutdown';
import type { TrustedProxies } from '../../platform/trusted-proxies';
import { readForwarded, readSubscribeExtensions, withResumeCursor } from '../../platform/wire';
import type { RequestInfo } from './request-info';
import { createStreamState, type StreamState } from './resumable';
import {
  createEventStreams,
  streamingSubscription,
  type AnyResult,
} from '../../platform/subscriptions-over-http';

/** How many valid subscription documents each schema keeps parsed. */
const DOCUMENT_CACHE_SIZE = 500;

/**
 * Valid documents by their text, per schema: the gateway sends the same few documents for
 * thousands of subscriptions (after a gateway restart, all at once), and parsing and validating
 * each one again was 7 % of the messages subgraph's CPU in a reconnect storm.
 */
const validDocuments = new WeakMap<GraphQLSchema, Map<string, DocumentNode>>();

/** A parsed and validated subscription document, or the errors refusing it. */
function parseSubscription(schema: GraphQLSchema, query: string): DocumentNode | GraphQLError[] {
  let cache = validDocuments.get(schema);
  if (!cache) validDocuments.set(schema, (cache = new Map()));
  const cached = cache.get(query);
  if (cached) return cached;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return [withRequestCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
  }
  const rootErrors = subscriptionRootDirectiveErrors(document);
  const errors = rootErrors.length > 0 ? rootErrors : validate(schema, document);
  if (errors.length > 0)
    return errors.map((error) => withRequestCode(error, 'GRAPHQL_VALIDATION_FAILED'));
  // The oldest entry makes room: a bound, not an LRU, since a subgraph sees few documents.
  if (cache.size >= DOCUMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(query, document);
  return document;
}

/**
 * A subscription's document once its operation can be chosen and its variables coerce, or the
 * errors refusing it as an HTTP request is refused (BAD_USER_INPUT).
 */
function prepareSubscription(
  schema: GraphQLSchema,
  request: {
    query: string;
    operationName?: string | null;
    variables?: Record<string, unknown> | null;
  },
): DocumentNode | GraphQLError[] {
  const document = parseSubscription(schema, request.query);
  if (Array.isArray(document)) return document;
  const operation = getOperationAST(document, request.operationName);
  if (!operation) return [noOperationError(request.operationName)];
  return variableErrors(schema, operation, request.variables, fragmentsOf(document)) ?? document;
}

/**
 * A result as subscribers get it: errors masked, and a resumable stream's position in
 * `extensions.resumeCursor` (so the gateway, or a client, can resume after a drop). Undefined
 * when the result goes out as it is.
 */
function formatEvent(
  result: ExecutionResult,
  stream: StreamState | undefined,
  formatError: FormatError,
) {
  const resumeCursor = stream?.position();
  if (!result.errors && !resumeCursor) return undefined;
  const formatted = result.errors
    ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) }
    : result;
  return resumeCursor ? withResumeCursor(formatted, resumeCursor) : formatted;
}

/** How an event's errors reach subscribers (the subgraph's formatter: masked). */
export type FormatError = (
  formatted: GraphQLFormattedError,
  error: unknown,
) => GraphQLFormattedError;

export interface SubgraphSubscriptions {
  connections(): number;
  active(): number;
  close(): Promise<void>;
}

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
const callerHeaders = (subscription: unknown, connectionParams: unknown, upgrade: unknown) =>
  headersWithCredentials([
    subscription,
    isRecord(connectionParams) ? connectionParams.headers : undefined,
    connectionParams,
    upgrade,
  ]);

export function serveSubscriptions<TContext extends RequestInfo>(options: {
  httpServer: Server;
  schema: GraphQLSchema;
  credentials: CredentialVerifier;
  createContext: (request: RequestInfo) => TContext;
  formatError: FormatError;
  logger: Logger;
  trustedProxies: TrustedProxies;
  keepAliveMs?: number;
}): SubgraphSubscriptions {
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  goAwayOnClose(options.httpServer, () => wss.clients);
  // The gateway multiplexes every subscription on one connection: a replay to hundreds of them
  // at once sends one frame each per tick, which then leave in one write.
  wss.on('connection', batchSendsPerTick);
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
        const forwarded = readForwarded(
          callerHeaders(sent.headers, ctx.connectionParams, ctx.extra.request.headers),
        );
        const { credentials } = forwarded;
        const document = prepareSubscription(options.schema, payload);
        if (Array.isArray(document)) return document;
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
            stream: createStreamState(sent.resumeAfter, sent.sendStartCursor),
          }),
        };
      },
      // A stream asked for its starting position (the gateway's sendStartCursor) tells it first,
      // and ends when its credentials do.
      subscribe: (args) => {
        const context = args.contextValue as TContext;
        return endingWithCredentials(options.credentials, context, async () => {
          const results = await subscribe(args);
          const started = context.stream?.started;
          return started && Symbol.asyncIterator in results
            ? startingWith(results, started)
            : results;
        });
      },
      onNext: (_ctx, _id, _payload, args, result) =>
        formatEvent(
          result as ExecutionResult,
          (args.contextValue as TContext).stream,
          options.formatError,
        ),
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

export interface SubgraphHttpSubscriptions {
  /** Serves the request if it is a subscription over SSE or multipart; false otherwise. */
  serve(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<boolean>;
  active(): number;
}

/** Unread bytes beyond which an SSE or multipart reader is too slow and its stream ends. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Subscriptions over SSE and multipart HTTP. `requestInfo` is the subgraph's HTTP request
 * handling (credentials from the headers, 401 when refused): a router forwarding the caller's
 * `Authorization` or `x-api-key` is treated as for a query.
 */
export function serveSubscriptionsOverHttp<TContext extends RequestInfo>(options: {
  httpServer: Server;
  schema: GraphQLSchema;
  /** Watches each stream's credentials: a stream ends when they do. */
  credentials: CredentialVerifier;
  requestInfo: (req: IncomingMessage) => Promise<RequestInfo>;
  createContext: (request: RequestInfo) => TContext;
  formatError: FormatError;
  /** Answers a request whose credentials were refused, as an HTTP query would be. */
  refuse: (
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    error: unknown,
  ) => Promise<void>;
}): SubgraphHttpSubscriptions {
  const streams = createEventStreams({
    httpServer: options.httpServer,
    maxBufferedBytes: MAX_BUFFERED_BYTES,
  });
  return {
    async serve(req, res, body) {
      // Routers' plain GETs are served (no CSRF hole at a subgraph: see streamingSubscription).
      const subscription = streamingSubscription(req, body, { simpleGet: true });
      if (!subscription) return false;
      const { transport, params } = subscription;
      let info: RequestInfo;
      try {
        info = await options.requestInfo(req);
      } catch (error) {
        await options.refuse(req, res, body, error);
        return true;
      }
      const document = prepareSubscription(options.schema, params);
      const stream = streams.open(res, transport);
      if (Array.isArray(document)) {
        stream.fail(formatErrorsForClient(document));
        return true;
      }
      const state = createStreamState();
      const outcome = await endingWithCredentials(options.credentials, info, () =>
        subscribe({
          schema: options.schema,
          document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue: options.createContext({ ...info, stream: state }),
        }),
      );
      const results = Symbol.asyncIterator in outcome ? outcome : once(outcome);
      await stream.pipe(
        mapResults(results, (result) => formatEvent(result, state, options.formatError) ?? result),
      );
      return true;
    },
    active: () => {
      const active = streams.active();
      return active.sse + active.multipart;
    },
  };
}

/**
 * `results`, after a result carrying only where the stream starts (`extensions.resumeCursor`,
 * no `data`) as soon as `started` settles — before the first event, which it precedes. An
 * iterator of its own rather than a generator: a generator waiting for an event would hear
 * return() only at the next one, and so would the stream it reads.
 */
function startingWith(
  results: AsyncIterableIterator<ExecutionResult>,
  started: Promise<string>,
): AsyncIterableIterator<ExecutionResult> {
  let first: Promise<IteratorResult<ExecutionResult>> | null = null;
  let told = false;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (!told) {
        told = true;
        first = results.next();
        const start = await Promise.race([started, first.then(() => undefined)]);
        if (start !== undefined) return { done: false, value: withResumeCursor({}, start) };
      }
      const pending = first ?? results.next();
      first = null;
      return pending;
    },
    return: async (value?: unknown) =>
      (await results.return?.(value)) ?? { done: true, value: undefined },
  };
}

/**
 * Subscribes (`subscribing`), its credentials watched from before its resolvers run (a
 * revocation heard while they authorize it still ends it). A refusal is returned as it is; a
 * stream gives its results until the credentials end, then an UNAUTHENTICATED error — the
 * gateway's own shape and words (platform/credential-watch.ts) — instead of any further event,
 * and the end: the caller subscribes again with a fresh credential, after its last cursor.
 */
async function endingWithCredentials(
  credentials: CredentialVerifier,
  request: { principal: Principal | null; credentials: CredentialHeaders },
  subscribing: () => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const watch = watchCredentials(credentials, request);
  try {
    const outcome = await subscribing();
    if (Symbol.asyncIterator in outcome) return watch.endWith(outcome);
    watch.stop();
    return outcome;
  } catch (error) {
    watch.stop();
    throw error;
  }
}

/**
 * The watch endingWithCredentials keeps. `endWith` is an iterator of its own, like
 * startingWith: one waiting for an event hears the end at once, and releases its source.
 * Nothing per event but the promise each `next` settles.
 */
function watchCredentials(
  credentials: CredentialVerifier,
  request: { principal: Principal | null; credentials: CredentialHeaders },
) {
  /** Why the credentials ended; null while they hold. */
  let endedWith: string | null = null;
  /** Settles the `next` under way, if any, when they end. */
  let interrupt: (() => void) | null = null;
  const watching = credentials.watch(request.principal, request.credentials, null, (_, message) => {
    endedWith = message;
    interrupt?.();
  });
  const stop = () => watching.stop();
  const endWith = (
    results: AsyncIterator<ExecutionResult>,
  ): AsyncIterableIterator<ExecutionResult> => {
    let finished = false;
    const finish = () => {
      finished = true;
      stop();
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        if (finished) return { done: true, value: undefined };
        if (endedWith === null) {
          let next: IteratorResult<ExecutionResult> | null;
          try {
            next = await new Promise((resolve, reject) => {
              interrupt = () => resolve(null);
              results.next().then(resolve, reject);
            });
          } catch (error) {
            finish();
            throw error;
          } finally {
            interrupt = null;
          }
          // An event that came with the end is not sent: the credentials no longer read it.
          if (endedWith === null) {
            if (next!.done) finish();
            return next!;
          }
        }
        finish();
        void Promise.resolve(results.return?.()).catch(() => undefined);
        const error = unauthenticated(endedWith);
        return { done: false, value: { data: null, errors: [error] } };
      },
      async return(value?: unknown) {
        if (finished) return { done: true, value: undefined };
        finish();
        return (await results.return?.(value)) ?? { done: true, value: undefined };
      },
    };
  };
  return { stop, endWith };
}

/** A single result (a subscription refused at subscribe time) as a stream of one. */
async function* once(result: ExecutionResult): AsyncGenerator<ExecutionResult> {
  yield result;
}

function mapResults(
  results: AsyncIterator<ExecutionResult>,
  map: (result: ExecutionResult) => AnyResult,
): AsyncIterator<AnyResult> {
  return {
    next: async () => {
      const next = await results.next();
      return next.done ? next : { done: false, value: map(next.value) };
    },
    return: async () => (await results.return?.()) ?? { done: true, value: undefined },
  };
}
