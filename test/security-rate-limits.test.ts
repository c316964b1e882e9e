/**
 * Rate limits on Redis: they hold across gateway instances (and so across replicas), answer
 * RATE_LIMITED with a correct `retryAfter`, and reset once the window has passed. The windows
 * are shortened here; the defaults are checked against docs/security.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatRateLimit } from '../platform/rate-limit';
import { trustedProxies } from '../platform/trusted-proxies';
import { DEPLOYMENTS_RATE_LIMITS } from '../subgraphs/deployments/permissions';
import { MESSAGES_RATE_LIMITS } from '../subgraphs/messages/permissions';
import { NODES_RATE_LIMITS } from '../subgraphs/nodes/permissions';
import { USERS_RATE_LIMITS } from '../subgraphs/users/permissions';
import { loadGatewayConfig } from '../gateway/env';
import { AuthenticateNodeDocument, CreateUserDocument } from './__generated__/graphql';
import { createDeployment } from './support/deployments';
import { errorCodes, graphql } from './support/graphql';
import { createChannel, postMessage } from './support/messages';
import { generateNodeKeys, registerNode, signedAuthInput } from './support/nodes';
import { addUser, PASSWORD, signUp, type SignedIn } from './support/seed';
import { RELAXED_RATE_LIMITS, startGateway, startStack, type Stack } from './support/stack';

const WINDOW_MS = 3000;
const limit = (max: number) => ({ max, windowMs: WINDOW_MS });

let stack: Stack;
let admin: SignedIn;

beforeAll(async () => {
  const rateLimits = {
    ...RELAXED_RATE_LIMITS,
    login: limit(5),
    loginPerAddress: limit(8),
    authenticateNode: limit(2),
    postMessage: limit(2),
    createDeployment: limit(2),
    createUser: limit(2),
  };
  stack = await startStack({
    gateways: 2,
    config: {
      users: { rateLimits },
      nodes: { rateLimits },
      messages: { rateLimits },
      deployments: { rateLimits },
    },
  });
  admin = await signUp(stack.gatewayUrl);
});
afterAll(() => stack?.stop());

const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { user { id } } }`;
const login = (url: string, usernameOrEmail: string, password = 'wrong password') =>
  graphql(url, LOGIN, { input: { usernameOrEmail, password } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the 6th login within the window is RATE_LIMITED on either gateway, then it resets', async () => {
  const [a, b] = stack.gateways.map((g) => g.url) as [string, string];
  const started = Date.now();
  const codes = [];
  for (let i = 0; i < 5; i++)
    codes.push(errorCodes(await login(i % 2 ? b : a, admin.user.username)));
  expect(codes.flat()).not.toContain('RATE_LIMITED');

  for (const url of [a, b]) {
    const refused = await login(url, admin.user.username, PASSWORD);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({
          code: 'RATE_LIMITED',
          retryAfter: expect.any(Number),
        }),
      }),
    ]);
    const retryAfter = refused.errors![0]!.extensions!.retryAfter as number;
    const expected = Math.ceil((started + WINDOW_MS - Date.now()) / 1000);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(Math.abs(retryAfter - expected)).toBeLessThanOrEqual(1);
  }
  // Another username from the same address is still let in (until the per-address limit).
  expect(errorCodes(await login(a, 'somebody-else'))).not.toContain('RATE_LIMITED');

  await sleep(WINDOW_MS + 100);
  const again = await login(b, admin.user.username, PASSWORD);
  expect(again.errors).toBeUndefined();
  expect(again.data!.login.user.id).toBe(admin.user.id);
});

test('logins sent at once are counted as those sent one by one', async () => {
  await sleep(WINDOW_MS + 100);
  const target = await signUp(stack.gatewayUrl);
  const [a, b] = stack.gateways.map((g) => g.url) as [string, string];
  const answers = await Promise.all(
    Array.from({ length: 30 }, (_, i) => login(i % 2 ? b : a, target.user.username)),
  );
  // Counted as they come, whatever the interleaving: exactly the limit gets through.
  const codes = answers.map((answer) => errorCodes(answer)[0]);
  expect(codes.filter((code) => code !== 'RATE_LIMITED')).toHaveLength(5);
});

test('logins per address are limited across usernames', async () => {
  await sleep(WINDOW_MS + 100);
  const codes: unknown[] = [];
  for (let i = 0; i < 9; i++)
    codes.push(errorCodes(await login(stack.gatewayUrl, `nobody${i}`))[0]);
  expect(codes.slice(0, 8)).not.toContain('RATE_LIMITED');
  expect(codes[8]).toBe('RATE_LIMITED');
});

test("one client's wrong passwords lock out neither the account's owner nor other clients behind the same gateway", async () => {
  await sleep(WINDOW_MS + 100);
  const target = await signUp(stack.gatewayUrl);
  // A gateway behind a load balancer, as deploy/docker-compose.yml runs them.
  const gateway = await startGateway({
    ...stack.gatewayConfig,
    trustedProxies: trustedProxies(['127.0.0.1']),
  });
  const loginFrom = (address: string, password?: string) =>
    graphql(
      gateway.url,
      LOGIN,
      { input: { usernameOrEmail: target.user.username, password: password ?? 'wrong password' } },
      { 'x-forwarded-for': address },
    ).then((answer) => errorCodes(answer)[0] ?? 'ok');
  try {
    const attempts = [];
    for (let i = 0; i < 6; i++) attempts.push(await loginFrom('203.0.113.9'));
    expect(attempts).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
    expect(await loginFrom('198.51.100.7', PASSWORD)).toBe('ok');
  } finally {
    await gateway.stop();
  }
});

test("authenticateNode is limited per node and address: made-up signatures do not lock the node's agent out", async () => {
  const { node, keys } = await registerNode(stack.gatewayUrl, admin);
  const gateway = await startGateway({
    ...stack.gatewayConfig,
    trustedProxies: trustedProxies(['127.0.0.1']),
  });
  let sent = 0;
  const authenticateFrom = (address: string, signingKeys: typeof keys) =>
    graphql(
      gateway.url,
      AuthenticateNodeDocument,
      { input: signedAuthInput(signingKeys, node.id, String(Date.now() + sent++)) },
      { 'x-forwarded-for': address },
    ).then((answer) => errorCodes(answer)[0] ?? 'ok');
  try {
    const forged = generateNodeKeys();
    const attempts = [];
    for (let i = 0; i < 3; i++) attempts.push(await authenticateFrom('203.0.113.9', forged));
    expect(attempts).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED']);
    expect(await authenticateFrom('198.51.100.7', keys)).toBe('ok');
  } finally {
    await gateway.stop();
  }
});

test('authenticateNode is limited per node', async () => {
  const node = await registerNode(stack.gatewayUrl, admin);
  const other = await registerNode(stack.gatewayUrl, admin);
  const AUTH = `mutation ($input: AuthenticateNodeInput!) { authenticateNode(input: $input) { expiresAt } }`;
  const codes = [];
  for (let i = 0; i < 3; i++) {
    const input = signedAuthInput(node.keys, node.node.id, String(Date.now() + i));
    codes.push(errorCodes(await graphql(stack.gatewayUrl, AUTH, { input })));
  }
  expect(codes).toEqual([[], [], ['RATE_LIMITED']]);
  const input = signedAuthInput(other.keys, other.node.id);
  expect(errorCodes(await graphql(stack.gatewayUrl, AUTH, { input }))).toEqual([]);
});

test('postMessage and createDeployment are limited per user', async () => {
  const channel = await createChannel(stack.gatewayUrl, admin, { kind: 'PUBLIC' });
  const posts = [];
  for (let i = 0; i < 3; i++)
    posts.push(
      errorCodes(
        await postMessage(stack.gatewayUrl, admin, { channelId: channel.id, body: `hello ${i}` }),
      ),
    );
  expect(posts).toEqual([[], [], ['RATE_LIMITED']]);

  const { node } = await registerNode(stack.gatewayUrl, admin);
  await createDeployment(stack.gatewayUrl, admin.headers, { nodeId: node.id, application: 'a1' });
  await createDeployment(stack.gatewayUrl, admin.headers, { nodeId: node.id, application: 'a2' });
  const third = await graphql(
    stack.gatewayUrl,
    `
      mutation ($input: CreateDeploymentInput!) {
        createDeployment(input: $input) {
          id
        }
      }
    `,
    { input: { nodeId: node.id, application: 'a3', version: '1', environment: 'staging' } },
    admin.headers,
  );
  expect(errorCodes(third)).toEqual(['RATE_LIMITED']);
  // Another user has a budget of their own.
  const someoneElse = await signUp(stack.gatewayUrl);
  const own = await createChannel(stack.gatewayUrl, someoneElse, { kind: 'PUBLIC' });
  expect(
    errorCodes(await postMessage(stack.gatewayUrl, someoneElse, { channelId: own.id, body: 'hi' })),
  ).toEqual([]);
});

describe('the gateway request budget', () => {
  const ME = '{ me { id } }';
  // Each gateway here counts under a prefix of its own, apart from the stack's gateways.
  // An hour's window: with the stack's short one, a window boundary between requests would
  // leave the budget partly spent, and the count would depend on the clock.
  const hourlyLimit = (max: number) => ({ max, windowMs: 3_600_000 });
  const budgetGateway = (overrides: Partial<Stack['gatewayConfig']>) =>
    startGateway({
      ...stack.gatewayConfig,
      redisPrefix: `${stack.gatewayConfig.redisPrefix}${Math.random().toString(36).slice(2)}:`,
      ...overrides,
    });

  test('is per token, else per address, answered 429 with Retry-After', async () => {
    const gateway = await budgetGateway({ requestRateLimit: hourlyLimit(3) });
    try {
      for (let i = 0; i < 3; i++) expect(errorCodes(await graphql(gateway.url, ME))).toEqual([]);
      const response = await fetch(`${gateway.url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: ME }),
      });
      expect(response.status).toBe(429);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
      expect(body.errors[0]!.extensions).toEqual({
        code: 'RATE_LIMITED',
        retryAfter: expect.any(Number),
      });
      // A signed-in client has its own budget.
      expect(errorCodes(await graphql(gateway.url, ME, {}, admin.headers))).toEqual([]);
    } finally {
      await gateway.stop();
    }
  });

  test('counts every request exactly once across gateways, even all at once', async () => {
    const redisPrefix = `${stack.gatewayConfig.redisPrefix}${Math.random().toString(36).slice(2)}:`;
    const gateways = await Promise.all(
      [0, 1].map(() =>
        startGateway({
          ...stack.gatewayConfig,
          redisPrefix,
          requestRateLimit: hourlyLimit(5),
        }),
      ),
    );
    try {
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          graphql(gateways[i % 2]!.url, ME, {}, admin.headers).then(
            (r) => errorCodes(r)[0] ?? 'ok',
          ),
        ),
      );
      expect(answers.filter((code) => code === 'ok')).toHaveLength(5);
      expect(answers.filter((code) => code === 'RATE_LIMITED')).toHaveLength(7);
    } finally {
      await Promise.all(gateways.map((gateway) => gateway.stop()));
    }
  });

  test('trusts X-Forwarded-For only from a configured proxy', async () => {
    const direct = await budgetGateway({ requestRateLimit: hourlyLimit(2) });
    const proxied = await budgetGateway({
      requestRateLimit: hourlyLimit(2),
      trustedProxies: loadGatewayConfig({ TRUSTED_PROXIES: '10.1.2.3, 127.0.0.0/8' })
        .trustedProxies,
    });
    try {
      const send = (url: string, address: string) =>
        graphql(url, ME, {}, { 'x-forwarded-for': address }).then((r) => errorCodes(r)[0] ?? 'ok');
      // Behind a trusted proxy, each forwarded address has its own budget…
      const viaProxy = [];
      for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
        viaProxy.push(await send(proxied.url, address));
      expect(viaProxy).toEqual(['ok', 'ok', 'ok']);
      // …but from an untrusted peer the header is ignored: one address, one budget.
      const direct3 = [];
      for (const address of ['198.51.100.1', '198.51.100.2', '198.51.100.3'])
        direct3.push(await send(direct.url, address));
      expect(direct3).toEqual(['ok', 'ok', 'RATE_LIMITED']);
      // Entries are addresses or CIDR ranges; anything else stops the service at start.
      for (const entry of ['10.0.0.0/33', 'gateway', '::1/129', '10.0.0.1/8/8'])
        expect(() => loadGatewayConfig({ TRUSTED_PROXIES: entry })).toThrow(
          `"${entry}" is not an IP address or a CIDR range`,
        );
    } finally {
      await direct.stop();
      await proxied.stop();
    }
  });
});

test('createUser is limited per organization: it tells whether an email is taken anywhere', async () => {
  const other = await signUp(stack.gatewayUrl);
  await addUser(stack.gatewayUrl, other, 'VIEWER');
  await addUser(stack.gatewayUrl, other, 'VIEWER');
  // Asking about an email of another organization is counted like any call.
  const third = await graphql(
    stack.gatewayUrl,
    CreateUserDocument,
    {
      input: {
        username: 'probe',
        email: `${admin.user.username}@example.com`,
        password: PASSWORD,
        role: 'VIEWER',
      },
    },
    other.headers,
  );
  expect(errorCodes(third)).toEqual(['RATE_LIMITED']);
  expect(third.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
  // Another organization's ADMIN is not held back by it.
  await expect(addUser(stack.gatewayUrl, admin, 'VIEWER')).resolves.toBeDefined();
});

test('the documented defaults are the ones in force', () => {
  const docs = readFileSync(join(__dirname, '..', 'docs', 'security.md'), 'utf8');
  const defaults = {
    ...USERS_RATE_LIMITS,
    ...NODES_RATE_LIMITS,
    ...MESSAGES_RATE_LIMITS,
    ...DEPLOYMENTS_RATE_LIMITS,
  };
  expect(formatRateLimit(defaults.login!)).toBe('5/15m');
  expect(formatRateLimit(defaults.loginPerAddress!)).toBe('20/15m');
  for (const [name, value] of Object.entries(defaults))
    expect(docs).toMatch(new RegExp(`\\| \`${name}\` +\\| \`${formatRateLimit(value)}\``));
  expect(docs).toMatch(
    new RegExp(
      `\\| \`REQUEST_RATE_LIMIT\` +\\| \`${formatRateLimit(loadGatewayConfig({}).requestRateLimit)}\``,
    ),
  );
});
