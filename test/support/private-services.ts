/**
 * Dependencies of a test's own, on free ports, that the test may stop, start again or restrict
 * without touching the machine's shared PostgreSQL and Redis.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { freePort } from './processes';
import { onExit } from './processes';

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

/** Waits until `check` stops throwing (a starting server), failing after `timeoutMs`. */
export async function retrying<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** Starts it (again), on the same port, and waits until it answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Runs one command on it, e.g. `ACL SETUSER default -publish`. */
  command(...args: string[]): Promise<unknown>;
  /** Runs `during` while it refuses `commands` (e.g. `publish`) to everyone: NOPERM. */
  refusing(commands: string[], during: () => Promise<void>): Promise<void>;
}

/**
 * A redis-server of the test's own, without persistence. Not started until `start()`. `args` add
 * to its settings (e.g. `--cluster-enabled yes`); `configFile` is read first (a sentinel's, which
 * it rewrites).
 */
export async function privateRedis(
  options: { args?: string[]; configFile?: string; port?: number } = {},
): Promise<PrivateRedis> {
  const port = options.port ?? (await freePort());
  let child: ChildProcess | null = null;
  onExit(() => child?.kill('SIGKILL'));
  const command = async (...args: string[]) => {
    const redis = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      const [name, ...rest] = args;
      return await redis.call(name!, ...rest);
    } finally {
      redis.disconnect();
    }
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    command,
    async refusing(commands, during) {
      await command('ACL', 'SETUSER', 'default', ...commands.map((c) => `-${c}`));
      try {
        await during();
      } finally {
        await command('ACL', 'SETUSER', 'default', ...commands.map((c) => `+${c}`));
      }
    },
    async start() {
      child = spawn(
        'redis-server',
        [
          ...(options.configFile ? [options.configFile] : []),
          ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
          ...(options.args ?? []),
        ],
        { stdio: 'ignore' },
      );
      await retrying(() => command('PING'));
    },
    async stop() {
      if (!child) return;
      child.kill('SIGKILL');
      await exited(child);
      child = null;
    },
  };
}

export interface PrivatePostgres {
  port: number;
  /** A postgres:// URL of the `postgres` database. */
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and deletes its data directory. */
  remove(): Promise<void>;
  /** Runs one statement on it (a connection of its own), e.g. `select pg_wal_replay_pause()`. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

const postgresBin = (() => {
  const found = spawnSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1'], {
    encoding: 'utf8',
  }).stdout.trim();
  return found || '/usr/lib/postgresql/bin';
})();

/** Runs a PostgreSQL binary as the `postgres` user when the test runs as root (initdb refuses root). */
function asPostgres(binary: string, args: string[]) {
  const path = join(postgresBin, binary);
  return process.getuid?.() === 0
    ? spawnSync('runuser', ['-u', 'postgres', '--', path, ...args], { encoding: 'utf8' })
    : spawnSync(path, args, { encoding: 'utf8' });
}

/** An empty directory for a cluster's data (`data` inside it, not created), owned by `postgres`. */
function clusterDirectory() {
  const dir = mkdtempSync(join(tmpdir(), 'opsgraph-pg-'));
  if (process.getuid?.() === 0) spawnSync('chown', ['postgres', dir]);
  return { dir, data: join(dir, 'data') };
}

/**
 * A PostgreSQL cluster of the test's own (trust authentication, replication from loopback
 * allowed, as initdb's pg_hba.conf does with trust). Not started until `start()`.
 */
export async function privatePostgres(): Promise<PrivatePostgres> {
  const { dir, data } = clusterDirectory();
  const init = asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-N']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  return postgresServer(dir, data);
}

/**
 * A streaming replica of a running private PostgreSQL: a base backup of it whose configuration
 * (`-R`) follows it. Not started until `start()`; it then serves reads of what it has replayed.
 */
export async function privateReplica(primary: PrivatePostgres): Promise<PrivatePostgres> {
  const { dir, data } = clusterDirectory();
  const backup = asPostgres('pg_basebackup', [
    ...['-R', '-D', data, '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'],
    ...['--checkpoint=fast', '--wal-method=stream'],
  ]);
  if (backup.status !== 0) throw new Error(`pg_basebackup failed: ${backup.stderr}`);
  return postgresServer(dir, data);
}

async function postgresServer(dir: string, data: string): Promise<PrivatePostgres> {
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pgCtl = (...args: string[]) => {
    const result = asPostgres('pg_ctl', ['-D', data, ...args]);
    if (result.status !== 0) throw new Error(`pg_ctl ${args[0]} failed: ${result.stderr}`);
  };
  let running = false;
  const stopNow = () => {
    if (!running) return;
    pgCtl('stop', '-m', 'immediate', '-s');
    running = false;
  };
  const stop = async () => stopNow();
  /** Stopped if it runs (whether or not that works) and its folder deleted. */
  const removeNow = () => {
    try {
      stopNow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const withdraw = onExit(removeNow);
  return {
    port,
    url,
    async start() {
      pgCtl(
        'start',
        '-w',
        '-s',
        '-l',
        join(dir, 'log'),
        '-o',
        `-p ${port} -k ${dir} -h 127.0.0.1 -F -c wal_level=replica -c max_wal_senders=4`,
      );
      running = true;
    },
    stop,
    async remove() {
      withdraw();
      try {
        removeNow();
      } catch {
        // Removal does not fail a test: the folder is gone either way.
      }
    },
    query: (sql, params) => queryOnce(url, sql, params),
  };
}

/** Runs one statement on a connection of its own: for a server the test starts and stops. */
export async function queryOnce<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
