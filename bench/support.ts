/**
 * Shared pieces of the benchmarks: a throwaway database, the subgraphs started in this process
 * (as `npm start` does), a gateway as a child process (so its CPU and memory are its own),
 * percentiles, and appending results to docs/benchmarks.md.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  LOCAL_SUBGRAPHS,
  localSharedConfig,
  type SharedConfig,
  type SubgraphHandle,
} from '../dev/subgraphs';
import { INTROSPECTION_PATH } from '../platform/api-keys';
import { answersTypename } from '../platform/http';
import { listen } from '../platform/listen';
import { closeHttpServer } from '../platform/shutdown';
import { generateSigningKey } from '../platform/tokens';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../test/support/database';

export const ROOT = join(__dirname, '..');
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchStack {
  database: TestDatabase;
  shared: SharedConfig;
  subgraphUrls: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSubgraphs(
  names: string[],
  overrides: Record<string, Record<string, unknown>> = {},
): Promise<BenchStack> {
  const database = await createTestDatabase();
  const signingKey = generateSigningKey('bench');
  const shared = localSharedConfig({
    databaseUrl: database.url,
    redisUrl: REDIS_URL,
    redisPrefix: `opsgraph-bench:${randomBytes(4).toString('hex')}:`,
    logLevel: 'silent',
    signingKey,
    production: true,
  });

  const handles: SubgraphHandle[] = [];
  const subgraphUrls: Record<string, string> = {};
  for (const local of LOCAL_SUBGRAPHS) {
    if (!names.includes(local.name)) continue;
    const handle = await local.create({ ...shared, subgraphUrls }, overrides[local.name] ?? {});
    handles.push(handle);
    subgraphUrls[local.name] = await listen(handle.httpServer, '127.0.0.1', 0);
    if (local.name === 'users')
      shared.base.apiKeyIntrospectionUrl = new URL(
        INTROSPECTION_PATH,
        subgraphUrls.users,
      ).toString();
  }
  return {
    database,
    shared,
    subgraphUrls,
    async stop() {
      for (const handle of handles.reverse()) {
        handle.httpServer.closeAllConnections();
        await closeHttpServer(handle.httpServer);
        await handle.close();
      }
      await database.drop();
    },
  };
}

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** The process's resident memory now and at its peak, in bytes (Linux /proc). */
  memory(): { rss: number; peak: number };
  /** CPU time (user + system) the process has used so far, in milliseconds (Linux /proc). */
  cpuMs(): number;
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  /** Built script to run; opsgraph's gateway when absent. */
  entry?: string;
  /** Pin the process to this core with taskset, where taskset exists. */
  core?: number;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

/** A gateway (`npm run build` first) as its own process, so its CPU and memory are its own. */
export async function startGatewayProcess(
  stack: Pick<BenchStack, 'shared' | 'subgraphUrls'>,
  env: Record<string, string>,
  options: GatewayProcessOptions = {},
): Promise<GatewayProcess> {
  const port = await freePort();
  const entry = options.entry ?? join(ROOT, 'dist', 'gateway', 'main.js');
  if (!existsSync(entry)) throw new Error('Run `npm run build` first.');
  const variables: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    JWT_PUBLIC_KEYS: JSON.stringify({ keys: stack.shared.base.publicKeys }),
    REDIS_URL,
    REDIS_PREFIX: stack.shared.base.redisPrefix,
    ...Object.fromEntries(
      Object.entries(stack.subgraphUrls).map(([name, url]) => [
        `SUBGRAPH_${name.toUpperCase()}_URL`,
        url,
      ]),
    ),
    ...env,
  };
  const node = ['node', ...(options.nodeArgs ?? []), entry];
  const command =
    options.core === undefined || !existsSync('/usr/bin/taskset')
      ? node
      : ['taskset', '-c', String(options.core), ...node];
  // taskset execs node, so the child's pid is the gateway's own.
  const child = spawn(command[0]!, command.slice(1), {
    env: variables,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; !(await answersTypename(url)); i++) {
    if (i > 600 || child.exitCode !== null) throw new Error(`${entry} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const status = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(procFile(child, 'status'))?.[1]) * 1024;
  return {
    url,
    child,
    memory: () => ({ rss: status('VmRSS'), peak: status('VmHWM') }),
    cpuMs: () => processCpuMs(child.pid!),
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times (100 on every mainstream kernel). */
const CLOCK_TICKS = 100;

function procFile(child: ChildProcess, name: string): string {
  return readFileSync(`/proc/${child.pid}/${name}`, 'utf8');
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Appends a section to docs/benchmarks.md (created with its header when missing; BENCH_RECORD=0: not). */
export function record(title: string, body: string): void {
  if (process.env.BENCH_RECORD === '0') return; // a trial run
  const path = join(ROOT, 'docs', 'benchmarks.md');
  if (!existsSync(path)) {
    writeFileSync(
      path,
      '# Benchmarks\n\nResults appended by `npm run bench -- <scenario>`, newest last. Each section says what was measured, how, and on what machine.\n',
    );
  }
  appendFileSync(
    path,
    `\n## ${title} — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n${body}\n`,
  );
}

/** A TCP port nothing listens on right now (the kernel's pick), for a child process to take. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux /proc). */
export function processCpuMs(pid: number): number {
  // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime, stime.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

export interface SubgraphProcesses {
  urls: Record<string, string>;
  pids: number[];
  stop(): Promise<void>;
}

/**
 * The four subgraphs as production runs them: each its own `node dist/subgraphs/<name>/main.js`
 * process of the build under `root`, NODE_ENV=production, configured by environment variables
 * only. Each migrates its schema at start, as in production.
 */
export async function startSubgraphProcesses(options: {
  root: string;
  shared: SharedConfig;
  /** Extra node flags, e.g. --cpu-prof (a profile per process, written when it exits). */
  nodeArgs?: string[];
  env?: Record<string, string>;
}): Promise<SubgraphProcesses> {
  const names = ['users', 'nodes', 'messages', 'deployments'];
  const ports = await Promise.all(names.map(() => freePort()));
  const urls = Object.fromEntries(
    names.map((name, i) => [name, `http://127.0.0.1:${ports[i]}/graphql`]),
  );
  const { base, signingKey } = options.shared;
  const children = names.map((name, i) => {
    const entry = join(options.root, 'dist', 'subgraphs', name, 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: build first.`);
    return spawn('node', [...(options.nodeArgs ?? []), entry], {
      cwd: options.root,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(ports[i]),
        LOG_LEVEL: 'warn',
        DATABASE_URL: base.databaseUrl,
        DATABASE_POOL_SIZE: String(base.databasePoolSize),
        REDIS_URL: base.redisUrl,
        REDIS_PREFIX: base.redisPrefix,
        JWT_PUBLIC_KEYS: JSON.stringify({ keys: base.publicKeys }),
        JWT_PRIVATE_KEY: JSON.stringify(signingKey),
        API_KEY_INTROSPECTION_URL: new URL(INTROSPECTION_PATH, urls.users).toString(),
        USERS_SUBGRAPH_URL: urls.users!,
        NODES_URL: urls.nodes!,
        ...options.env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  });
  const stop = async () => {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        return exited;
      }),
    );
  };
  try {
    for (const [i, name] of names.entries()) {
      for (let attempt = 0; !(await answersTypename(urls[name]!)); attempt++) {
        if (attempt > 300 || children[i]!.exitCode !== null)
          throw new Error(`the ${name} subgraph of ${options.root} did not start`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, pids: children.map((child) => child.pid!), stop };
}

export interface BaselineBuild {
  /** The resolved commit. */
  commit: string;
  root: string;
  remove(): Promise<void>;
}

function git(args: string[], cwd = ROOT): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

/**
 * Builds `ref` in a temporary git worktree (BENCH_BASELINE), to run the same benchmark on the old
 * code side by side. The worktree borrows this checkout's node_modules when the lockfiles agree
 * (and installs its own with `npm ci` otherwise).
 */
export function buildBaseline(ref: string): BaselineBuild {
  const commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  const root = mkdtempSync(join(tmpdir(), `opsgraph-baseline-${commit.slice(0, 7)}-`));
  git(['worktree', 'add', '--detach', root, commit]);
  const remove = async () => {
    git(['worktree', 'remove', '--force', root]);
  };
  try {
    const sameLockfile =
      git(['show', `${commit}:package-lock.json`]) ===
      readFileSync(join(ROOT, 'package-lock.json'), 'utf8').trim();
    if (sameLockfile) symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    else execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      { cwd: root, stdio: 'inherit' },
    );
  } catch (error) {
    void remove();
    throw error;
  }
  return { commit, root, remove };
}

/** The few mutation fields the benchmarks read. */
export interface Result {
  accessToken: string;
  id: string;
  cursor: string;
}

/** One GraphQL request over HTTP that must succeed: the named field of its data. */
export async function mutate(
  url: string,
  field: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<Result> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, Result>; errors?: unknown[] };
  const result = body.data?.[field];
  if (!result) throw new Error(JSON.stringify(body.errors));
  return result;
}

export interface Subscriber {
  socket: WebSocket;
  received: number;
}

/**
 * One raw graphql-ws socket following a channel's `messageAdded`; each event's body carries its
 * send time (`sent <ms> …`), so its delivery latency lands in `latencies`.
 */
export function subscribe(
  url: string,
  token: string,
  channelId: string,
  latencies: number[],
): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const subscriber: Subscriber = { socket, received: 0 };
    socket.on('error', reject);
    socket.on('open', () =>
      socket.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }),
      ),
    );
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        type: string;
        payload?: { data: { messageAdded: { body: string } } };
      };
      if (message.type === 'connection_ack') {
        socket.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: {
              query:
                'subscription ($c: ID!) { messageAdded(channelId: $c) { body author { username } } }',
              variables: { c: channelId },
            },
          }),
        );
        resolve(subscriber);
      } else if (message.type === 'next') {
        subscriber.received += 1;
        latencies.push(Date.now() - Number(message.payload!.data.messageAdded.body.split(' ')[1]));
      }
    });
  });
}
