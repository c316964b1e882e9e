/**
 * PostgreSQL through MikroORM. Each subgraph owns one PostgreSQL schema and its committed
 * migrations, which run at start (inside one transaction, so a failed migration changes nothing).
 */
import { MikroORM, type EntitySchema, type Constructor } from '@mikro-orm/core';
import { Migrator, type Migration } from '@mikro-orm/migrations';
import { PostgreSqlDriver, type EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../platform/logger';

export type { EntityManager };

export interface DatabaseOptions {
  url: string;
  /** The subgraph's own PostgreSQL schema, e.g. `users`. */
  schema: string;
  entities: EntitySchema[];
  migrations: { name: string; class: Constructor<Migration> }[];
  poolSize: number;
  logger: Logger;
}

export interface Database {
  orm: MikroORM<PostgreSqlDriver>;
  /** A fresh EntityManager: one per request, never shared. */
  fork(): EntityManager;
  /** SQL statements sent since start — read by tests and the `sql` benchmark. */
  statementCount(): number;
  /** Rows those statements returned (a page that grows with its size shows here, not above). */
  rowCount(): number;
  /** Connections of the pool: in use, idle, and requests waiting for one. */
  poolState(): { used: number; free: number; pending: number };
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  const orm = await MikroORM.init<PostgreSqlDriver>({
    driver: PostgreSqlDriver,
    clientUrl: options.url,
    schema: options.schema,
    entities: options.entities,
    extensions: [Migrator],
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: options.migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    pool: { min: 0, max: options.poolSize },
    forceUtcTimezone: true,
    logger: (message) => options.logger.debug(message),
    allowGlobalContext: false,
    // Entities are plain classes mapped by EntitySchema: nothing to discover by reflection.
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
  });
  let statements = 0;
  let rows = 0;
  orm.em
    .getConnection()
    .getKnex()
    .on('query', () => {
      statements += 1;
    })
    .on('query-response', (response: unknown) => {
      rows += rowsReturned(response);
    });
  return {
    orm,
    fork: () => orm.em.fork(),
    statementCount: () => statements,
    rowCount: () => rows,
    poolState() {
      const pool = orm.em.getConnection().getKnex().client.pool as
        | {
            numUsed(): number;
            numFree(): number;
            numPendingAcquires(): number;
          }
        | undefined;
      return {
        used: pool?.numUsed() ?? 0,
        free: pool?.numFree() ?? 0,
        pending: pool?.numPendingAcquires() ?? 0,
      };
    },
    async ping() {
      await orm.em.getConnection().execute('select 1');
    },
    close: () => orm.close(),
  };
}

/**
 * MikroORM sends every statement as raw SQL, so knex hands back pg's result as it is: one result,
 * or one per statement of a multi-statement string.
 */
function rowsReturned(response: unknown): number {
  const results = Array.isArray(response) ? response : [response];
  return results.reduce<number>(
    (sum, result: { rows?: unknown[] } | null) => sum + (result?.rows?.length ?? 0),
    0,
  );
}

export async function migrate(database: Database): Promise<void> {
  await database.orm.getMigrator().up();
}

/** PostgreSQL's unique_violation, e.g. to turn a lost race on a unique index into a clear error. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
