/**
 * What keeps long-lived subscriptions safe at the gateway: a revoked session or an expired token
 * ends them, connections and subscriptions are bounded, a reader that cannot keep up is
 * disconnected (4008) while others keep receiving, and shutdown says "going away" (1001).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { GatewayConfig } from '../gateway/env';
import type { Gateway } from '../gateway/server';
import { OPERATION_LIMIT_DEFAULTS, type OperationLimits } from '../gateway/operation-limits';
import { CloseCode } from '../gateway/subscriptions/server';
import { SLOW_CONSUMER } from '../platform/subscriptions-over-http';
import { createRedisConnections, type RedisConnections } from '../platform/redis';
import { createRevocationList, type RevocationList } from '../platform/revocations';
import {
  createTokenSigner,
  generateSigningKey,
  publicJwkOf,
  type TokenSigner,
} from '../platform/tokens';
import { startThrowawaySubgraphs, type Throwaway } from './fixtures/throwaway-subgraphs';
import { REDIS_URL } from './support/env';
import { graphql } from './support/graphql';
import { MULTIPART_ACCEPT, sseSubscribe } from './support/http-subscriptions';
import { startGateway, testGatewayConfig, type Running } from './support/stack';
import { collect, eventually, wsClient } from './support/subscriptions';

const BOOK_ADDED = `subscription { bookAdded { isbn title onLoan } }`;
const key = generateSigningKey('limits-test');
const redisPrefix = `opsgraph-test:${randomBytes(6).toString('hex')}:`;

let throwaway: Throwaway;
let gateway: Running<Gateway>;
let config: GatewayConfig;
let signer: TokenSigner;
let redis: RedisConnections;
let revocations: RevocationList;
/** The gateway's side of every connection made to it. */
const connections = new Set<Socket>();

const token = async (sessionId = randomUUID(), ttlSeconds = 900) =>
  `Bearer ${(await signer.sign({ kind: 'user', userId: randomUUID(), organizationId: randomUUID(), role: 'VIEWER', sessionId }, ttlSeconds)).token}`;

const addBook = (isbn: string, title = 'A book') =>
  graphql(
    gateway.url,
    `
      mutation ($isbn: ID!, $title: String!) {
        addBook(isbn: $isbn, title: $title) {
          isbn
        }
      }
    `,
    { isbn, title },
  );

beforeAll(async () => {
  signer = await createTokenSigner(key);
  // Any bearer token the gateway let through is a librarian here: the gateway is under test.
  throwaway = await startThrowawaySubgraphs((authorization) =>
    Boolean(authorization?.startsWith('Bearer ')),
  );
  const supergraphPath = throwaway.writeSupergraph();
  config = testGatewayConfig({
    supergraphPath,
    publicKeys: [publicJwkOf(key)],
    redisUrl: REDIS_URL,
    redisPrefix,
    subscriptionBufferLimit: 5,
    subscriptionLimits: {
      subscriptionsPerConnection: 3,
      connectionsPerCredential: 2,
      maxBufferedBytes: 64_000,
    },
  });
  gateway = await startGateway(config);
  gateway.service.httpServer.on('connection', (socket: Socket) => connections.add(socket));
  redis = createRedisConnections(REDIS_URL, redisPrefix);
  revocations = await createRevocationList(redis);
});
afterAll(async () => {
  await revocations?.close();
  await redis?.close();
  await gateway?.stop();
  await throwaway?.stop();
});

it('ends a subscription with UNAUTHENTICATED when its session is revoked elsewhere', async () => {
  const sessionId = randomUUID();
  const client = wsClient(gateway.url, { authorization: await token(sessionId) });
  const subscription = collect(client, BOOK_ADDED);
  await eventually(() => throwaway.liveSubscriptions() === 1);
  // Revoked by another process (as logout on another replica does), through Redis.
  await revocations.revoke(sessionId, Math.floor(Date.now() / 1000) + 900);
  await subscription.ended();
  expect(subscription.results).toEqual([
    {
      data: null,
      errors: [
        {
          message: 'This session has ended; sign in again.',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    },
  ]);
  await eventually(() => throwaway.liveSubscriptions() === 0);
  await client.dispose();
});

it('ends a subscription when its access token expires', async () => {
  const client = wsClient(gateway.url, { authorization: await token(randomUUID(), 2) });
  const subscription = collect(client, BOOK_ADDED);
  await subscription.ended(6_000);
  expect(subscription.results.at(-1)?.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  await client.dispose();
});

it('refuses a bad token at connection_init with 4403', async () => {
  const client = wsClient(gateway.url, { authorization: 'Bearer forged' });
  const subscription = collect(client, BOOK_ADDED);
  await subscription.ended();
  expect((subscription.error as { code?: number }).code).toBe(4403);
  await client.dispose();
});

it('bounds subscriptions per connection and connections per credential', async () => {
  const authorization = await token();
  const client = wsClient(gateway.url, { authorization });
  const allowed = [0, 1, 2].map(() => collect(client, BOOK_ADDED));
  await eventually(() => gateway.service.subscriptionStats().subscribers === 3);
  const fourth = collect(client, BOOK_ADDED);
  await fourth.ended();
  expect(fourth.error).toEqual([
    expect.objectContaining({ extensions: { code: 'RATE_LIMITED', limit: 3, retryAfter: 1 } }),
  ]);
  // RATE_LIMITED always says when to retry, a reader ended as too slow too.
  expect(SLOW_CONSUMER.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 1 });

  const second = wsClient(gateway.url, { authorization });
  const onSecond = collect(second, BOOK_ADDED);
  await eventually(() => gateway.service.subscriptionStats().subscribers === 4);
  const third = wsClient(gateway.url, { authorization });
  const refused = collect(third, BOOK_ADDED);
  await refused.ended();
  expect((refused.error as { code?: number }).code).toBe(CloseCode.TooManyConnections);

  [...allowed, onSecond].forEach((s) => s.unsubscribe());
  await Promise.all([client.dispose(), second.dispose(), third.dispose()]);
});

it('disconnects a subscriber that cannot keep up while the others keep receiving', async () => {
  const authorization = await token();
  // A raw socket that never reads: its kernel buffers fill, then the gateway's queue.
  const slow = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const closed = new Promise<number>((resolve) => slow.on('close', (code) => resolve(code)));
  slow.on('error', () => undefined);
  await new Promise((resolve) => slow.on('open', resolve));
  slow.send(JSON.stringify({ type: 'connection_init', payload: { authorization } }));
  await new Promise((resolve) => slow.once('message', resolve)); // connection_ack
  slow.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: BOOK_ADDED } }));
  await eventually(() => throwaway.liveSubscriptions() === 1);
  (slow as unknown as { _socket: { pause(): void } })._socket.pause();

  const everyoneElseReceived = await floodPastSlowSubscriber('slow-');
  // Once it reads again, the slow client learns why it was dropped (or finds the socket gone).
  (slow as unknown as { _socket: { resume(): void } })._socket.resume();
  expect([CloseCode.SlowConsumer, 1006]).toContain(await closed);
  await everyoneElseReceived();
}, 40_000);

/**
 * With a slow subscriber paused, a healthy one joins and large books are added until the slow
 * one is dropped; what it returns checks that the healthy one got every book. Books larger than
 * maxBufferedBytes drop it for the bytes waiting in its socket, smaller ones for the events
 * waiting in its queue (subscriptionBufferLimit).
 */
async function floodPastSlowSubscriber(
  prefix: string,
  titleLength = 200_000,
): Promise<() => Promise<void>> {
  const healthyClient = wsClient(gateway.url, { authorization: await token() });
  const healthy = collect(healthyClient, BOOK_ADDED);
  await eventually(() => throwaway.liveSubscriptions() === 2);
  const title = 'x'.repeat(titleLength);
  let sent = 0;
  while (gateway.service.subscriptionStats().subscribers === 2 && sent < 800) {
    await addBook(`${prefix}${sent}`, title);
    sent += 1;
  }
  expect(gateway.service.subscriptionStats().subscribers).toBe(1);
  return async () => {
    const results = await healthy.waitFor(sent, 20_000);
    expect(results.map((r) => r.data?.bookAdded?.isbn)).toEqual(
      Array.from({ length: sent }, (_, i) => `${prefix}${i}`),
    );
    healthy.unsubscribe();
    await healthyClient.dispose();
  };
}

it.each([
  ['SSE', 'text/event-stream'],
  ['multipart', MULTIPART_ACCEPT],
])(
  'ends a %s stream whose reader cannot keep up while the others keep receiving',
  async (_, accept) => {
    // A raw HTTP client that stops reading: its kernel buffers fill, then the gateway's.
    const request = httpRequest(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, authorization: await token() },
    });
    request.end(JSON.stringify({ query: BOOK_ADDED }));
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    expect(response.statusCode).toBe(200);
    response.pause();
    const localPort = response.socket.localPort;
    const ended = new Promise<void>((resolve) => {
      response.once('end', resolve);
      response.once('close', resolve);
    });
    await eventually(() => throwaway.liveSubscriptions() === 1);
    const everyoneElseReceived = await floodPastSlowSubscriber(`slow-${accept.length}-`, 20_000);
    // Dropped for its queue, its connection is closed soon after, though it still reads nothing.
    const connection = [...connections].find((socket) => socket.remotePort === localPort)!;
    await eventually(() => connection.destroyed, 6_000);
    response.resume();
    await ended;
    await everyoneElseReceived();
  },
  40_000,
);

it.each([
  ['SSE', 'text/event-stream'],
  ['multipart', MULTIPART_ACCEPT],
])(
  'drops a %s reader that takes nothing for two heartbeats, even once its subscription has ended',
  async (_, accept) => {
    const beating = await startGateway({
      ...config,
      subscriptionKeepAliveMs: 500,
      subscriptionBufferLimit: 1000,
      subscriptionLimits: { ...config.subscriptionLimits, maxBufferedBytes: 4e6 },
    });
    beating.service.httpServer.on('connection', (socket: Socket) => connections.add(socket));
    try {
      const sessionId = randomUUID();
      const request = httpRequest(beating.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept,
          authorization: await token(sessionId),
        },
      });
      request.on('error', () => undefined);
      request.end(JSON.stringify({ query: BOOK_ADDED }));
      const [response] = (await once(request, 'response')) as [IncomingMessage];
      response.pause();
      await eventually(() => throwaway.liveSubscriptions() === 1);
      const connection = [...connections].find(
        (socket) => socket.remotePort === response.socket.localPort,
      )!;
      // Until the kernel's buffers are full and the stream waits for the reader to take some.
      for (let i = 0; connection.writableLength === 0 && i < 1000; i++)
        await addBook(`stalled-${accept.length}-${i}`, 'x'.repeat(20_000));
      // Its subscription ends (the session is revoked) while it waits.
      await revocations.revoke(sessionId, Math.floor(Date.now() / 1000) + 900);
      await eventually(() => beating.service.subscriptionStats().subscribers === 0);
      await eventually(() => connection.destroyed, 6_000);
      request.destroy();
    } finally {
      await beating.stop();
    }
  },
  60_000,
);

it('closes sockets with 1001 (going away) on shutdown', async () => {
  const supergraphPath = throwaway.writeSupergraph();
  const leaving = await startGateway(testGatewayConfig({ supergraphPath }));
  const socket = new WebSocket(leaving.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve) => socket.on('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  await new Promise((resolve) => socket.once('message', resolve));
  await leaving.stop();
  expect(await closed).toBe(CloseCode.GoingAway);
});

describe('operation limits, the same on every subscription transport as over HTTP', () => {
  const cases: [keyof typeof OPERATION_LIMIT_DEFAULTS, number, string][] = [
    ['maxDepth', 1, 'subscription { bookAdded { isbn } }'],
    ['maxAliases', 2, 'subscription { a: bookAdded { b: isbn c: title } }'],
    [
      'maxRootFields',
      1,
      'subscription { bookAdded { isbn } ...More } fragment More on Subscription { bookAdded { title } }',
    ],
    [
      'maxDirectives',
      1,
      'subscription { bookAdded { isbn @include(if: true) title @skip(if: false) } }',
    ],
    ['maxTokens', 12, `subscription { bookAdded { ${'isbn '.repeat(20)}} }`],
    ['maxCost', 2, 'subscription { bookAdded { isbn title onLoan } }'],
  ];

  it.each(cases)(
    '%s: refused with QUERY_TOO_COMPLEX over HTTP, graphql-ws, SSE and multipart',
    async (limit, max, query) => {
      const operationLimits: OperationLimits = {
        ...OPERATION_LIMIT_DEFAULTS,
        fieldSuggestions: false,
        [limit]: max,
      };
      const strict = await startGateway(
        testGatewayConfig({ supergraphPath: throwaway.writeSupergraph(), operationLimits }),
      );
      try {
        const overHttp = await fetch(strict.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        });
        expect(overHttp.status).toBe(400);
        const { errors } = (await overHttp.json()) as {
          errors: { message: string; extensions: unknown }[];
        };
        expect(errors).toHaveLength(1);
        expect([errors[0]!.message, errors[0]!.extensions]).toEqual([
          expect.any(String),
          { code: 'QUERY_TOO_COMPLEX', limit },
        ]);

        const client = wsClient(strict.url, { authorization: await token() });
        try {
          const subscription = collect(client, query);
          await subscription.ended();
          expect(subscription.error).toEqual(errors);
          expect(throwaway.liveSubscriptions()).toBe(0);
        } finally {
          await client.dispose();
        }

        // Over SSE in the accepted event stream (its protocol's way), over multipart as JSON.
        const overSse = sseSubscribe(strict.url, { authorization: await token() }, query);
        await overSse.ended();
        expect(overSse.results).toEqual([{ errors }]);
        const overMultipart = await fetch(strict.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: MULTIPART_ACCEPT,
            authorization: await token(),
          },
          body: JSON.stringify({ query }),
        });
        expect(overMultipart.status).toBe(400);
        expect(await overMultipart.json()).toEqual({ errors });
        expect(throwaway.liveSubscriptions()).toBe(0);
      } finally {
        await strict.stop();
      }
    },
  );
});
