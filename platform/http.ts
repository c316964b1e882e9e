/**
 * A lean HTTP layer shared by the gateway and the subgraphs: Node's own http server calling
 * Apollo Server's `executeHTTPGraphQLRequest`, plus JSON helpers and health routes. No framework:
 * it is the hot path, and the few routes we serve do not need one.
 */
import { request } from 'undici';
import {
  maxHeaderSize,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { getOperationAST, GraphQLError, parse, type DocumentNode } from 'graphql';
import { ErrorCode } from './errors';
import {
  acceptsJsonAnswer,
  SUBSCRIPTION_TRANSPORTS,
  subscriptionRootDirectiveErrors,
} from './operation-guard';
import { graphqlParams, negotiateStreamTransport } from './subscriptions-over-http';
import type { TrustedProxies } from './trusted-proxies';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = ErrorCode.BAD_USER_INPUT,
    /** More for `extensions`, beside the code (e.g. `reason`). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * A request refused as a whole for its form (README: BAD_USER_INPUT, what was wrong in
 * `reason`), as Apollo Server refuses the malformed requests it sees.
 */
export const malformedRequest = (status: number, message: string) =>
  new HttpError(status, message, ErrorCode.BAD_USER_INPUT, { reason: 'BAD_REQUEST' });

/**
 * Answers a request Node's parser refuses before any route sees it — a request line and headers
 * beyond Node's maxHeaderSize (16 KiB unless --max-http-header-size says otherwise: a long GET
 * URL), a request that is not HTTP, one too slow to arrive — with a GraphQL error and the given
 * headers (the baseline security headers), where Node wrote a bare status line.
 */
export function answerUnparsedRequests(server: Server, headers: Record<string, string>): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // As Node's own answer: nothing on a socket gone, or amid a response already under way on it
    // (keep-alive), which the bytes would corrupt.
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent)
      return void socket.destroy();
    const [status, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [
            431,
            `The request line and headers exceed ${maxHeaderSize} bytes: ` +
              'send a long document with POST.',
          ]
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'The request did not arrive in time.']
          : [400, 'The request is not valid HTTP.'];
    const body = JSON.stringify({
      errors: [{ message, extensions: { code: ErrorCode.BAD_USER_INPUT, reason: 'BAD_REQUEST' } }],
    });
    const lines = Object.entries({
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    }).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('')}\r\n${body}`);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** A GraphQL-shaped error body, so clients parse every failure the same way. */
export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, {
    errors: [{ message: error.message, extensions: { code: error.code, ...error.extensions } }],
  });
}

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes)
    return Promise.reject(malformedRequest(413, `Request body exceeds ${maxBytes} bytes.`));
  // Events rather than `for await`: the async iterator costs more than the body on small requests.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off('data', onData);
      reject(malformedRequest(413, `Request body exceeds ${maxBytes} bytes.`));
    };
    req.on('data', onData);
    req.once('error', reject);
    req.once('end', () => {
      if (size <= maxBytes) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
  });
}

function toHeaderMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** Whether a Content-Type header's media type, parameters aside, is application/json. */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}

/** A GraphQL request's body: parsed JSON, raw text for other content types, undefined for GET. */
export async function readGraphQLBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  // A compressed body read as it came would be refused as invalid JSON, or run as sent when the
  // header is wrong: neither is what the client asked for (RFC 9110: 415).
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity')
    throw malformedRequest(
      415,
      `Request bodies are taken uncompressed: Content-Encoding ${encoding} is not supported.`,
    );
  const raw = await readBody(req, maxBytes);
  // Anything but JSON is passed through as text so Apollo's CSRF prevention and content-type
  // checks answer it with their own clear 400s. A media type is matched whole and in any case
  // (RFC 9110): `Application/JSON` is JSON, `application/jsonx` or a type whose parameters
  // merely mention application/json is not.
  if (!isJsonContentType(req.headers['content-type'])) return raw.toString('utf8');
  if (raw.length === 0) throw malformedRequest(400, 'Request body is empty.');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw malformedRequest(400, 'Request body is not valid JSON.');
  }
}

/**
 * The first of subscriptionRootDirectiveErrors for a request's document, as a 400. Only a text
 * that could break the rule is parsed; a syntax error is Apollo Server's to report.
 */
function subscriptionRootDirectiveRefusal(body: unknown, search: string): GraphQLError | null {
  const query =
    body !== null && typeof body === 'object' && 'query' in body
      ? body.query
      : new URLSearchParams(search).get('query');
  if (
    typeof query !== 'string' ||
    !query.includes('subscription') ||
    !/@(skip|include)/.test(query)
  )
    return null;
  let document;
  try {
    document = parse(query);
  } catch {
    return null;
  }
  const [error] = subscriptionRootDirectiveErrors(document);
  return error
    ? new GraphQLError(error.message, {
        nodes: error.nodes,
        extensions: { ...error.extensions, http: { status: 400 } },
      })
    : null;
}

/**
 * False for a subscription whose Accept takes neither a stream (those are served before this
 * handler) nor JSON: Apollo Server would refuse the Accept without a word about the transports
 * (it writes no answer, error or not, in a type the client did not ask for), where the client
 * needs to hear which to ask for.
 */
function servesAcceptedAnswer(req: IncomingMessage, body: unknown): boolean {
  const accept = req.headers.accept;
  if (acceptsJsonAnswer(accept) || negotiateStreamTransport(accept)) return true;
  const params = graphqlParams(req, body);
  if (!params) return true;
  let document;
  try {
    document = parse(params.query, { noLocation: true });
  } catch {
    return true; // a syntax error is Apollo Server's to report
  }
  return getOperationAST(document, params.operationName)?.operation !== 'subscription';
}

/**
 * Apollo Server's cache of parsed documents (its `documentStore`), with the bound it means to
 * have. Its default sizes a document by its JSON, in which the location holds two numbers, while
 * the document keeps its whole source text through that location: ever new documents of a
 * megabyte of comment each stayed cached at about 0.9 MB apiece, thousands of them within the
 * default's 30 MiB. Here a document counts its text too.
 */
export function documentStore(): InMemoryLRUCache<DocumentNode> {
  return new InMemoryLRUCache<DocumentNode>({
    maxSize: 30 * 2 ** 20,
    sizeCalculation: (document) =>
      InMemoryLRUCache.sizeCalculation(document) + (document.loc?.source.body.length ?? 0),
  });
}

export interface GraphQLHandlerOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context; throw a GraphQLError to refuse the request. */
  context: (req: IncomingMessage) => Promise<TContext>;
  maxBodyBytes: number;
}

export type GraphQLHandler<TContext> = (
  req: IncomingMessage,
  res: ServerResponse,
  /** The body when the caller has read it already (readGraphQLBody). */
  body?: unknown,
  /** Replaces options.context for this request. */
  context?: () => Promise<TContext>,
) => Promise<void>;

export function createGraphQLHandler<TContext extends BaseContext>(
  options: GraphQLHandlerOptions<TContext>,
): GraphQLHandler<TContext> {
  return async (req, res, body, context) => {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const search = queryStart === -1 ? '' : url.slice(queryStart);
    const read = body === undefined ? await readGraphQLBody(req, options.maxBodyBytes) : body;
    if (!servesAcceptedAnswer(req, read)) throw new HttpError(406, SUBSCRIPTION_TRANSPORTS);
    const refused = subscriptionRootDirectiveRefusal(read, search);
    const response = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method ?? 'GET',
        headers: toHeaderMap(req),
        search,
        body: read,
      },
      // Refused before Apollo Server validates: graphql-js would throw on it (a 500).
      context: refused ? () => Promise.reject(refused) : (context ?? (() => options.context(req))),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of response.headers) headers[name] = value;
    if (response.body.kind === 'complete') {
      headers['content-length'] = String(Buffer.byteLength(response.body.string));
      res.writeHead(response.status ?? 200, headers);
      res.end(response.body.string);
      return;
    }
    res.writeHead(response.status ?? 200, headers);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

/** What a check found, when it has more to say than pass or fail (`ok` decides readiness). */
export interface ReadinessDetail {
  ok: boolean;
  error?: string;
  [detail: string]: unknown;
}

/** Passes by resolving, fails by throwing — or says which with a detail. */
export type ReadinessCheck = () => Promise<void | ReadinessDetail>;

/** Runs every check; the JSON says which dependency is not ready and why. */
export async function checkReadiness(
  checks: Record<string, ReadinessCheck>,
): Promise<{ ready: boolean; checks: Record<string, ReadinessDetail> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, ReadinessDetail]> => {
      try {
        return [name, (await check()) ?? { ok: true }];
      } catch (error) {
        return [name, { ok: false, error: error instanceof Error ? error.message : String(error) }];
      }
    }),
  );
  return { ready: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
}

export async function serveHealth(
  url: string,
  res: ServerResponse,
  readiness: Record<string, ReadinessCheck>,
): Promise<boolean> {
  if (url === '/healthz') {
    sendJson(res, 200, { status: 'ok' });
    return true;
  }
  if (url === '/readyz') {
    const report = await checkReadiness(readiness);
    sendJson(res, report.ready ? 200 : 503, {
      status: report.ready ? 'ready' : 'not ready',
      ...report,
    });
    return true;
  }
  return false;
}

/** Address of the peer, or of the client a trusted proxy forwarded for. */
export function clientAddressOf(req: IncomingMessage, trustedProxies: TrustedProxies): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (!trustedProxies.has(peer)) return peer;
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || peer;
}

/** Whether a GraphQL server (any, not only ours) answers `{ __typename }` at `url`. */
export async function answersTypename(url: string): Promise<boolean> {
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
      headersTimeout: 2000,
      bodyTimeout: 2000,
    });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}
