/**
 * A tiny GraphQL-over-HTTP client for tests: real requests over loopback. Send a typed document
 * (test/operations, generated into test/__generated__) to get typed variables and data; a
 * string query still works, typed as loosely as the test says.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export async function graphql<TData, TVariables>(
  url: string,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  headers?: Record<string, string>,
): Promise<GraphQLResponse<TData>>;
export async function graphql<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<GraphQLResponse<T>>;
export async function graphql(
  url: string,
  query: string | TypedDocumentNode,
  variables: unknown = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<unknown>> {
  const { response: _response, ...answer } = await postJson<unknown>(
    url,
    { query: typeof query === 'string' ? query : print(query), variables },
    headers,
  );
  return answer;
}

/** POSTs any JSON body (e.g. a document id instead of a query); the raw response comes along. */
export async function postJson<T = Record<string, any>>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T> & { response: Response }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { response, status: response.status, ...answer };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The codes of a response's errors, for compact assertions. */
export const errorCodes = (response: GraphQLResponse<unknown>) =>
  (response.errors ?? []).map((error) => error.extensions?.code);
