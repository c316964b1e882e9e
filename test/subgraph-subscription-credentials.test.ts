/**
 * Zero trust between services: a subscription opened straight at a subgraph — over graphql-ws,
 * SSE or multipart HTTP — ends when the credential it was opened with does, as the gateway ends
 * its clients' (README: a logged-out token "stops working everywhere within a second"). Logout,
 * a revoked API key and an expired token each end it with an UNAUTHENTICATED error, and nothing
 * posted afterwards reaches it. A gateway that cannot hear revocations itself (no Redis) passes
 * the subgraph's end on to its client once, and does not subscribe again.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { MessageAddedIdsDocument, RevokeApiKeyDocument } from './__generated__/graphql';
import { createApiKeyWithId } from './support/agent';
import { graphql } from './support/graphql';
import { multipartSubscribe, sseSubscribe } from './support/http-subscriptions';
import { createChannel, post, type MessageData } from './support/messages';
import { addUser, signUp, unique, type SignedIn } from './support/seed';
import { startGateway, startStack, type Running, type Stack } from './support/stack';
import { MESSAGE_ADDED_IDS, topicListeners, until } from './support/subscription-streams';
import { collect, wsClient, type Collected } from './support/subscriptions';
import { createTokenSigner } from '../platform/tokens';
import type { Gateway } from '../gateway/server';

const TRANSPORTS = ['graphql-ws', 'sse', 'multipart'] as const;
type Transport = (typeof TRANSPORTS)[number];

let stack: Stack;
let url: string;
let subgraphUrl: string;
let listeners: ReturnType<typeof topicListeners>;
let admin: SignedIn;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users', 'messages'] });
  url = stack.gatewayUrl;
  subgraphUrl = stack.subgraphs.messages!.url;
  listeners = topicListeners(stack);
  admin = await signUp(url);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(async () => {
  await listeners?.close();
  await stack?.stop();
});

/** Subscribes to a new channel's messageAdded straight at `at`, with `headers` as credentials. */
async function subscribe(
  transport: Transport,
  headers: Record<string, string>,
  at = subgraphUrl,
): Promise<{ channelId: string; subscription: Collected }> {
  const channel = await createChannel(url, admin, { kind: 'PUBLIC' });
  const variables = { channelId: channel.id };
  const listening = await listeners.count('MESSAGE_ADDED');
  let subscription: Collected;
  if (transport === 'graphql-ws') {
    // Credentials in connection_init, as a client or a router connected directly sends them.
    const client: Client = wsClient(at, headers);
    cleanups.push(() => client.dispose());
    subscription = collect(client, MessageAddedIdsDocument, variables);
  } else {
    const open = transport === 'sse' ? sseSubscribe : multipartSubscribe;
    subscription = open(at, headers, MESSAGE_ADDED_IDS, variables);
    cleanups.push(() => subscription.unsubscribe());
  }
  await until(async () => (await listeners.count('MESSAGE_ADDED')) > listening);
  return { channelId: channel.id, subscription };
}

/** A message as the subscription delivers it, with its position. */
const delivered = (message: MessageData) => ({
  data: { messageAdded: { id: message.id, cursor: message.cursor } },
  extensions: { resumeCursor: message.cursor },
});

/**
 * The subscription's last result: the gateway's words for the end (sessions.ts), with where the
 * stream got to, so that the caller resumes after it with a fresh credential.
 */
const endedWith = (message: string, last: MessageData) => ({
  data: null,
  errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }],
  extensions: { resumeCursor: last.cursor },
});

/** Posts a message, has it delivered, then logs `member` out; gives the message once it ended. */
async function logOutAfterOneMessage(member: SignedIn, channelId: string, subscription: Collected) {
  const before = await post(url, admin, channelId, unique('before logout '));
  await subscription.waitFor(1);
  const out = await graphql(url, 'mutation { logout }', {}, member.headers);
  expect(out.data).toEqual({ logout: true });
  // Within a second, as the README promises; a loaded machine gets some slack.
  await subscription.ended(3000);
  return before;
}

/** A subgraph's end as the gateway passes it on: naming the subgraph, as any subgraph error. */
const passedOn = (end: ReturnType<typeof endedWith>) => ({
  ...end,
  errors: end.errors.map((error) => ({
    ...error,
    extensions: { ...error.extensions, serviceName: 'messages' },
  })),
});

/** Subscriptions the messages subgraph serves, over every transport (its /metrics). */
async function servedBySubgraph(): Promise<number> {
  const metrics = await (await fetch(new URL('/metrics', subgraphUrl))).text();
  return Number(/^opsgraph_subscriptions_active\{[^}]*\} (\d+)$/m.exec(metrics)?.[1]);
}

/**
 * Posts once the subscription ended, and gives what the subscription delivered in the meantime
 * (a second is plenty for a delivery on loopback).
 */
async function afterTheEnd(subscription: Collected, channelId: string) {
  await post(url, admin, channelId, unique('after the end: this credential must not read it '));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return subscription.results;
}

describe.each(TRANSPORTS)('a subscription straight at a subgraph over %s', (transport) => {
  it('ends with UNAUTHENTICATED when its session logs out', async () => {
    const member = await addUser(url, admin, 'DEVELOPER');
    const { channelId, subscription } = await subscribe(transport, {
      authorization: `Bearer ${member.accessToken}`,
    });
    const before = await logOutAfterOneMessage(member, channelId, subscription);
    expect(await afterTheEnd(subscription, channelId)).toEqual([
      delivered(before),
      endedWith('This session has ended; sign in again.', before),
    ]);
    expect(subscription.completed).toBe(true);
    expect(subscription.error).toBeUndefined();
    await until(async () => (await servedBySubgraph()) === 0);
  });

  it('ends with UNAUTHENTICATED when its API key is revoked', async () => {
    const key = await createApiKeyWithId(url, admin, 'VIEWER');
    const { channelId, subscription } = await subscribe(transport, { 'x-api-key': key.secret });
    const before = await post(url, admin, channelId, unique('before the revocation '));
    await subscription.waitFor(1);

    const revoked = await graphql(url, RevokeApiKeyDocument, { id: key.id }, admin.headers);
    expect(revoked.data).toEqual({ revokeApiKey: { id: key.id } });
    await subscription.ended(3000);
    expect(await afterTheEnd(subscription, channelId)).toEqual([
      delivered(before),
      endedWith('This API key has been revoked.', before),
    ]);
    expect(subscription.completed).toBe(true);
    await until(async () => (await servedBySubgraph()) === 0);
  });

  it('ends with UNAUTHENTICATED when its access token expires', async () => {
    // A token as the users subgraph issues them, for a session of its own, valid 3 seconds.
    const signer = await createTokenSigner(stack.shared.signingKey);
    const { token, expiresAt } = await signer.sign(
      {
        kind: 'user',
        userId: admin.user.id,
        organizationId: admin.user.organization.id,
        role: 'ADMIN',
        sessionId: randomUUID(),
      },
      3,
    );
    const { channelId, subscription } = await subscribe(transport, {
      authorization: `Bearer ${token}`,
    });
    const before = await post(url, admin, channelId, unique('before the expiry '));
    await subscription.waitFor(1);

    await subscription.ended(6000);
    // Not before the token's last second is over, nor long after.
    const endedAt = Date.now();
    expect(endedAt).toBeGreaterThanOrEqual(expiresAt.getTime());
    expect(endedAt).toBeLessThan(expiresAt.getTime() + 2000);
    expect(await afterTheEnd(subscription, channelId)).toEqual([
      delivered(before),
      endedWith('Access token expired; reconnect with a fresh one.', before),
    ]);
    expect(subscription.completed).toBe(true);
    await until(async () => (await servedBySubgraph()) === 0);
  });
});

describe('a gateway that does not hear revocations itself (no Redis)', () => {
  let deaf: Running<Gateway>;
  beforeAll(async () => {
    deaf = await startGateway({
      ...stack.gatewayConfig,
      redisUrl: null,
      apiKeyIntrospectionUrl: null,
    });
  });
  afterAll(async () => {
    await deaf?.stop();
  });

  it("passes the subgraph's end on to its client once, and does not subscribe again", async () => {
    const member = await addUser(url, admin, 'DEVELOPER');
    const { channelId, subscription } = await subscribe(
      'graphql-ws',
      { authorization: `Bearer ${member.accessToken}` },
      deaf.url,
    );
    const before = await logOutAfterOneMessage(member, channelId, subscription);
    expect(await afterTheEnd(subscription, channelId)).toEqual([
      delivered(before),
      passedOn(endedWith('This session has ended; sign in again.', before)),
    ]);
    expect(subscription.completed).toBe(true);
    // The refusal is final: no upstream subscription is opened again, now or after a while.
    const stats = deaf.service.subscriptionStats();
    expect([stats.topics, stats.upstreamSubscriptions]).toEqual([0, 0]);
    expect(await servedBySubgraph()).toBe(0);
  });

  it("ends a revoked API key's subscription through a gateway that does not verify keys", async () => {
    const key = await createApiKeyWithId(url, admin, 'VIEWER');
    const { channelId, subscription } = await subscribe(
      'graphql-ws',
      { 'x-api-key': key.secret },
      deaf.url,
    );
    const before = await post(url, admin, channelId, unique('before revocation '));
    await subscription.waitFor(1);
    await graphql(url, RevokeApiKeyDocument, { id: key.id }, admin.headers);
    await subscription.ended(3000);
    expect(await afterTheEnd(subscription, channelId)).toEqual([
      delivered(before),
      passedOn(endedWith('This API key has been revoked.', before)),
    ]);
  });
});
