/**
 * The login limits as a password guesser meets them through the gateway: every spelling that
 * finds an account counts against that account's limit, and what is counted costs Redis the same
 * whatever the client sends. (The limits' windows and `retryAfter`: security-rate-limits.test.ts.)
 */
import { Redis } from 'ioredis';
import { REDIS_URL } from './support/env';
import { errorCodes, graphql } from './support/graphql';
import { PASSWORD, signUp, unique } from './support/seed';
import { RELAXED_RATE_LIMITS, startStack, type Stack } from './support/stack';

const LIMITS = {
  ...RELAXED_RATE_LIMITS,
  login: { max: 3, windowMs: 60_000 },
  loginPerAddress: { max: 6, windowMs: 60_000 },
};

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users'], config: { users: { rateLimits: LIMITS } } });
});
afterAll(() => stack?.stop());

const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { user { id } } }`;
const login = (usernameOrEmail: string, password = 'wrong password') =>
  graphql(stack.gatewayUrl, LOGIN, { input: { usernameOrEmail, password } });

test('spellings that PostgreSQL folds to one account share its limit', async () => {
  const { user } = await signUp(stack.gatewayUrl, { username: unique('admin') });
  // The dotted capital I: PostgreSQL's lower() makes it `i`, JavaScript's toLowerCase() `i̇`.
  const dotted = user.username.replace('i', 'İ');
  expect((await login(dotted, PASSWORD)).data?.login.user.id).toBe(user.id);
  for (let i = 0; i < 2; i++)
    expect(errorCodes(await login(user.username))).toEqual(['UNAUTHENTICATED']);
  const refused = await login(` ${dotted.toUpperCase()} `, PASSWORD);
  expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
  expect(refused.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
});

test('a long identifier makes no long Redis key, even when refused', async () => {
  for (let i = 0; i < 8; i++) await login(`${i}${'x'.repeat(100_000)}`);
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${stack.redisPrefix}rate-limit-calls:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(Math.max(...keys.map((key) => key.length))).toBeLessThan(200);
  } finally {
    redis.disconnect();
  }
});
