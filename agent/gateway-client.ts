/**
 * GraphQL over HTTP to the gateway, as any client talks to it. One call is one attempt; failures
 * are sorted into answers from the API (GatewayError: retrying the same request cannot help) and
 * transport trouble (TransientError), which also says whether the request may have been
 * processed — what decides how a non-idempotent mutation may be retried.
 */
const REQUEST_TIMEOUT_MS = 15_000;

/** The API answered with an error from its catalogue (BAD_USER_INPUT, CONFLICT, …). */
export class GatewayError extends Error {
  override name = 'GatewayError';
  constructor(
    message: string,
    readonly code: string,
    readonly extensions: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * The gateway could not be reached or failed on its side. `processed` is `no` when the request
 * certainly had no effect (refused connection, rate limited) and `maybe` when it may have
 * reached the server (dropped connection, timeout, 5xx, masked internal error, a subgraph
 * unavailable).
 */
export class TransientError extends Error {
  override name = 'TransientError';
  constructor(
    message: string,
    readonly processed: 'no' | 'maybe',
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export const isTransient = (error: unknown): error is TransientError =>
  error instanceof TransientError;

export const hasCode = (error: unknown, code: string): error is GatewayError =>
  error instanceof GatewayError && error.code === code;

/** Errors raised before a connection exists: the request never left this machine. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Error codes that say the servers failed, not the request: the same request may succeed. */
const TRANSIENT_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SUBGRAPH_UNAVAILABLE']);

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface GatewayClient {
  readonly url: string;
  request<T>(
    query: string,
    variables: Record<string, unknown>,
    headers?: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<T>;
}

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function retryAfterMs(header: string | null): number | undefined {
  const seconds = Number(header);
  return header && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export function createGatewayClient(url: string, userAgent: string): GatewayClient {
  return {
    url,
    async request<T>(
      query: string,
      variables: Record<string, unknown>,
      headers: Record<string, string> = {},
      signal?: AbortSignal,
    ): Promise<T> {
      const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': userAgent, ...headers },
          body: JSON.stringify({ query, variables }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const code = causeCode(error);
        throw new TransientError(
          `The gateway is unreachable (${code ?? (timeout.aborted ? 'timeout' : 'network error')}).`,
          code && NOT_SENT.has(code) ? 'no' : 'maybe',
        );
      }
      if (response.status === 429 || response.status === 503) {
        throw new TransientError(
          `The gateway answered HTTP ${response.status}.`,
          'no',
          retryAfterMs(response.headers.get('retry-after')),
        );
      }
      let body: GraphQLBody;
      try {
        body = (await response.json()) as GraphQLBody;
      } catch {
        throw new TransientError(
          `The gateway answered HTTP ${response.status}, not JSON.`,
          'maybe',
        );
      }
      const [error] = body.errors ?? [];
      if (error) {
        const extensions = error.extensions ?? {};
        const code = typeof extensions.code === 'string' ? extensions.code : 'UNKNOWN';
        if (code === 'RATE_LIMITED') {
          const seconds = Number(extensions.retryAfter);
          throw new TransientError(
            error.message,
            'no',
            Number.isFinite(seconds) ? seconds * 1000 : undefined,
          );
        }
        // Masked failures inside the gateway or a subgraph (a database hiccup), and a subgraph
        // the operation needs being unreachable or restarting (SUBGRAPH_UNAVAILABLE, HTTP 200):
        // the operation may or may not have been applied.
        if (TRANSIENT_CODES.has(code) || response.status >= 500) {
          throw new TransientError(`The gateway failed: ${error.message}`, 'maybe');
        }
        throw new GatewayError(error.message, code, extensions);
      }
      if (response.status >= 500 || !body.data) {
        throw new TransientError(`The gateway answered HTTP ${response.status}.`, 'maybe');
      }
      return body.data as T;
    },
  };
}
