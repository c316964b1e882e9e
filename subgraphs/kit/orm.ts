/**
 * PostgreSQL through MikroORM. Each subgraph owns one PostgreSQL schema and its committed
 * migrations, which run at start (inside one transaction, so a failed migration changes nothing).
 *
 * Read replicas (streaming replicas of the primary) are MikroORM's `replicas`, but nothing goes
 * to them by MikroORM's own choice: `preferReadReplicas` is off, so every statement — writes,
 * transactions, and any read not routed on purpose — runs on the primary and sees every
 * committed write. Only the plain-row read paths of queries (kit/reads.ts) use a replica, one
 * picked per request by kit/read-routing.ts among those that answer.
 */
// First: it loads MikroORM so that MikroORM's async contexts go off when idle.
import './orm-async-context';
import { MikroORM, type EntitySchema, type Constructor } from '@mikro-orm/core';
import type * as MigrationsPackage from '@mikro-orm/migrations';
import {
  PostgreSqlDriver,
  type EntityManager,
  type PostgreSqlConnection,
} from '@mikro-orm/postgresql';
import type { Logger } from '../../platform/logger';

export type { EntityManager };

/** How often a replica is asked whether it answers (one `select 1` each, off the request path). */
const REPLICA_CHECK_INTERVAL_MS = 1000;

/** A read replica's connection pool, and whether it answered its last check. */
export interface Replica {
  name: string;
  connection: PostgreSqlConnection;
  /** Set by the checks, and cleared by a read that failed on it (kit/reads.ts). */
  up: boolean;
}

export interface DatabaseOptions {
  url: string;
  /** The subgraph's own PostgreSQL schema, e.g. `users`. */
  schema: string;
  entities: EntitySchema[];
  migrations: Migrations;
  poolSize: number;
  /** postgres:// URLs of read replicas of `url` (none: everything runs on the primary). */
  replicaUrls?: string[];
  logger: Logger;
}

export interface Database {
  orm: MikroORM<PostgreSqlDriver>;
  /** The subgraph's migrations, for migrate(). */
  migrations: Migrations;
  /** A fresh EntityManager: one per request, never shared. */
  fork(): EntityManager;
  /** SQL statements sent since start — read by tests and the `sql` benchmark. */
  statementCount(): number;
  /** Rows those statements returned (a page that grows with its size shows here, not above). */
  rowCount(): number;
  /** Connections of the pool: in use, idle, and requests waiting for one. */
  poolState(): { used: number; free: number; pending: number };
  /** The read replicas, in the order configured. */
  replicas: readonly Replica[];
  /** Of those, one that answered its last check, at random; null for none. */
  pickReplica(): Replica | null;
  /** The primary's current WAL position, in bytes: what a replica must have replayed to see it. */
  primaryPosition(): Promise<string>;
  /** Whether the replica has replayed the primary's WAL up to `position` (primaryPosition). */
  hasReplayed(replica: Replica, position: string): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  const orm = await MikroORM.init<PostgreSqlDriver>({
    driver: PostgreSqlDriver,
    clientUrl: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: {
      tableName: MIGRATIONS_TABLE,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    pool: { min: 0, max: options.poolSize },
    replicas: (options.replicaUrls ?? []).map((clientUrl, index) => ({
      name: `replica-${index + 1}`,
      clientUrl,
      pool: { min: 0, max: options.poolSize },
    })),
    preferReadReplicas: false,
    forceUtcTimezone: true,
    logger: (message) => options.logger.debug(message),
    // knex reports a pooled connection that broke (a replica or the primary going away) through
    // console.log; into the process's own log instead, as one JSON line like every other.
    driverOptions: {
      log: {
        warn: (message: unknown) => options.logger.warn({ message }, 'database client warning'),
        error: (message: unknown) => options.logger.warn({ message }, 'database client error'),
        deprecate: (message: unknown) => options.logger.debug({ message }, 'knex deprecation'),
        debug: (message: unknown) => options.logger.debug({ message }, 'knex debug'),
      },
    },
    allowGlobalContext: false,
    // Entities are plain classes mapped by EntitySchema: nothing to discover by reflection.
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
  });
  let statements = 0;
  let rows = 0;
  const replicas: Replica[] = replicaConnections(orm).map((connection, index) => ({
    name: `replica-${index + 1}`,
    connection,
    up: true,
  }));
  for (const connection of [orm.em.getConnection(), ...replicas.map((r) => r.connection)]) {
    connection
      .getKnex()
      .on('query', () => {
        statements += 1;
      })
      .on('query-response', (response: unknown) => {
        rows += rowsReturned(response);
      });
  }
  let checking: Promise<unknown> | null = null;
  const checkReplicas = () =>
    Promise.all(
      replicas.map(async (replica) => {
        replica.up = await replica.connection.execute('select 1').then(
          () => true,
          () => false,
        );
      }),
    );
  // A check of a replica that does not answer may take long: the next one waits for it.
  const checker =
    replicas.length === 0
      ? undefined
      : setInterval(() => {
          checking ??= checkReplicas().finally(() => (checking = null));
        }, REPLICA_CHECK_INTERVAL_MS);
  checker?.unref();
  return {
    orm,
    migrations: options.migrations,
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
    replicas,
    pickReplica() {
      const up = replicas.filter((replica) => replica.up);
      return up[Math.floor(Math.random() * up.length)] ?? null;
    },
    async primaryPosition() {
      const [row] = await orm.em
        .getConnection()
        .execute<{ position: string }[]>(`select pg_current_wal_lsn() - '0/0' as position`);
      return String(row!.position);
    },
    async hasReplayed(replica, position) {
      const [row] = await replica.connection.execute<{ replayed: boolean }[]>(
        `select coalesce(pg_last_wal_replay_lsn() - '0/0' >= ?::numeric, true) as replayed`,
        [position],
      );
      return row!.replayed;
    },
    async ping() {
      await orm.em.getConnection().execute('select 1');
    },
    async close() {
      clearInterval(checker);
      await orm.close();
    },
  };
}

/** MikroORM keeps its replicas' connections to itself; they are built from `replicas`, in order. */
function replicaConnections(orm: MikroORM<PostgreSqlDriver>): PostgreSqlConnection[] {
  return (orm.em.getDriver() as unknown as { replicas: PostgreSqlConnection[] }).replicas;
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

/** Where MikroORM's migrator records, in each subgraph's schema, the migrations it applied. */
const MIGRATIONS_TABLE = 'mikro_orm_migrations';
/** PostgreSQL's undefined_table: a schema not migrated yet has no migrations table. */
const UNDEFINED_TABLE = '42P01';

/**
 * A subgraph's migrations, in order, by the names its migrations table records. Their classes
 * are loaded only when one is pending: they extend @mikro-orm/migrations' `Migration`, and that
 * package (umzug and its command-line and file-system helpers) was about a quarter of the
 * modules a subgraph loads before it can answer — on every start, though a restart almost never
 * finds a migration to run.
 */
export interface Migrations {
  names: readonly string[];
  load(): { name: string; class: Constructor<MigrationsPackage.Migration> }[];
}

/**
 * Migrations from `{ [name]: () => require(its file) }`, in order: each file exports its class
 * under the name it is recorded by.
 */
export function lazyMigrations(files: Record<string, () => Record<string, unknown>>): Migrations {
  return {
    names: Object.keys(files),
    load: () =>
      Object.entries(files).map(([name, load]) => {
        const migration = load()[name];
        if (typeof migration !== 'function') throw new Error(`${name} is not exported by its file`);
        return { name, class: migration as Constructor<MigrationsPackage.Migration> };
      }),
  };
}

/** Applies the subgraph's pending migrations, loading MikroORM's migrator only when one is. */
export async function migrate(database: Database): Promise<void> {
  const { orm, migrations } = database;
  const applied = await appliedMigrations(orm);
  if (migrations.names.every((name) => applied.has(name))) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Migrator } = require('@mikro-orm/migrations') as typeof MigrationsPackage;
  orm.config.set('migrations', {
    ...orm.config.get('migrations'),
    migrationsList: migrations.load(),
  });
  await new Migrator(orm.em).up();
}

/** The names in the schema's migrations table; none while it (or the schema) is missing. */
async function appliedMigrations(orm: MikroORM<PostgreSqlDriver>): Promise<Set<string>> {
  try {
    const rows = await orm.em
      .getConnection()
      .execute<{ name: string }[]>(
        `select name from "${orm.config.get('schema')}"."${MIGRATIONS_TABLE}"`,
      );
    return new Set(rows.map((row) => row.name));
  } catch (error) {
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) return new Set();
    throw error;
  }
}

/** PostgreSQL's unique_violation, e.g. to turn a lost race on a unique index into a clear error. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/**
 * PostgreSQL's "cannot connect now" (shutting down, starting up) and connection-exception
 * SQLSTATEs, and the socket errors of a server that is gone.
 */
const UNREACHABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);
/** How pg and knex word a connection that broke or could not be had. */
const UNREACHABLE_MESSAGE =
  /Connection terminated|Connection ended unexpectedly|Timeout acquiring a connection/;

/**
 * Whether an error (or what it wraps: a resolver error's original, a cause) says the database
 * could not be reached — restarting, or a connection dropped — so the same request may succeed
 * shortly, rather than that something is wrong with it.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (let seen = 0, e = error; e instanceof Error && seen < 5; seen += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    if (UNREACHABLE_MESSAGE.test(e.message)) return true;
    const wrapper = e as { originalError?: unknown; cause?: unknown };
    e = wrapper.originalError ?? wrapper.cause;
  }
  return false;
}
