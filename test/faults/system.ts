/**
 * The whole system for a fault run: a private PostgreSQL and Redis, the subgraphs and two
 * gateways as separate processes, configured as an operator would configure them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTROSPECTION_PATH } from '../../platform/api-keys';
import { generateSigningKey, publicJwkOf } from '../../platform/tokens';
import { RATE_LIMIT_NAMES } from '../../subgraphs/kit/service-config';
import { freePort } from '../support/processes';
import { startPostgres, startRedis, type PrivatePostgres, type PrivateRedis } from './infra';
import { requireDist, Service, ROOT } from './services';

/** Subgraphs in start order: the others verify API keys through users. */
const SUBGRAPHS = ['users', 'nodes', 'messages', 'deployments'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

const GATEWAY_SCRIPT = 'dist/gateway/main.js';
const subgraphScript = (name: string) => `dist/subgraphs/${name}/main.js`;

/** Generous limits: the workload sends far more per credential than a person does. */
const RELAXED = '100000/1m';
const RATE_LIMITS = RATE_LIMIT_NAMES.map((name) => `${name}=${RELAXED}`).join(',');

export interface System {
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  /** Subgraphs by name, then gateways (gateway-1, gateway-2). */
  services: Service[];
  gateways: Service[];
  logDir: string;
  stop(keepLogs: boolean): Promise<void>;
}

export async function startSystem(
  subgraphs: SubgraphName[],
  /** Settings the gateways take beside the suite's own (e.g. shorter breaker periods). */
  gatewayEnv: Record<string, string> = {},
): Promise<System> {
  requireDist([GATEWAY_SCRIPT, ...subgraphs.map(subgraphScript)]);
  const logDir = mkdtempSync(join(tmpdir(), 'opsgraph-faults-logs-'));
  const postgres = await startPostgres(await freePort());
  const redis = await startRedis(await freePort());
  const services: Service[] = [];
  try {
    const key = generateSigningKey('faults');
    const publicKeys = JSON.stringify({ keys: [publicJwkOf(key)] });
    // The subgraphs the system does not run get a port too, where nothing answers: left to the
    // supergraph's defaults (127.0.0.1:4001–4004), an `npm start` beside the tests would.
    const ports = Object.fromEntries(
      await Promise.all(SUBGRAPHS.map(async (name) => [name, await freePort()] as const)),
    ) as Record<SubgraphName, number>;
    const url = (name: SubgraphName) => `http://127.0.0.1:${ports[name]}/graphql`;
    const common = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      // Quiet but for warnings, errors and the start/stop lines that time a restart.
      LOG_LEVEL: 'info',
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'opsgraph-faults:',
      JWT_PUBLIC_KEYS: publicKeys,
    };
    const own: Record<SubgraphName, Record<string, string>> = {
      users: { JWT_PRIVATE_KEY: JSON.stringify(key) },
      // Unconfirmed retirements are announced again at each sweep: within the run's drain.
      nodes: { JWT_PRIVATE_KEY: JSON.stringify(key), NODE_SWEEP_INTERVAL_MS: '1000' },
      messages: { USERS_SUBGRAPH_URL: url('users'), MESSAGE_FLOOD_MAX_REPEATS: '1000' },
      deployments: { NODES_URL: url('nodes') },
    };
    const subgraph = (name: SubgraphName) =>
      new Service(
        {
          name,
          script: subgraphScript(name),
          port: ports[name],
          env: {
            ...common,
            PORT: String(ports[name]),
            DATABASE_URL: postgres.url,
            DATABASE_POOL_SIZE: '5',
            RATE_LIMITS,
            API_KEY_INTROSPECTION_URL: new URL(INTROSPECTION_PATH, url('users')).toString(),
            ...own[name],
          },
        },
        join(logDir, `${name}.log`),
      );
    const [first, ...rest] = SUBGRAPHS.filter((s) => subgraphs.includes(s)).map(subgraph);
    services.push(first!, ...rest);
    // Users first: the others verify API keys through it. Each migrates its own schema.
    await first!.start();
    await Promise.all(rest.map((service) => service.start()));
    const gateways: Service[] = [];
    for (const n of [1, 2]) {
      const port = await freePort();
      const gateway = new Service(
        {
          name: `gateway-${n}`,
          script: GATEWAY_SCRIPT,
          port,
          env: {
            ...common,
            PORT: String(port),
            GATEWAY_WORKERS: '1',
            SUPERGRAPH_PATH: join(ROOT, 'schema', 'supergraph.graphql'),
            REQUEST_RATE_LIMIT: RELAXED,
            ...Object.fromEntries(
              SUBGRAPHS.map((name) => [`SUBGRAPH_${name.toUpperCase()}_URL`, url(name)]),
            ),
            ...gatewayEnv,
          },
        },
        join(logDir, `gateway-${n}.log`),
      );
      gateways.push(gateway);
      services.push(gateway);
    }
    await Promise.all(gateways.map((gateway) => gateway.start()));
    return {
      postgres,
      redis,
      services,
      gateways,
      logDir,
      async stop(keepLogs) {
        await Promise.all(services.map((service) => service.stop()));
        redis.stop();
        postgres.stop();
        if (!keepLogs) rmSync(logDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(services.map((service) => service.stop()));
    redis.stop();
    postgres.stop();
    throw error;
  }
}
