/**
 * API key lookups of the services that do not own keys (platform/api-keys.ts): their cache and
 * their watch over keys held by subscriptions, against revocations heard over Redis, heard while
 * a lookup is under way, missed while Redis was away, or never announced. A real HTTP server on loopback stands in
 * for the users subgraph's introspection endpoint (it can hold an answer back, or revoke a key
 * without any announcement), and the Redis is the test's own, so that it can be restarted.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  API_KEY_REVOCATIONS_CHANNEL,
  createApiKeyIntrospection,
  hashSecret,
  INTROSPECTION_PATH,
  publishApiKeyRevocation,
  type ApiKeyIntrospection,
} from '../platform/api-keys';
import { createRedisConnections, type RedisConnections } from '../platform/redis';
import { privateRedis, retrying, type PrivateRedis } from './support/private-services';

const PRINCIPAL = {
  kind: 'user',
  userId: randomUUID(),
  organizationId: randomUUID(),
  role: 'VIEWER',
  apiKeyId: randomUUID(),
};

let server: Server;
let privateServer: PrivateRedis;
let redis: RedisConnections;
let introspection: ApiKeyIntrospection;
/** The keys revoked in the stand-in's "database". */
const revoked = new Set<string>();
/** Holds the stand-in's answers until it resolves (each read before it waits). */
let held: Promise<void> | null = null;
let lookups = 0;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    lookups += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { apiKey } = JSON.parse(Buffer.concat(chunks).toString()) as { apiKey: string };
    const answer = revoked.has(apiKey) ? null : PRINCIPAL;
    await held;
    res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ principal: answer }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  privateServer = await privateRedis();
  await privateServer.start();
  redis = createRedisConnections(privateServer.url, 'api-key-test:');
  introspection = await createApiKeyIntrospection({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${INTROSPECTION_PATH}`,
    redis,
  });
});
afterAll(async () => {
  await introspection?.close();
  await redis?.close();
  await privateServer?.stop();
  server?.close();
});
beforeEach(() => {
  lookups = 0;
});

/** Revokes `secret` in the stand-in and announces it, and waits until the announcement is heard. */
async function revoke(secret: string) {
  revoked.add(secret);
  const announcer = createRedisConnections(privateServer.url, redis.prefix);
  await new Promise<void>((heard) => {
    void announcer.channels
      .subscribe(`${redis.prefix}${API_KEY_REVOCATIONS_CHANNEL}`, () => heard())
      .then(() => publishApiKeyRevocation(announcer, hashSecret(secret)));
  });
  await announcer.close();
  // Heard by a connection of its own; the introspection's hears it as soon.
  await new Promise((resolve) => setTimeout(resolve, 100));
}

it('caches a key looked up with no revocation meanwhile', async () => {
  await introspection.resolve('ogk_cached');
  await introspection.resolve('ogk_cached');
  expect(lookups).toBe(1);
});

it('does not cache a key looked up while it was revoked', async () => {
  let release!: () => void;
  held = new Promise((resolve) => (release = resolve));
  // The lookup reads the key before the revocation commits...
  const during = introspection.resolve('ogk_race');
  while (lookups === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  // ...and its answer arrives after the revocation was announced and heard.
  await revoke('ogk_race');
  held = null;
  release();
  expect(await during).toMatchObject({ apiKeyId: PRINCIPAL.apiKeyId });

  // The next request asks again, and is refused.
  expect(await introspection.resolve('ogk_race')).toBeNull();
  expect(lookups).toBe(2);
});

it('tells the watchers of a key when its revocation is heard, and no one else', async () => {
  const calls: string[] = [];
  const stopFirst = introspection.watch('ogk_watched', () => calls.push('first'));
  introspection.watch('ogk_watched', () => calls.push('second'));
  introspection.watch('ogk_other_watched', () => calls.push('other'));
  stopFirst();
  await revoke('ogk_watched');
  expect(calls).toEqual(['second']);
});

it('looks the watched keys up again after Redis comes back, and tells those revoked meanwhile', async () => {
  const calls: string[] = [];
  introspection.watch('ogk_missed', () => calls.push('missed'));
  introspection.watch('ogk_valid', () => calls.push('valid'));
  await privateServer.stop();
  // Revoked while Redis was away: the announcement is lost.
  revoked.add('ogk_missed');
  await privateServer.start();
  await retrying(async () => {
    if (calls.length === 0) throw new Error('not told yet');
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(calls).toEqual(['missed']);
}, 30_000);

it('looks the watched keys up again each cache lifetime, and tells those revoked unannounced, once', async () => {
  const shortLived = await createApiKeyIntrospection({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${INTROSPECTION_PATH}`,
    redis,
    cacheTtlMs: 200,
  });
  try {
    const calls: string[] = [];
    shortLived.watch('ogk_unannounced', () => calls.push('unannounced'));
    shortLived.watch('ogk_still_valid', () => calls.push('valid'));
    // Revoked, and the announcement never published (the users subgraph could not reach Redis).
    revoked.add('ogk_unannounced');
    await retrying(async () => {
      if (calls.length === 0) throw new Error('not told yet');
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(calls).toEqual(['unannounced']);
  } finally {
    await shortLived.close();
  }
}, 30_000);
