/**
 * Shared pieces of the benchmarks: a throwaway database, the subgraphs started in this process
 * (as `npm start` does), a gateway as a child process (so its CPU and memory are its own),
 * percentiles, and appending results to docs/benchmarks.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  LOCAL_SUBGRAPHS,
  localSharedConfig,
  type SharedConfig,
  type SubgraphHandle,
} from '../dev/subgraphs';
import { INTROSPECTION_PATH } from '../subgraphs/kit/api-keys';
import { listen } from '../subgraphs/kit/listen';
import { closeHttpServer } from '../subgraphs/kit/shutdown';
import { generateSigningKey } from '../subgraphs/kit/tokens';
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
  /** The process's resident memory, read from its /metrics. */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

/** The built gateway (`npm run build` first) as its own process, optionally pinned to a core. */
export async function startGatewayProcess(
  stack: BenchStack,
  env: Record<string, string>,
  core?: number,
): Promise<GatewayProcess> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const entry = join(ROOT, 'dist', 'gateway', 'main.js');
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
  const command =
    core === undefined || !existsSync('/usr/bin/taskset')
      ? ['node', entry]
      : ['taskset', '-c', String(core), 'node', entry];
  const child = spawn(command[0]!, command.slice(1), {
    env: variables,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; ; i++) {
    const ready = await fetch(url.replace('/graphql', '/healthz')).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i > 100) throw new Error('gateway did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    async rss() {
      const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('opsgraph_process_resident_memory_bytes'));
      return Number(line?.split(' ').at(-1));
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Appends a section to docs/benchmarks.md (created with its header when missing). */
export function record(title: string, body: string): void {
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
