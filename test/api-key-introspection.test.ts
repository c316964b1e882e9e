/**
 * The API key cache of the services that do not own keys (platform/api-keys.ts), against a
 * revocation heard while a key is being looked up. The answer may serve the request that asked,
 * but must not be cached: the revoked key would keep working on that service for the cache's
 * lifetime. A real HTTP server on loopback stands in for the users subgraph's introspection
 * endpoint, holding its answer until the revocation has been heard, over the machine's Redis.
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
import { REDIS_URL } from './support/env';

const SECRET = 'ogk_race';
const PRINCIPAL = {
  kind: 'user',
  userId: randomUUID(),
  organizationId: randomUUID(),
  role: 'VIEWER',
  apiKeyId: randomUUID(),
};

let server: Server;
let redis: RedisConnections;
let introspection: ApiKeyIntrospection;
/** Whether the key is revoked in the stand-in's "database". */
let revoked = false;
/** Holds the stand-in's next answer until released (read as it was before it waited). */
let held: Promise<void> | null = null;
let lookups = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    lookups += 1;
    const answer = revoked ? null : PRINCIPAL;
    void (held ?? Promise.resolve()).then(() => {
      res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ principal: answer }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  redis = createRedisConnections(REDIS_URL, `api-key-test:${randomUUID()}:`);
  introspection = await createApiKeyIntrospection({
    url: `http://127.0.0.1:${port}${INTROSPECTION_PATH}`,
    redis,
  });
});
afterAll(async () => {
  await introspection?.close();
  await redis?.close();
  server?.close();
});

it('caches a key looked up with no revocation meanwhile', async () => {
  await introspection.resolve('ogk_other');
  await introspection.resolve('ogk_other');
  expect(lookups).toBe(1);
  lookups = 0;
});

it('does not cache a key looked up while it was revoked', async () => {
  let release!: () => void;
  held = new Promise((resolve) => (release = resolve));
  // The lookup reads the key before the revocation commits...
  const during = introspection.resolve(SECRET);
  while (lookups === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  // ...and its answer arrives after the revocation was announced and heard.
  revoked = true;
  const announcer = createRedisConnections(REDIS_URL, redis.prefix);
  const heard = new Promise<void>((resolve) => {
    void announcer.channels
      .subscribe(`${redis.prefix}${API_KEY_REVOCATIONS_CHANNEL}`, () => resolve())
      .then(() => publishApiKeyRevocation(announcer, hashSecret(SECRET)));
  });
  await heard;
  await announcer.close();
  // Heard by a connection of its own; the cache's connection hears it as soon.
  await new Promise((resolve) => setTimeout(resolve, 100));
  held = null;
  release();
  expect(await during).toMatchObject({ apiKeyId: PRINCIPAL.apiKeyId });

  // The next request asks again, and is refused.
  expect(await introspection.resolve(SECRET)).toBeNull();
  expect(lookups).toBe(2);
});
