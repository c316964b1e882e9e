/**
 * Asks the subgraph that owns an entity type which of some ids the caller may see, e.g. the
 * messages subgraph checking that new channel members are users of the caller's organization.
 * There is no SQL across subgraphs, and no trust either: the request carries the caller's own
 * credentials, so the owning subgraph authorizes the caller itself. All ids go in one
 * `_entities` query, which the owner resolves in one batch.
 */
import { request } from 'undici';
import type { CredentialHeaders } from './credentials';

export interface EntityLookup {
  /** The subset of `ids` that the owning subgraph resolves for the caller. */
  visibleIds(
    ids: readonly string[],
    caller: { credentials: CredentialHeaders; requestId: string },
  ): Promise<Set<string>>;
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

export function createEntityLookup(options: {
  /** The owning subgraph's GraphQL endpoint. */
  url: string;
  typename: string;
  timeoutMs?: number;
}): EntityLookup {
  if (!GRAPHQL_NAME.test(options.typename))
    throw new Error(`invalid type name ${options.typename}`);
  const timeout = options.timeoutMs ?? 5000;
  const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${options.typename} { id } } }`;
  return {
    async visibleIds(ids, { credentials, requestId }) {
      if (ids.length === 0) return new Set();
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-request-id': requestId,
      };
      if (credentials.authorization) headers.authorization = credentials.authorization;
      if (credentials.apiKey) headers['x-api-key'] = credentials.apiKey;
      const response = await request(options.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          query,
          variables: {
            representations: ids.map((id) => ({ __typename: options.typename, id })),
          },
        }),
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      const body = (await response.body.json().catch(() => null)) as {
        data?: { _entities?: ({ id?: unknown } | null)[] } | null;
      } | null;
      const entities = body?.data?._entities;
      if (response.statusCode !== 200 || !Array.isArray(entities)) {
        throw new Error(
          `${options.typename} lookup at ${options.url} failed with HTTP ${response.statusCode}`,
        );
      }
      return new Set(
        entities.flatMap((entity) => (typeof entity?.id === 'string' ? [entity.id] : [])),
      );
    },
  };
}
