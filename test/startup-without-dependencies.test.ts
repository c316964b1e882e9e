/**
 * Services start before their dependencies and keep running across their restarts: a subgraph
 * and a gateway, each its own OS process, are started against a private PostgreSQL and a
 * private Redis that are not up yet. They answer /healthz at once, /readyz says what they wait
 * for, and once the dependencies start they become ready and answer; Redis and PostgreSQL
 * restarts later are survived (readiness drops, then returns, and queries work again; while the
 * database is away, they answer the retryable SUBGRAPH_UNAVAILABLE).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { publicJwkOf, generateSigningKey } from '../platform/tokens';
import { freePort } from './support/processes';
import { graphql } from './support/graphql';
import {
  privatePostgres,
  privateRedis,
  retrying,
  type PrivatePostgres,
  type PrivateRedis,
} from './support/private-services';
import { SUPERGRAPH_PATH } from './support/stack';

const ROOT = join(__dirname, '..');

interface ServiceProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  exitCode: () => number | null;
}

function startService(entry: string, port: number, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    // Only what the service is given: no inherited DATABASE_URL or REDIS_URL.
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    exitCode: () => child.exitCode,
  };
}

async function stopService(service: ServiceProcess | undefined) {
  if (!service || service.child.exitCode !== null) return;
  const exited = new Promise((resolve) => service.child.once('exit', resolve));
  service.child.kill('SIGKILL');
  await exited;
}

async function probe(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/** Polls `check` until it holds; fails with the service's output (and exit code) otherwise. */
async function until(
  service: ServiceProcess,
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 40_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline || service.exitCode() !== null) {
      throw new Error(
        `${what}: not reached (exit code ${service.exitCode()}); output:\n${service.output()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let redis: PrivateRedis;
let postgres: PrivatePostgres;
let users: ServiceProcess | undefined;
let gateway: ServiceProcess | undefined;

beforeAll(async () => {
  redis = await privateRedis();
  postgres = await privatePostgres();
});
afterAll(async () => {
  await stopService(users);
  await stopService(gateway);
  await redis?.stop();
  await postgres?.remove();
});

const LOGIN = `
  mutation ($input: LoginInput!) {
    login(input: $input) {
      user {
        username
      }
    }
  }
`;
const EARLY = { input: { usernameOrEmail: 'early', password: 'correct horse battery staple' } };

it('a subgraph and a gateway start before PostgreSQL and Redis, wait for them, and survive their restarts', async () => {
  const signingKey = generateSigningKey('startup-test');
  const publicKeys = JSON.stringify({ keys: [publicJwkOf(signingKey)] });
  users = startService('subgraphs/users/main.ts', await freePort(), {
    NODE_ENV: 'test',
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'startup-test:',
    JWT_PRIVATE_KEY: JSON.stringify(signingKey),
    JWT_PUBLIC_KEYS: publicKeys,
    LOG_LEVEL: 'info',
  });
  const gatewayPort = await freePort();
  gateway = startService('gateway/main.ts', gatewayPort, {
    NODE_ENV: 'test',
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'startup-test:',
    JWT_PUBLIC_KEYS: publicKeys,
    SUPERGRAPH_PATH,
    LOG_LEVEL: 'info',
  });

  // Alive, not ready, and saying what it waits for.
  await until(users, async () => (await probe(`${users!.url}/healthz`)).status === 200, 'healthz');
  await until(users, async () => /waiting for database/.test(users!.output()), 'a waiting log');
  await until(users, async () => /waiting for redis/.test(users!.output()), 'a waiting log');
  const notReady = await probe(`${users.url}/readyz`);
  expect(notReady.status).toBe(503);
  expect(Object.keys(notReady.body.checks)).toEqual(expect.arrayContaining(['database', 'redis']));
  await until(gateway, async () => (await probe(`${gateway!.url}/healthz`)).status === 200, 'gw');
  expect((await probe(`${gateway.url}/readyz`)).status).toBe(503);

  await postgres.start();
  await redis.start();
  await until(users, async () => (await probe(`${users!.url}/readyz`)).status === 200, 'ready');
  const signUp = await graphql(
    `${users.url}/graphql`,
    `
      mutation ($input: SignUpInput!) {
        signUp(input: $input) {
          accessToken
          user {
            username
          }
        }
      }
    `,
    {
      input: {
        organizationName: 'Startup',
        username: 'early',
        email: 'early@example.com',
        password: 'correct horse battery staple',
      },
    },
  );
  expect(signUp.errors).toBeUndefined();
  expect(signUp.data?.signUp.user.username).toBe('early');
  // The gateway is up for real once Redis is (its /readyz also wants subgraphs not run here).
  await until(gateway, async () => /gateway ready/.test(gateway!.output()), 'gateway ready');
  expect(gateway.exitCode()).toBeNull();

  // A Redis restart, then a PostgreSQL restart: readiness drops while each is away, then
  // returns by itself, and queries work again.
  for (const dependency of [redis, postgres]) {
    await dependency.stop();
    await until(users, async () => (await probe(`${users!.url}/readyz`)).status === 503, 'drop');
    if (dependency === postgres) {
      // Meanwhile a query that needs the database is told to retry, not a masked failure.
      const meanwhile = await graphql(`${users.url}/graphql`, LOGIN, EARLY);
      expect(meanwhile.errors).toEqual([
        {
          message: 'Subgraph users cannot reach its database; retry shortly.',
          path: ['login'],
          extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'users' },
        },
      ]);
    }
    await dependency.start();
    await until(users, async () => (await probe(`${users!.url}/readyz`)).status === 200, 'back');
    const login = await retrying(async () => {
      const response = await graphql(`${users!.url}/graphql`, LOGIN, EARLY);
      if (response.errors) throw new Error(JSON.stringify(response.errors));
      return response;
    });
    expect(login.data?.login.user.username).toBe('early');
  }
  expect(users.exitCode()).toBeNull();
  expect(gateway.exitCode()).toBeNull();
});

it.each([
  [
    'SUPERGRAPH_PATH names no file',
    { SUPERGRAPH_PATH: join(ROOT, 'no-such-supergraph.graphql') },
    ['SUPERGRAPH_PATH: cannot read'],
  ],
  [
    'HOST names no address',
    { HOST: 'no-such-host.invalid' },
    ['Cannot listen on HOST no-such-host.invalid'],
  ],
  [
    'MAX_DEPTH, SUBGRAPH_USERS_URL and TRUSTED_DOCUMENTS_PATH are bad',
    {
      MAX_DEPTH: 'twelve',
      SUBGRAPH_USERS_URL: 'users:4001',
      TRUSTED_DOCUMENTS_PATH: join(ROOT, 'no-such-manifest.json'),
    },
    ['MAX_DEPTH:', 'SUBGRAPH_USERS_URL: must be', 'TRUSTED_DOCUMENTS_PATH:'],
  ],
])(
  'a gateway whose %s stops at once, saying so',
  async (_, env, messages) => {
    const gateway = startService('gateway/main.ts', await freePort(), env);
    try {
      const exited = await retrying(async () => gateway.exitCode() ?? Promise.reject(new Error()));
      expect(exited).toBe(1);
      for (const message of messages) expect(gateway.output()).toContain(message);
      expect(gateway.output()).not.toMatch(/\n\s+at /);
    } finally {
      await stopService(gateway);
    }
  },
  30_000,
);
