/**
 * Read paths without the unit of work. A query only serializes what it reads, so its rows need
 * no entity: no identity map entry, no change-tracking snapshot, no reference wiring — which is
 * where most of a subgraph's CPU went on a page of 50 rows. Rows are read into plain objects
 * with the entities' property names and types (MikroORM's compiled result mapper turns columns
 * into properties and timestamps into Dates), by the same SQL statements.
 *
 * Mutations (and subscriptions) keep entities: their services change what they load and flush
 * it. The request's mode says which applies; it is decided once the operation is known.
 *
 * These plain-row reads are also the only statements sent to a read replica, when the request's
 * mode names one (kit/read-routing.ts decides per query); everything else runs on the primary.
 */
import type { FilterQuery, QueryOrderMap } from '@mikro-orm/core';
import type { EntityManager, Replica } from './orm';

/** Whether the current request only reads (a query, `_entities` included), and from where. */
export interface ReadMode {
  readOnly: boolean;
  /** The read replica serving this query's plain-row reads; the primary when unset. */
  replica?: Replica | null;
  /**
   * Set by a query field that read the primary for something the caller's later reads must not
   * be older than (a change stream's head cursor): once answered, read routing treats the
   * query like a write (kit/read-routing.ts), so those reads wait for a replica that has it.
   */
  fence?: boolean;
}

/** A request that may write, until its operation is known to be a query. */
export const writableMode = (): ReadMode => ({ readOnly: false });

type EntityClass<T> = new (...args: never[]) => T;

/**
 * What a read path returns: an entity's fields as a plain object. Entities (having no methods)
 * are rows too, so a mutation's result fits wherever a row does; codegen maps the GraphQL types
 * to these.
 */
export type Row<T> = { [K in keyof T]: T[K] };

/**
 * One row of `entity`'s table, in the request's mode. The caller's statement picks the columns
 * (`select *` suits tables without lazy columns).
 */
export function fromRow<T extends object>(
  em: EntityManager,
  mode: ReadMode,
  entity: EntityClass<T>,
  row: Record<string, unknown>,
): Row<T> {
  return mode.readOnly
    ? (em.getComparator().mapResult(entity.name, row as never) as Row<T>)
    : em.map(entity, row as never);
}

/** `em.find` with its filter, order and limit; plain rows (one statement alike) for reads. */
export async function findRows<T extends object>(
  em: EntityManager,
  mode: ReadMode,
  entity: EntityClass<T>,
  where: FilterQuery<T>,
  options: { orderBy?: QueryOrderMap<T>; limit?: number } = {},
): Promise<Row<T>[]> {
  if (!mode.readOnly) return em.find(entity, where, options);
  const query = em
    .createQueryBuilder(entity)
    .select(readColumns(em, entity).map(({ property }) => property) as never)
    .where(where);
  if (options.orderBy) query.orderBy(options.orderBy);
  if (options.limit !== undefined) query.limit(options.limit);
  if (!mode.replica) return (await query.execute('all')) as Row<T>[];
  // knex's own form of the statement (`?` placeholders), as selectRows sends it.
  const { sql, bindings } = query.getKnexQuery().toSQL();
  const rows = await selectRows(em, mode, sql, [...bindings]);
  return rows.map((row) => fromRow(em, mode, entity, row));
}

/**
 * Rows by primary key (`id`), in one statement. For reads, a fixed statement per table rather
 * than a query builder: by-id lookups serve every entity reference, so their cost is paid per
 * row of every page that points at them.
 */
export async function findRowsById<T extends { id: string }>(
  em: EntityManager,
  mode: ReadMode,
  entity: EntityClass<T>,
  ids: readonly string[],
): Promise<Row<T>[]> {
  if (!mode.readOnly) return em.find(entity, { id: { $in: [...ids] } } as never);
  const meta = em.getMetadata().get(entity.name);
  const schema = meta.schema ?? em.config.get('schema');
  const columns = readColumns(em, entity)
    .map(({ column }) => `"${column}"`)
    .join(', ');
  const rows = await selectRows(
    em,
    mode,
    `select ${columns} from "${schema}"."${meta.tableName}" where "id" in (${ids.map(() => '?').join(', ')})`,
    [...ids],
  );
  return rows.map((row) => fromRow(em, mode, entity, row));
}

/**
 * A read statement (plain SQL, rows as PostgreSQL returns them) on the request's replica, or on
 * the primary — the one way a read path reaches a replica. A replica that fails it (gone,
 * restarting, or cancelling the statement for a recovery conflict) is marked down until its next
 * check answers (kit/orm.ts), and the statement runs on the primary instead: a replica's outage
 * costs the primary load, not errors.
 */
export async function selectRows(
  em: EntityManager,
  mode: ReadMode,
  sql: string,
  params: unknown[],
): Promise<Record<string, unknown>[]> {
  const replica = mode.replica;
  if (replica?.up) {
    try {
      return await replica.connection.execute<Record<string, unknown>[]>(sql, params);
    } catch {
      replica.up = false;
    }
  }
  return em.execute<Record<string, unknown>[]>(sql, params);
}

const columnsByMetadata = new WeakMap<object, { property: string; column: string }[]>();

/**
 * The columns `em.find` would select: every stored property but the lazy ones (a password hash
 * is read only by the path that checks it).
 */
function readColumns(em: EntityManager, entity: EntityClass<unknown>) {
  const meta = em.getMetadata().get(entity.name);
  let columns = columnsByMetadata.get(meta);
  if (!columns) {
    columns = meta.props
      .filter((prop) => prop.persist !== false && !prop.lazy && prop.fieldNames?.length === 1)
      .map((prop) => ({ property: prop.name as string, column: prop.fieldNames[0]! }));
    columnsByMetadata.set(meta, columns);
  }
  return columns;
}
