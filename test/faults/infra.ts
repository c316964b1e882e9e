/**
 * A private PostgreSQL cluster and a private Redis, started by the fault suite on free ports so
 * it can kill and restart them without touching the machine's shared services.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { onExit } from '../support/processes';
import { queryOnce } from '../support/private-services';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it resolves true; resolves with the milliseconds it took. */
export async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions
    .map((v) => join(root, v, 'bin'))
    .find((dir) => existsSync(join(dir, 'initdb')));
  if (!bin) throw new Error(`no PostgreSQL server binaries (initdb, pg_ctl) under ${root}`);
  return bin;
}

function postgresUser(): { uid: number; gid: number } | null {
  // PostgreSQL refuses to run as root: run as root, the cluster belongs to `postgres`.
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres']).stdout.toString().trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root but no `postgres` user');
  return { uid, gid: id('-g') };
}

export interface PrivatePostgres {
  url: string;
  /** `pg_ctl restart -m fast`; resolves once it answers, with the time that took. */
  restart(): Promise<number>;
  answers(): Promise<boolean>;
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): void;
}

export async function startPostgres(port: number): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const owner = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'opsgraph-faults-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const command = (program: string, args: string[]): [string, string[]] =>
    owner
      ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]]
      : [join(bin, program), args];
  const run = (program: string, args: string[]) => {
    const done = spawnSync(...command(program, args), { cwd: dir });
    if (done.status !== 0)
      throw new Error(`${program} failed: ${done.stderr.toString()}${done.stdout.toString()}`);
  };
  // Asynchronous, so the clients' event loop keeps running while the server restarts.
  const runAsync = (program: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(...command(program, args), { cwd: dir, stdio: 'ignore' });
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${program} exited with ${code}`)),
      );
    });
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    // Durability is not what this suite tests; a fast cluster leaves the CPU to the services.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  // The server's log goes where the postgres user may write: the cluster's own folder.
  const log = join(dir, 'postgres.log');
  run('pg_ctl', ['-D', data, '-o', options, '-l', log, '-w', '-t', '60', 'start']);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const query = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    queryOnce<T>(url, sql, params);
  const answers = async () => (await query('select 1 as one'))[0]?.one === 1;
  const stop = () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const withdraw = onExit(stop);
  return {
    url,
    answers,
    query,
    async restart() {
      const started = Date.now();
      // With -l again: without it the new server would write to pg_ctl's output.
      await runAsync('pg_ctl', ['-D', data, '-l', log, '-m', 'fast', '-w', '-t', '60', 'restart']);
      await until(answers, 30_000, 'PostgreSQL after its restart');
      return Date.now() - started;
    },
    stop() {
      withdraw();
      stop();
    },
  };
}

export interface PrivateRedis {
  url: string;
  /** Kills it (SIGKILL) and starts it again on the same port; resolves with the time it took. */
  restart(): Promise<number>;
  answers(): Promise<boolean>;
  stop(): void;
}

export async function startRedis(port: number): Promise<PrivateRedis> {
  let child: ChildProcess | null = null;
  const start = () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
  };
  const answers = async () => {
    const redis = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return (await redis.ping()) === 'PONG';
    } finally {
      redis.disconnect();
    }
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    await new Promise((resolve) => {
      running.once('exit', resolve);
      running.kill('SIGKILL');
    });
  };
  const withdraw = onExit(() => child?.kill('SIGKILL'));
  start();
  await until(answers, 10_000, 'private redis-server');
  return {
    url: `redis://127.0.0.1:${port}`,
    answers,
    async restart() {
      const started = Date.now();
      await kill();
      start();
      await until(answers, 30_000, 'Redis after its restart');
      return Date.now() - started;
    },
    stop() {
      withdraw();
      void kill();
    },
  };
}
