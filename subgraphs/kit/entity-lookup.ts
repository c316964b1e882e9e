/**
 * Asks the subgraph that owns an entity type which of some ids the caller may see, e.g. the
 * messages subgraph checking that new channel members are users of the caller's organization.
 * The request carries the caller's own credentials (see on-behalf.ts). All ids go in one
 * `_entities` query, which the owner resolves in one batch.
 */
import { queryOnBehalf, type Caller, type OtherSubgraph } from './on-behalf';

export interface EntityLookup {
  /** The subset of `ids` that the owning subgraph resolves for the caller. */
  visibleIds(ids: readonly string[], caller: Caller): Promise<Set<string>>;
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

export function createEntityLookup(options: {
  /** The owning subgraph. */
  owner: OtherSubgraph;
  typename: string;
  timeoutMs?: number;
}): EntityLookup {
  if (!GRAPHQL_NAME.test(options.typename))
    throw new Error(`invalid type name ${options.typename}`);
  const timeout = options.timeoutMs ?? 5000;
  const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${options.typename} { id } } }`;
  return {
    async visibleIds(ids, caller) {
      if (ids.length === 0) return new Set();
      const representations = ids.map((id) => ({ __typename: options.typename, id }));
      const body = await queryOnBehalf<{ _entities?: ({ id?: unknown } | null)[] }>(
        options.owner,
        caller,
        query,
        { representations },
        timeout,
      );
      const entities = body.data?._entities;
      if (!Array.isArray(entities)) {
        throw new Error(
          `${options.typename} lookup at ${options.owner.url} failed: ${JSON.stringify(body.errors)}`,
        );
      }
      return new Set(
        entities.flatMap((entity) => (typeof entity?.id === 'string' ? [entity.id] : [])),
      );
    },
  };
}
