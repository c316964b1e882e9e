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
import {
  ReferenceKind,
  type EntityMetadata,
  type FilterQuery,
  type QueryOrderMap,
} from '@mikro-orm/core';
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

/**
 * Where a read path reads: the request's mode; its own EntityManager, for a request that may
 * write (entities, its unit of work); and `reader`, for plain-row reads, which use no unit of
 * work — so a query never needs its own (a request context forks it only when first asked).
 */
export interface ReadScope {
  readonly mode: ReadMode;
  readonly em: EntityManager;
  readonly reader: EntityManager;
}

const readers = new WeakMap<() => EntityManager, EntityManager>();

/**
 * The EntityManager plain-row reads use, one per database (per `fork` function), forked once:
 * they use its connection, metadata and mappers, never its identity map.
 */
export function readerOf(fork: () => EntityManager): EntityManager {
  let reader = readers.get(fork);
  if (!reader) {
    reader = fork();
    readers.set(fork, reader);
  }
  return reader;
}

/** Plain-row reads on the primary, outside any request (change streams' replays). */
export function primaryReads(fork: () => EntityManager): ReadScope {
  const reader = readerOf(fork);
  return { mode: { readOnly: true }, em: reader, reader };
}

type EntityClass<T> = new (...args: never[]) => T;

/**
 * What a read path returns: an entity's fields as a plain object. Entities (having no methods)
 * are rows too, so a mutation's result fits wherever a row does; codegen maps the GraphQL types
 * to these.
 */
export type Row<T> = { [K in keyof T]: T[K] };

/**
 * How rows of `entity`'s table become what a read path returns, in the request's mode: plain
 * rows for queries, entities otherwise. The caller's statement picks the columns: at least every
 * column a read selects (`select *` suits every table); columns of no property (a batch's key)
 * are left out of the row. Looked up once per statement, not per row.
 */
export function rowMapper<T extends object>(
  scope: ReadScope,
  entity: EntityClass<T>,
): (row: Record<string, unknown>) => Row<T> {
  if (scope.mode.readOnly) {
    return readsOf(scope.reader, entity).map as (row: Record<string, unknown>) => Row<T>;
  }
  const { em } = scope;
  const reads = readsOf(em, entity);
  return (row) => {
    const own: Record<string, unknown> = {};
    for (const column in row) if (reads.columns.has(column)) own[column] = row[column];
    return em.map(entity, own as never);
  };
}

/**
 * `em.find` with its filter, order and limit; plain rows (one statement alike) for reads. A
 * read's statement is the one MikroORM's query builder writes for the filter, built once per
 * shape of filter (its keys and operators, not its values) and order, then reused with the
 * request's values: building it per request cost more than running it.
 */
export async function findRows<T extends object>(
  scope: ReadScope,
  entity: EntityClass<T>,
  where: FilterQuery<T>,
  options: { orderBy?: QueryOrderMap<T>; limit?: number } = {},
): Promise<Row<T>[]> {
  if (!scope.mode.readOnly) return scope.em.find(entity, where, options);
  const reads = readsOf(scope.reader, entity);
  const { sql, params } = listStatement(scope.reader, reads, { entity, where, ...options });
  const rows = await selectRows(scope, sql, params);
  return rows.map(reads.map) as Row<T>[];
}

/**
 * Rows by primary key (`id`), in one statement. For reads, a fixed statement per table rather
 * than a query builder: by-id lookups serve every entity reference, so their cost is paid per
 * row of every page that points at them.
 */
export async function findRowsById<T extends { id: string }>(
  scope: ReadScope,
  entity: EntityClass<T>,
  ids: readonly string[],
): Promise<Row<T>[]> {
  if (!scope.mode.readOnly) return scope.em.find(entity, { id: { $in: [...ids] } } as never);
  const reads = readsOf(scope.reader, entity);
  // The ids as one array parameter: one statement (and one prepared plan) whatever their number.
  const rows = await readRows(scope, reads.byId, [ids]);
  return rows.map(reads.map) as Row<T>[];
}

/**
 * A statement read in the request's mode (plain SQL, rows as PostgreSQL returns them): a request
 * that may write reads through its own unit of work (its transaction, if open); a query reads
 * with readRows. Parameters are single values — strings, numbers, Dates, JSON text: MikroORM
 * inlines a write-mode statement's parameters into its text, and would write an array as a list.
 */
export async function selectRows(
  scope: ReadScope,
  sql: string,
  params: unknown[],
): Promise<Record<string, unknown>[]> {
  if (!scope.mode.readOnly) return scope.em.execute<Record<string, unknown>[]>(sql, params);
  return readRows(scope, sql, params);
}

/**
 * A query's read statement on the request's replica, or on the primary — the one way a read path
 * reaches a replica — its parameters bound by the driver (an array as a PostgreSQL array). A
 * replica that fails it (gone, restarting, or cancelling the statement for a recovery conflict)
 * is marked down until its next check answers (kit/orm.ts), and the statement runs on the
 * primary instead: a replica's outage costs the primary load, not errors.
 */
async function readRows(
  scope: ReadScope,
  sql: string,
  params: unknown[],
): Promise<Record<string, unknown>[]> {
  const replica = scope.mode.replica;
  if (replica?.up) {
    try {
      return await runPrepared(replica.connection, sql, params);
    } catch {
      replica.up = false;
    }
  }
  return runPrepared(scope.reader.getConnection(), sql, params);
}

/** A read statement's text in PostgreSQL's numbered parameters, and its name once prepared. */
interface Prepared {
  text: string;
  name: string | undefined;
}

/**
 * Read statements come from a few fixed texts (findRows' shapes, by-id lookups, the loaders'
 * pages); past this many, a text is sent unnamed — parsed each time, as before — so that an
 * unforeseen source of distinct texts cannot grow every connection's statement cache.
 */
const MAX_PREPARED_STATEMENTS = 500;
const preparedStatements = new Map<string, Prepared>();
/** Names given so far: each name is prepared once per connection, so none is given twice. */
let namesGiven = 0;

/**
 * PostgreSQL's answer to a prepared statement whose result columns changed since it was
 * prepared — a `select *` whose table gained a column, as a rolling deploy's migration does
 * while the previous version still serves.
 */
const isStalePlan = (error: unknown) =>
  (error as { code?: unknown }).code === '0A000' &&
  (error as Error).message === 'cached plan must not change result type';

/**
 * Runs a read statement on a connection of the pool as a named prepared statement with its
 * values as parameters: PostgreSQL parses and plans each text once per connection rather than
 * once per request, and the statement skips MikroORM's and knex's per-query layers (parameters
 * inlined into the text, the query log, knex's runner), which cost more CPU than the driver's
 * own work on a subgraph's small reads. The result is pg's, as MikroORM's `execute` returns it:
 * the same connections, the same type parsers. knex's `query` and `query-response` events are
 * emitted as for any statement, so the database's statement and row counts stay whole.
 */
async function runPrepared(
  connection: Pick<Replica['connection'], 'ensureConnection' | 'getKnex'>,
  sql: string,
  params: unknown[],
): Promise<Record<string, unknown>[]> {
  await connection.ensureConnection();
  const knex = connection.getKnex();
  let prepared = preparedStatements.get(sql);
  if (!prepared) {
    const text = knex.client.positionBindings(sql) as string;
    const named = preparedStatements.size < MAX_PREPARED_STATEMENTS;
    prepared = { text, name: named ? `read_${++namesGiven}` : undefined };
    if (named) preparedStatements.set(sql, prepared);
  }
  knex.emit('query', { sql: prepared.text, bindings: params });
  const client = (await knex.client.acquireConnection()) as PgClient;
  const run = () => client.query({ name: prepared.name, text: prepared.text, values: params });
  try {
    const result = await run().catch((error: unknown) => {
      if (!prepared.name || !isStalePlan(error)) throw error;
      // Prepared again under a new name: each connection prepares it afresh when it next
      // runs the statement, and the stale plans are never asked for again.
      prepared.name = `read_${++namesGiven}`;
      return run();
    });
    knex.emit('query-response', result);
    return result.rows;
  } finally {
    await knex.client.releaseConnection(client);
  }
}

/** The part of a pooled `pg` client a read uses. */
interface PgClient {
  query(config: {
    name: string | undefined;
    text: string;
    values: unknown[];
  }): Promise<{ rows: Record<string, unknown>[] }>;
}

/** What reads of one entity need, worked out once per entity (and ORM). */
interface EntityReads {
  /** Every column of a property (a row's other columns, e.g. a batch's key, are no field). */
  columns: Set<string>;
  /** The properties a read selects, by property name (the query builder's `select`). */
  properties: string[];
  /** `select <columns> from <table> where "id" = any(?)`: findRowsById's one statement. */
  byId: string;
  /** A row as PostgreSQL returns it, as a plain object with the entity's property names. */
  map: (row: Record<string, unknown>) => object;
  /** findRows' statements by shape of filter and order; null: the shape is not reusable. */
  statements: Map<string, Statement | null>;
}

/** A statement of the query builder, and where each of its parameters comes from. */
interface Statement {
  sql: string;
  /** A number: that value of the filter's (shapeOf's order, the limit last); else a constant. */
  params: (number | { constant: unknown })[];
}

const readsByMetadata = new WeakMap<object, EntityReads>();

function readsOf(em: EntityManager, entity: EntityClass<unknown>): EntityReads {
  const meta = em.getMetadata().get(entity.name);
  let reads = readsByMetadata.get(meta);
  if (!reads) {
    // The columns `em.find` would select: every stored property but the lazy ones (a password
    // hash is read only by the path that checks it).
    const columns = meta.props.filter(
      (prop) => prop.persist !== false && !prop.lazy && prop.fieldNames?.length === 1,
    );
    const schema = meta.schema ?? em.config.get('schema');
    reads = {
      columns: new Set(meta.props.flatMap((prop) => prop.fieldNames ?? [])),
      properties: columns.map((prop) => prop.name as string),
      byId: `select ${columns.map((prop) => `"${prop.fieldNames[0]}"`).join(', ')} from "${schema}"."${meta.tableName}" where "id" = any(?)`,
      map: compileRowMapper(em, meta),
      statements: new Map(),
    };
    readsByMetadata.set(meta, reads);
  }
  return reads;
}

/**
 * MikroORM's result mapper (`mapResult`) as one function per entity that builds each row in one
 * object literal: MikroORM's own adds properties one by one, keeps a second object of the
 * columns it mapped and walks the row again for the rest — per row of every page. The values
 * are the same: booleans as booleans, timestamps parsed as MikroORM parses them, everything else
 * as the driver returned it, lazy columns only when selected. An entity with embedded or
 * composite columns goes through MikroORM's mapper.
 */
function compileRowMapper(em: EntityManager, meta: EntityMetadata): EntityReads['map'] {
  const props = meta.props.filter((prop) => prop.fieldNames);
  if (
    meta.polymorphs?.length ||
    props.some(
      (prop) =>
        prop.fieldNames.length !== 1 ||
        prop.embedded ||
        prop.embeddable ||
        prop.kind === ReferenceKind.EMBEDDED,
    )
  ) {
    const comparator = em.getComparator();
    return (row) => comparator.mapResult(meta.className, row as never) as object;
  }
  const platform = em.getPlatform();
  const value = (column: string) => `row[${JSON.stringify(column)}]`;
  const mapped = (prop: (typeof props)[number]) => {
    const column = value(prop.fieldNames[0]!);
    if (prop.runtimeType === 'boolean') return `${column} == null ? ${column} : !!${column}`;
    if (prop.runtimeType === 'Date' && !platform.isNumericProperty(prop)) return `date(${column})`;
    return column;
  };
  const always = props.filter((prop) => prop.persist !== false && !prop.lazy);
  const literal = always.map((prop) => `${JSON.stringify(prop.name)}: ${mapped(prop)}`);
  const optional = props
    .filter((prop) => !always.includes(prop))
    .map(
      (prop) =>
        `if (${value(prop.fieldNames[0]!)} !== undefined) out[${JSON.stringify(prop.name)}] = ${mapped(prop)};`,
    );
  const code = `const out = { ${literal.join(', ')} };\n${optional.join('\n')}\nreturn out;`;
  // Only the metadata's own names go into the code, each quoted as a JSON string.
  return new Function('date', `return function mapRow(row) {\n${code}\n};`)(
    dateParser(platform),
  ) as EntityReads['map'];
}

/**
 * A timestamp column's value as MikroORM's result mapper makes it: the driver hands PostgreSQL's
 * text over as it is, and the platform parses it, with the configured timezone when the text
 * names none.
 */
function dateParser(platform: ReturnType<EntityManager['getPlatform']>) {
  const timezone = platform.getTimezone();
  const local = !timezone || timezone === 'local';
  return (value: unknown): unknown => {
    if (value == null || value instanceof Date) return value;
    if (typeof value === 'bigint') return platform.parseDate(Number(value));
    if (
      local ||
      typeof value === 'number' ||
      (value as string).includes('+') ||
      (value as string).lastIndexOf('-') > 10 ||
      (value as string).endsWith('Z')
    ) {
      return platform.parseDate(value as string);
    }
    return platform.parseDate(`${value as string}${timezone}`);
  };
}

/** Statements kept per entity: filters have a handful of shapes; the cap guards against more. */
const MAX_STATEMENTS = 200;

/** What findRows reads: `entity`'s rows that `where` selects, in `orderBy` order, `limit` of them. */
interface ListQuery {
  entity: EntityClass<unknown>;
  where: object;
  orderBy?: object;
  limit?: number;
}

/** findRows' statement for this filter, order and limit, with its parameters. */
function listStatement(
  em: EntityManager,
  reads: EntityReads,
  list: ListQuery,
): { sql: string; params: unknown[] } {
  const values: unknown[] = [];
  const shape = shapeOf(list.where, values);
  if (list.limit !== undefined) values.push(list.limit);
  if (shape === null) return builtStatement(em, reads, list);
  const key = `${shape}|${JSON.stringify(list.orderBy ?? null)}|${list.limit !== undefined}`;
  let statement = reads.statements.get(key);
  if (statement === undefined) {
    statement = compileStatement(em, reads, list, values);
    if (reads.statements.size < MAX_STATEMENTS) reads.statements.set(key, statement);
  }
  if (statement === null) return builtStatement(em, reads, list);
  return {
    sql: statement.sql,
    params: statement.params.map((param) =>
      typeof param === 'number' ? values[param] : param.constant,
    ),
  };
}

/** The query builder's statement for the filter, as MikroORM would send it (`?` parameters). */
function builtStatement(
  em: EntityManager,
  reads: EntityReads,
  { entity, where, orderBy, limit }: ListQuery,
): { sql: string; params: unknown[] } {
  const query = em
    .createQueryBuilder(entity)
    .select(reads.properties as never)
    .where(where as never);
  if (orderBy) query.orderBy(orderBy as never);
  if (limit !== undefined) query.limit(limit);
  const { sql, bindings } = query.getKnexQuery().toSQL();
  return { sql, params: [...bindings] };
}

/**
 * The filter's shape — its keys, operators, nulls and booleans, in order — with its other values
 * (strings, numbers, Dates) appended to `values`, each a parameter of the statement. Null for a
 * filter holding anything else (entities, bigints, …): it is built every time.
 */
function shapeOf(node: unknown, values: unknown[]): string | null {
  if (node === null || node === undefined || typeof node === 'boolean') return String(node);
  if (typeof node === 'string' || typeof node === 'number' || node instanceof Date) {
    values.push(node);
    return typeof node === 'string' ? 's' : typeof node === 'number' ? 'n' : 'd';
  }
  if (typeof node !== 'object') return null;
  const parts: string[] = [];
  if (Array.isArray(node)) {
    for (const item of node) {
      const part = shapeOf(item, values);
      if (part === null) return null;
      parts.push(part);
    }
    return `[${parts.join(',')}]`;
  }
  if (Object.getPrototypeOf(node) !== Object.prototype) return null;
  for (const [key, item] of Object.entries(node)) {
    const part = shapeOf(item, values);
    if (part === null) return null;
    parts.push(`${JSON.stringify(key)}:${part}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * Builds the filter's statement twice: with its values, and with a distinct stand-in for each
 * value. Where the stand-ins' statement is the same text and each parameter is one stand-in (or
 * the same constant both times), the statement fits every filter of this shape; otherwise null.
 */
function compileStatement(
  em: EntityManager,
  reads: EntityReads,
  list: ListQuery,
  values: unknown[],
): Statement | null {
  const actual = builtStatement(em, reads, list);
  const standIns = values.map((value, index) =>
    value instanceof Date
      ? new Date(Date.UTC(1001, 0, 1) + index)
      : typeof value === 'number'
        ? 1_000_000_007 + index
        : `\u0000stand-in ${index}`,
  );
  let next = 0;
  const probe = builtStatement(em, reads, {
    ...list,
    where: substitute(list.where, () => standIns[next++]) as object,
    limit: list.limit === undefined ? undefined : (standIns.at(-1) as number),
  });
  if (probe.sql !== actual.sql || probe.params.length !== actual.params.length) return null;
  const params = probe.params.map((param): Statement['params'][number] => {
    const index = standIns.findIndex((standIn) => sameValue(standIn, param));
    return index === -1 ? { constant: param } : index;
  });
  const ok = params.every((param, i) =>
    sameValue(typeof param === 'number' ? values[param] : param.constant, actual.params[i]),
  );
  return ok ? { sql: actual.sql, params } : null;
}

/** The filter with each value shapeOf collects replaced by the next of `next`, in its order. */
function substitute(node: unknown, next: () => unknown): unknown {
  if (typeof node === 'string' || typeof node === 'number' || node instanceof Date) return next();
  if (Array.isArray(node)) return node.map((item) => substitute(item, next));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, item]) => [key, substitute(item, next)]),
    );
  }
  return node;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
}
