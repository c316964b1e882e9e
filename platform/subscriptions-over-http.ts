/**
 * Subscriptions over plain HTTP, for clients and routers that cannot or will not open a
 * WebSocket: a stream of GraphQL execution results written to one HTTP response, as
 *
 * - GraphQL over Server-Sent Events, the graphql-sse protocol's "distinct connections" mode
 *   (`Accept: text/event-stream`): one `event: next` per result, `event: complete` at the end,
 *   SSE comments as heartbeats;
 * - Apollo's multipart subscription protocol (`Accept: multipart/mixed;subscriptionSpec=1.0`):
 *   one `application/json` part per result wrapped as `{"payload": …}`, `{}` parts as
 *   heartbeats, transport-level errors as `{"payload": null, "errors": […]}`, and the closing
 *   boundary `--graphql--` at the end.
 *
 * Knows no domain and no GraphQL execution: the caller hands it an iterator of results. Bounded:
 * a reader that leaves more than `maxBufferedBytes` unread is ended rather than buffered without
 * limit. A client that goes away has its iterator returned, so whatever feeds it is released.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  getOperationAST,
  parse,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { ErrorCode } from './errors';
import { HTTP_CLOSING } from './shutdown';

export type StreamTransport = 'sse' | 'multipart';

/** A result as executed, or with its errors formatted for the client already. */
export type AnyResult = ExecutionResult | FormattedExecutionResult;

const BOUNDARY = 'graphql';

/** Media types that can name a streaming transport: an Accept header without them names none. */
const STREAMING_MEDIA_TYPE = /text\/event-stream|multipart\/mixed/i;

/** The streaming transport the client's Accept header asks for, if any (wildcards do not). */
export function negotiateStreamTransport(accept: string | undefined): StreamTransport | null {
  // Every query and mutation over HTTP passes here first: most have no streaming type at all.
  if (!accept || !STREAMING_MEDIA_TYPE.test(accept)) return null;
  let best: { transport: StreamTransport; quality: number } | null = null;
  for (const range of (accept ?? '').split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const params = new Map(
      parameters.map((parameter) => {
        const [name = '', value = ''] = parameter.split('=').map((part) => part.trim());
        return [name, value.replace(/^"(.*)"$/, '$1')] as const;
      }),
    );
    const quality = params.has('q') ? Number(params.get('q')) : 1;
    if (!(quality > 0)) continue;
    const transport =
      type === 'text/event-stream'
        ? 'sse'
        : type === 'multipart/mixed' && params.get('subscriptionspec') === '1.0'
          ? 'multipart'
          : null;
    if (transport && (!best || quality > best.quality)) best = { transport, quality };
  }
  return best?.transport ?? null;
}

export interface GraphQLParams {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  extensions: Record<string, unknown> | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The GraphQL request in a POST body (parsed JSON) or a GET query string, or null when it is not
 * a well-formed one — then the regular HTTP pipeline answers it with its own clear error.
 */
export function graphqlParams(req: IncomingMessage, body: unknown): GraphQLParams | null {
  let raw: Record<string, unknown>;
  if (req.method === 'GET') {
    const search = new URL(req.url ?? '/', 'http://localhost').searchParams;
    try {
      raw = {
        query: search.get('query'),
        operationName: search.get('operationName') ?? undefined,
        variables: JSON.parse(search.get('variables') ?? '{}') as unknown,
        extensions: JSON.parse(search.get('extensions') ?? '{}') as unknown,
      };
    } catch {
      return null;
    }
  } else if (req.method === 'POST' && isRecord(body)) {
    raw = body;
  } else {
    return null;
  }
  const { query, operationName, variables, extensions } = raw;
  if (typeof query !== 'string') return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (variables != null && !isRecord(variables)) return null;
  if (extensions != null && !isRecord(extensions)) return null;
  return {
    query,
    operationName: operationName ?? undefined,
    variables: variables ?? {},
    extensions: extensions ?? undefined,
  };
}

/**
 * Whether a request asking for an event stream is served on the streaming path: when its chosen
 * operation is a subscription, and when that cannot be told but it may be meant as one — a
 * document that does not parse, or one whose operation cannot be chosen (several and none
 * named, or an unknown name) that has a subscription. The streaming path then tells the client
 * what is wrong, as every transport does, where the regular pipeline would refuse the Accept of
 * an SSE client (406) without a word about the document.
 */
export function servedAsSubscription(params: GraphQLParams): boolean {
  let document;
  try {
    document = parse(params.query, { noLocation: true });
  } catch {
    return true;
  }
  const chosen = getOperationAST(document, params.operationName);
  return chosen
    ? chosen.operation === 'subscription'
    : document.definitions.some(
        (definition) =>
          definition.kind === 'OperationDefinition' && definition.operation === 'subscription',
      );
}

/** Content types a browser may send cross-site without a preflight (Apollo's CSRF rule). */
const SIMPLE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);
const PREFLIGHT_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'];

/**
 * Whether a browser could only have sent this request after a CORS preflight: the rule Apollo
 * Server's CSRF prevention applies (a non-simple content type, or one of its headers). A GET that
 * fails it is left to Apollo, which refuses it as a potential CSRF with its usual error.
 */
export function isPreflighted(req: IncomingMessage): boolean {
  const contentType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (contentType && !SIMPLE_CONTENT_TYPES.has(contentType)) return true;
  return PREFLIGHT_HEADERS.some((name) => Boolean(req.headers[name]));
}

/**
 * The transport and GraphQL request of a subscription to serve as an event stream, or null for
 * anything else (left to the regular HTTP pipeline): no streaming Accept, not a subscription,
 * malformed, or — unless `simpleGet` — a GET that fails the CSRF rule.
 *
 * `simpleGet` is for subgraphs: routers subscribe with a plain GET (Hive Gateway's default
 * transport sends `Accept: text/event-stream` and no content type). Serving it opens no CSRF
 * hole there: a subgraph reads no ambient credential (no cookies; only `Authorization` and
 * `x-api-key`, which a cross-site page cannot set without a preflight), allows no browser origin,
 * and only a subscription is served this way — it changes nothing. Queries and mutations over
 * GET still go to Apollo Server and its CSRF prevention.
 */
export function streamingSubscription(
  req: IncomingMessage,
  body: unknown,
  options: { simpleGet?: boolean } = {},
): { transport: StreamTransport; params: GraphQLParams } | null {
  const transport = negotiateStreamTransport(req.headers.accept);
  if (!transport) return null;
  if (req.method === 'GET' && !options.simpleGet && !isPreflighted(req)) return null;
  const params = graphqlParams(req, body);
  if (!params || !servedAsSubscription(params)) return null;
  return { transport, params };
}

export interface EventStream {
  /**
   * Writes each result until the iterator ends, the client leaves or the stream is ended; then
   * the transport's clean end. The iterator is returned in every case.
   */
  pipe(results: AsyncIterator<AnyResult>): Promise<void>;
  /**
   * Ends the stream with a transport-level error (a reader too slow, a failure that is no
   * GraphQL result): a last `next` with the errors over SSE, `{"payload":null,"errors":…}` in
   * multipart.
   */
  fail(errors: GraphQLFormattedError[]): void;
}

export interface EventStreams {
  /** Writes the response head of `transport` and returns the stream to pipe results into. */
  open(res: ServerResponse, transport: StreamTransport): EventStream;
  /** Open streams by transport. */
  active(): Record<StreamTransport, number>;
}

export interface EventStreamOptions {
  /** Its open streams end cleanly when it stops accepting connections (closeHttpServer). */
  httpServer: Server;
  /**
   * Heartbeat interval: SSE comments (graphql-sse pings every 12 s, the default) and multipart
   * `{}` parts (at most every 10 s, as Apollo's protocol expects).
   */
  heartbeatMs?: number;
  /** Bytes a response may hold unsent beyond which its reader is too slow and is ended. */
  maxBufferedBytes: number;
  /** Applied to each result before it is written (e.g. masking its errors). */
  formatResult?: (result: AnyResult) => AnyResult;
}

/** How a stream ends when its reader did not keep up (a transport-level error). */
export const SLOW_CONSUMER: GraphQLFormattedError = {
  message: 'Subscriber too slow: it did not read its events; resubscribe after the last cursor.',
  // RATE_LIMITED always says when to retry: here at once, reading faster.
  extensions: { code: ErrorCode.RATE_LIMITED, retryAfter: 1 },
};

interface Framing {
  head: Record<string, string>;
  start: string;
  next(result: AnyResult): string;
  error(errors: GraphQLFormattedError[]): string;
  heartbeat: string;
  end: string;
}

/**
 * How long an ended stream, or a closed WebSocket, may take to hand its last bytes to the
 * client before its connection is cut: a client that stopped reading would otherwise hold it,
 * and what waits in it, for good.
 */
export const UNREAD_END_GRACE_MS = 2_000;

const FRAMING: Record<StreamTransport, Framing> = {
  sse: {
    head: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    },
    // A first comment flushes the head through proxies and browsers that wait for a body.
    start: ':\n\n',
    next: (result) => `event: next\ndata: ${JSON.stringify(result)}\n\n`,
    error: (errors) => `event: next\ndata: ${JSON.stringify({ errors })}\n\n`,
    heartbeat: ':\n\n',
    // The empty data field makes EventSource dispatch the event.
    end: 'event: complete\ndata:\n\n',
  },
  // Each part ends with the next delimiter, so that a client parses it at once rather than
  // when the next part comes (as Apollo Router writes it).
  multipart: {
    head: {
      'content-type': `multipart/mixed;boundary="${BOUNDARY}";subscriptionSpec="1.0"`,
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    },
    start: `\r\n--${BOUNDARY}`,
    next: (result) => part(JSON.stringify({ payload: result })),
    error: (errors) => part(JSON.stringify({ payload: null, errors })),
    heartbeat: part('{}'),
    end: '--\r\n',
  },
};

function part(json: string): string {
  return `\r\ncontent-type: application/json\r\n\r\n${json}\r\n--${BOUNDARY}`;
}

export function createEventStreams(options: EventStreamOptions): EventStreams {
  const open = new Set<{ transport: StreamTransport; end: () => void }>();
  const heartbeats: Record<StreamTransport, number> = {
    sse: options.heartbeatMs ?? 12_000,
    multipart: Math.min(options.heartbeatMs ?? 10_000, 10_000),
  };
  /**
   * A result's frame, built once per result and transport: subscribers of a shared topic are
   * handed the same result object, so thousands of streams write one string. Kept as long as
   * the result is.
   */
  const frames = { sse: new WeakMap<object, string>(), multipart: new WeakMap<object, string>() };
  const frameOf = (transport: StreamTransport, result: AnyResult) => {
    let frame = frames[transport].get(result);
    if (frame === undefined) {
      frame = FRAMING[transport].next(options.formatResult?.(result) ?? result);
      frames[transport].set(result, frame);
    }
    return frame;
  };
  // Open streams are in-flight requests: the HTTP server could not finish closing while they live.
  // So are those whose requests were still arriving then: they end as soon as they open.
  let closing = false;
  options.httpServer.once(HTTP_CLOSING, () => {
    closing = true;
    for (const stream of [...open]) stream.end();
  });

  return {
    open(res, transport) {
      const framing = FRAMING[transport];
      // Detached from the response once it has finished: kept to close it on shutdown.
      const socket = res.socket;
      res.writeHead(200, framing.head);
      res.write(framing.start);
      let results: AsyncIterator<AnyResult> | null = null;
      let ended = false;
      let wake: () => void = () => undefined;
      const heartbeat = setInterval(() => res.write(framing.heartbeat), heartbeats[transport]);
      heartbeat.unref();
      /** Stops reading (the iterator is returned) and ends the response after `last`. */
      const end = (last = '') => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        open.delete(entry);
        wake();
        void results?.return?.();
        if (res.writableEnded || res.destroyed) return;
        res.end(last + framing.end);
        // Shutting down: the connection goes with the stream, or the client's resubscription,
        // sent at once on the same keep-alive connection, would come back here, and end at once.
        if (closing) res.once('finish', () => socket?.end());
        const drop = setTimeout(() => res.destroy(), UNREAD_END_GRACE_MS).unref();
        res.once('finish', () => clearTimeout(drop));
      };
      const entry = { transport, end: () => end() };
      open.add(entry);
      // The client left: release whatever feeds the stream. It may have left before the stream
      // opened (while its request was authorized), when its 'close' has passed already.
      res.once('close', () => end());
      if (res.destroyed || closing) end();

      /**
       * Whether the client took what waits for it within two heartbeats: one that takes nothing
       * for that long has stalled, and would hold its stream, and what the stream holds, for as
       * long as it keeps its connection — even once its subscription has ended (a revoked
       * session), as nothing reads the subscription's end before the drain. `end()` wakes it.
       */
      const drained = () =>
        new Promise<boolean>((resume) => {
          const stalled = setTimeout(() => done(false), 2 * heartbeats[transport]);
          const done = (taken: boolean) => {
            clearTimeout(stalled);
            res.removeListener('drain', onDrain);
            resume(taken);
          };
          const onDrain = () => done(true);
          res.once('drain', onDrain);
          wake = () => done(true);
        });

      const stream: EventStream = {
        async pipe(source) {
          results = source;
          if (ended) return void source.return?.();
          try {
            for (;;) {
              const next = await source.next();
              if (next.done || ended) break;
              const flushed = res.write(frameOf(transport, next.value));
              if (res.writableLength > options.maxBufferedBytes)
                return stream.fail([SLOW_CONSUMER]);
              if (!flushed && !(await drained())) return stream.fail([SLOW_CONSUMER]);
            }
          } catch {
            return stream.fail([
              {
                message: 'The subscription failed.',
                extensions: { code: 'INTERNAL_SERVER_ERROR' },
              },
            ]);
          }
          end();
        },
        fail(errors) {
          end(framing.error(errors));
        },
      };
      return stream;
    },
    active() {
      const counts: Record<StreamTransport, number> = { sse: 0, multipart: 0 };
      for (const stream of open) counts[stream.transport] += 1;
      return counts;
    },
  };
}
