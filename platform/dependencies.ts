/**
 * Starting without dependencies. A service whose PostgreSQL or Redis is not reachable yet (they
 * start in any order under Compose or Kubernetes, or one is being restarted) does not exit: it
 * listens at once with a stand-in HTTP server — `/healthz` alive, `/readyz` 503 naming what it
 * waits for, everything else 503 with Retry-After — and checks its dependencies with backoff,
 * logging what it waits for. Once they answer it builds itself and the real server takes over
 * the port. Connections lost later are re-established by their clients (ioredis reconnects with
 * backoff, the database pool opens new connections), and `/readyz` reports them meanwhile.
 */
import { createServer, type Server } from 'node:http';
import { sendJson } from './http';
import { listen } from './listen';
import { connectRedis, pingRedis } from './redis';
import type { Logger } from './logger';
import { closeHttpServer } from './shutdown';

export type DependencyCheck = () => Promise<void>;

/** PostgreSQL answers a query at `url` (one short-lived connection). */
export const postgresAnswers =
  (url: string): DependencyCheck =>
  async () => {
    // Loaded here: the gateway, which has no database, never pays for it.
    const { Client } = await import('pg');
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  };

/**
 * Redis answers PING at `url` (short-lived connections; nothing to check in memory://): one Redis,
 * a cluster's nodes or the primary that sentinels name.
 */
export const redisAnswers =
  (url: string): DependencyCheck =>
  async () => {
    if (url.startsWith('memory://')) return;
    const redis = connectRedis(url, 'opsgraph-probe', { probe: true });
    try {
      await redis.connect();
      await pingRedis(redis);
    } finally {
      redis.disconnect();
    }
  };

export interface StartingServer {
  /** The port it listens on, for the real server to take over. */
  port: number;
  /** Records what the service waits for, as /readyz reports it. */
  report(waiting: Record<string, string>): void;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` until the service is built (see the module comment); GraphQL requests
 * meanwhile get one error with `unavailable` as its extensions.
 */
export async function serveWhileStarting(
  host: string,
  port: number,
  unavailable: { code: string; [key: string]: unknown },
): Promise<StartingServer> {
  let waiting: Record<string, string> = { service: 'starting' };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    const checks = Object.fromEntries(
      Object.entries(waiting).map(([name, error]) => [name, { ok: false, error }]),
    );
    res.setHeader('retry-after', '1');
    if (path === '/readyz')
      return sendJson(res, 503, { status: 'not ready', ready: false, checks });
    sendJson(res, 503, {
      errors: [{ message: 'The service is starting; retry shortly.', extensions: unavailable }],
    });
  });
  const url = await listen(server, host, port);
  return {
    port: Number(new URL(url).port),
    report(next) {
      waiting = next;
    },
    async close() {
      server.closeAllConnections();
      await closeHttpServer(server);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `checks` until all pass, with exponential backoff and full jitter between rounds (0.5 s
 * doubling up to 10 s), logging each dependency it starts or stops waiting for.
 */
export async function waitForDependencies(
  checks: Record<string, DependencyCheck>,
  logger: Logger,
  report: (waiting: Record<string, string>) => void = () => undefined,
): Promise<void> {
  let logged: Record<string, string> = {};
  for (let attempt = 0; ; attempt++) {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check();
          return [name, null] as const;
        } catch (error) {
          return [name, error instanceof Error ? error.message : String(error)] as const;
        }
      }),
    );
    const waiting = Object.fromEntries(
      results.filter((entry): entry is [string, string] => entry[1] !== null),
    );
    for (const [name, error] of Object.entries(waiting)) {
      if (logged[name] !== error) logger.warn({ dependency: name, error }, `waiting for ${name}`);
    }
    for (const name of Object.keys(logged)) {
      if (!(name in waiting)) logger.info({ dependency: name }, `${name} is reachable`);
    }
    logged = waiting;
    report(waiting);
    if (Object.keys(waiting).length === 0) return;
    await sleep(Math.random() * Math.min(10_000, 500 * 2 ** attempt));
  }
}

/**
 * Waits for the dependencies, then builds the service; a build that fails anyway (a dependency
 * went away meanwhile) is logged and retried the same way, never a reason to exit.
 */
export async function startWhenReachable<T>(
  checks: Record<string, DependencyCheck>,
  logger: Logger,
  starting: StartingServer,
  build: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    await waitForDependencies(checks, logger, (waiting) => starting.report(waiting));
    starting.report({ service: 'starting' });
    try {
      return await build();
    } catch (error) {
      logger.error({ err: error }, 'could not start; retrying');
      starting.report({ service: error instanceof Error ? error.message : String(error) });
      await sleep(Math.random() * Math.min(10_000, 500 * 2 ** attempt));
    }
  }
}
