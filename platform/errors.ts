/**
 * The one catalogue of error codes a client can see (BRIEF §4). Client-caused failures are
 * GraphQLErrors carrying one of these codes in `extensions.code`; anything else is masked as
 * INTERNAL_SERVER_ERROR and logged with the request id.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  CONTENT_REJECTED: 'CONTENT_REJECTED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** Raised by the gateway, with `extensions.serviceName`, when a subgraph cannot be reached. */
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  /**
   * A persisted document id (trusted documents, or Apollo's automatic persisted queries) the
   * gateway does not know. Apollo's and urql's persisted query clients look for this code and
   * resend the document's text.
   */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** A document sent as text to a gateway that only runs trusted documents. */
  PERSISTED_QUERY_ID_REQUIRED: 'PERSISTED_QUERY_ID_REQUIRED',
  /**
   * A subscription's `after` cursor older than the stored changes it would resume from (they
   * were pruned after their retention): reload the view and subscribe from a fresh cursor.
   */
  CURSOR_EXPIRED: 'CURSOR_EXPIRED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const CLIENT_CODES = new Set<string>(Object.values(ErrorCode));

export function clientError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const unauthenticated = (message = 'Authentication required.') =>
  clientError(ErrorCode.UNAUTHENTICATED, message);

export const forbidden = (message = 'You are not allowed to do this.') =>
  clientError(ErrorCode.FORBIDDEN, message);

/** `field` names the offending input field (e.g. `password`) so a form can point at it. */
export const badUserInput = (message: string, field?: string) =>
  clientError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});

/** A subgraph the gateway could not get a GraphQL answer from (the client may retry). */
export const subgraphUnavailable = (serviceName: string, message: string, cause?: Error) =>
  new GraphQLError(message, {
    extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName },
    ...(cause ? { originalError: cause } : {}),
  });

export const cursorExpired = () =>
  clientError(
    ErrorCode.CURSOR_EXPIRED,
    '`after` is older than the changes still stored: reload the view, then subscribe again from a fresh cursor.',
    { field: 'after' },
  );

export const notFound = (what: string) => clientError(ErrorCode.NOT_FOUND, `${what} not found.`);

export const conflict = (message: string, extensions: Record<string, unknown> = {}) =>
  clientError(ErrorCode.CONFLICT, message, extensions);

/** True for errors that were raised on purpose for the client and may be shown as they are. */
export function isClientError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  const code = error.extensions?.code;
  return (
    typeof code === 'string' && CLIENT_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR
  );
}

/** Apollo Server's own codes for malformed requests, all of them the client's doing. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** graphql-js's last word once 50 variables did not coerce: no code, no location. */
const TOO_MANY_VARIABLE_ERRORS =
  'Too many errors processing variables, error limit reached. Execution aborted.';

/**
 * Malformed requests that Apollo Server refuses without a code, only with an HTTP 400 (a
 * persisted query whose hash does not fit it, or of a version it does not know), and
 * graphql-js's end to coercing variables after 50 errors, which Apollo leaves uncoded while it
 * marks the 50 BAD_USER_INPUT: the client's doing, as the codes above are.
 */
function isUncodedRequestError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError) || error.extensions?.code !== undefined) return false;
  const status = (error.extensions?.http as { status?: unknown } | undefined)?.status;
  return (
    (typeof status === 'number' && status >= 400 && status < 500) ||
    error.message === TOO_MANY_VARIABLE_ERRORS
  );
}

/**
 * The last word on what a client sees of an error: codes from the catalogue pass through;
 * malformed requests become BAD_USER_INPUT (the original code kept as `reason`, BAD_REQUEST for
 * one Apollo refused without a code); anything else is masked, so no internal message or stack
 * trace leaks. `original` is the error before it was formatted, where the caller has it.
 */
export function formatErrorForClient(
  formatted: GraphQLFormattedError,
  original?: unknown,
): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
    return { ...formatted, extensions: { code: ErrorCode.BAD_USER_INPUT, reason: code } };
  }
  if (isUncodedRequestError(original)) {
    const reason = original.message === TOO_MANY_VARIABLE_ERRORS ? {} : { reason: 'BAD_REQUEST' };
    return { ...formatted, extensions: { code: ErrorCode.BAD_USER_INPUT, ...reason } };
  }
  if (
    typeof code === 'string' &&
    CLIENT_CODES.has(code) &&
    code !== ErrorCode.INTERNAL_SERVER_ERROR
  ) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: 'Internal server error.',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/** A parse or validation error carrying the code Apollo Server gives it over HTTP. */
export function withRequestCode(
  error: GraphQLError,
  code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED',
) {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { code },
  });
}

/** formatErrorForClient for errors that have not been serialized yet (WebSocket transports). */
export const formatErrorsForClient = (errors: readonly (GraphQLError | GraphQLFormattedError)[]) =>
  errors.map((error) =>
    error instanceof GraphQLError
      ? formatErrorForClient(error.toJSON(), error)
      : formatErrorForClient(error),
  );
