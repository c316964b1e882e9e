/**
 * A GraphQL request from one subgraph to another on a caller's behalf. There is no SQL across
 * subgraphs, and no trust either: the request carries the caller's own credentials, so the
 * other subgraph authorizes the caller itself.
 */
import { request } from 'undici';
import type { CredentialHeaders } from '../../platform/credentials';
import { ErrorCode, subgraphUnavailable } from '../../platform/errors';

export interface Caller {
  credentials: CredentialHeaders;
  requestId: string;
}

/** The subgraph asked: its name (for errors that name it) and its GraphQL endpoint. */
export interface OtherSubgraph {
  name: string;
  url: string;
}

export interface OnBehalfResponse<T> {
  data?: T | null;
  errors?: { message?: string; extensions?: { code?: unknown } }[];
}

/**
 * Answers that say the other subgraph could not answer now (unreachable, starting, failing)
 * rather than anything about the caller.
 */
const UNAVAILABLE_CODES = new Set<unknown>([
  ErrorCode.SUBGRAPH_UNAVAILABLE,
  ErrorCode.INTERNAL_SERVER_ERROR,
]);

/**
 * The other subgraph's GraphQL answer. When it cannot give one — unreachable, timed out, no
 * JSON, or an answer that it is unavailable or failing — this throws the documented, retryable
 * SUBGRAPH_UNAVAILABLE naming it, so the caller learns which dependency to wait for instead of
 * a masked internal error.
 */
export async function queryOnBehalf<T>(
  target: OtherSubgraph,
  caller: Caller,
  query: string,
  variables: Record<string, unknown>,
  timeoutMs = 5000,
): Promise<OnBehalfResponse<T>> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-request-id': caller.requestId,
  };
  if (caller.credentials.authorization) headers.authorization = caller.credentials.authorization;
  if (caller.credentials.apiKey) headers['x-api-key'] = caller.credentials.apiKey;
  const unavailable = (why: string, cause?: Error) =>
    subgraphUnavailable(
      target.name,
      `Subgraph ${target.name} is unavailable (${why}); retry shortly.`,
      cause,
    );
  let response;
  try {
    response = await request(target.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    throw unavailable('unreachable', error as Error);
  }
  const body = (await response.body.json().catch(() => null)) as OnBehalfResponse<T> | null;
  if (!body) throw unavailable(`HTTP ${response.statusCode} without a GraphQL answer`);
  const code = body.errors?.[0]?.extensions?.code;
  if (UNAVAILABLE_CODES.has(code)) throw unavailable(`it answered ${String(code)}`);
  return body;
}
