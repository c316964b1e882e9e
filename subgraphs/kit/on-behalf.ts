/**
 * A GraphQL request from one subgraph to another on a caller's behalf. There is no SQL across
 * subgraphs, and no trust either: the request carries the caller's own credentials, so the
 * other subgraph authorizes the caller itself.
 */
import { request } from 'undici';
import type { CredentialHeaders } from '../../platform/credentials';

export interface Caller {
  credentials: CredentialHeaders;
  requestId: string;
}

export interface OnBehalfResponse<T> {
  status: number;
  /** null when the answer was not JSON. */
  body: {
    data?: T | null;
    errors?: { message?: string; extensions?: { code?: unknown } }[];
  } | null;
}

export async function queryOnBehalf<T>(
  url: string,
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
  const response = await request(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const body = (await response.body.json().catch(() => null)) as OnBehalfResponse<T>['body'];
  return { status: response.statusCode, body };
}
