/**
 * Per-request DataLoaders: any number of lookups in one tick become one SQL statement. Pages of
 * related rows (a node's deployments, the latest events of each deployment in a list) are
 * fetched for every parent at once with a LATERAL join, one statement per page shape.
 */
import DataLoader from 'dataloader';
import { byIdLoader } from '../kit/loaders';
import { rowMapper, selectRows, type ReadScope } from '../kit/reads';
import { Deployment, type DeploymentStatus } from './entities/deployment';
import { DeploymentEvent } from './entities/deployment-event';

export interface DeploymentPageKey {
  /** Whose deployments: those on a node, or those a user triggered. */
  owner: 'node' | 'user';
  ownerId: string;
  organizationId: string;
  status: DeploymentStatus | null;
  /** Rows to fetch, newest first: the page size plus one, which tells whether more follow. */
  limit: number;
  after: { at: Date; id: string } | null;
}

export interface EventPageKey {
  deploymentId: string;
  /** `first`: the oldest events after `after`; `last`: the most recent ones after `after`. */
  end: 'first' | 'last';
  /** Rows to fetch: the page size plus one, which tells whether more lie beyond. */
  limit: number;
  /** Sequence number the page starts after (0: from the beginning). */
  after: number;
}

const OWNER_COLUMN = { node: 'node_id', user: 'triggered_by' } as const;

/**
 * First pages start after (infinity, the largest uuid): one row comparison for every page, which
 * the owner's (created_at, id) index seeks to — `after is null or …` would make it a filter, read
 * from the newest row however deep the page.
 */
const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** Groups the keys of one batch by the shape of their query, and runs one query per shape. */
function pageLoader<K, V>(shapeOf: (key: K) => string, load: (keys: K[]) => Promise<V[]>) {
  return new DataLoader<K, V, string>(
    async (keys) => {
      const shapes = new Map<string, number[]>();
      keys.forEach((key, index) => {
        const shape = shapeOf(key);
        const indexes = shapes.get(shape);
        if (indexes) indexes.push(index);
        else shapes.set(shape, [index]);
      });
      const results = new Array<V>(keys.length);
      await Promise.all(
        [...shapes.values()].map(async (indexes) => {
          const values = await load(indexes.map((index) => keys[index]!));
          indexes.forEach((index, i) => (results[index] = values[i]!));
        }),
      );
      return results;
    },
    { cacheKeyFn: (key) => JSON.stringify(key) },
  );
}

/** Splits rows tagged with the position of their key (`page_key`) into one list per key. */
function byPageKey<T extends object>(
  scope: ReadScope,
  entity: new (...args: never[]) => T,
  rows: Record<string, unknown>[],
  keyCount: number,
): T[][] {
  const pages = Array.from({ length: keyCount }, () => [] as T[]);
  // The row's own columns become the row; `page_key` belongs to no property and is left out.
  const map = rowMapper(scope, entity);
  for (const row of rows) pages[row.page_key as number]!.push(map(row));
  return pages;
}

function deploymentPages(scope: ReadScope) {
  return pageLoader<DeploymentPageKey, Deployment[]>(
    ({ owner, organizationId, status, limit }) => `${owner}:${organizationId}:${status}:${limit}`,
    async (keys) => {
      const { owner, organizationId, status, limit } = keys[0]!;
      const parents = keys.map((key, index) => ({
        owner_id: key.ownerId,
        after_at: key.after?.at.toISOString() ?? null,
        after_id: key.after?.id ?? null,
        page_key: index,
      }));
      const rows = await selectRows(
        scope,
        `select page.*, k.page_key
          from jsonb_to_recordset(?::jsonb) as k(owner_id uuid, after_at timestamptz, after_id uuid, page_key int)
          cross join lateral (
            select * from "deployments"."deployments" d
            where d."${OWNER_COLUMN[owner]}" = k.owner_id and d."organization_id" = ?
              ${status ? 'and d."status" = ?' : ''}
              and (d."created_at", d."id") < (coalesce(k.after_at, 'infinity'), coalesce(k.after_id, '${MAX_UUID}'))
            order by d."created_at" desc, d."id" desc
            limit ?
          ) page
          order by k.page_key, page."created_at" desc, page."id" desc`,
        [JSON.stringify(parents), organizationId, ...(status ? [status] : []), limit],
      );
      return byPageKey(scope, Deployment, rows, keys.length);
    },
  );
}

function eventPages(scope: ReadScope) {
  return pageLoader<EventPageKey, DeploymentEvent[]>(
    ({ end, limit }) => `${end}:${limit}`,
    async (keys) => {
      const { end, limit } = keys[0]!;
      const parents = keys.map((key, index) => ({
        deployment_id: key.deploymentId,
        after_sequence: key.after,
        page_key: index,
      }));
      // Pages come out oldest first either way; `last` fetches from the newest end.
      const rows = await selectRows(
        scope,
        `select page.*, k.page_key
          from jsonb_to_recordset(?::jsonb) as k(deployment_id uuid, after_sequence int, page_key int)
          cross join lateral (
            select * from "deployments"."deployment_events" e
            where e."deployment_id" = k.deployment_id and e."sequence" > k.after_sequence
            order by e."sequence" ${end === 'first' ? 'asc' : 'desc'}
            limit ?
          ) page
          order by k.page_key, page."sequence"`,
        [JSON.stringify(parents), limit],
      );
      return byPageKey(scope, DeploymentEvent, rows, keys.length);
    },
  );
}

export function createLoaders(scope: ReadScope) {
  return {
    deploymentById: byIdLoader(scope, Deployment),
    deploymentPages: deploymentPages(scope),
    eventPages: eventPages(scope),
  };
}

export type DeploymentsLoaders = ReturnType<typeof createLoaders>;
