/**
 * Sharing one upstream subscription never costs a subscriber anything: a subscription that joins
 * an identical one (same token, same `after`) gets the whole replay and then the live tail, with
 * no gap and no duplicate — from the shared topic's memory while it has one, from a private
 * upstream once that memory overflowed or aged. A live-only joiner gets what happens from then on.
 */
import { MessageAddedDocument } from './__generated__/graphql';
import type { Gateway } from '../gateway/server';
import { createChannel, pageAll, post } from './support/messages';
import { signUp, type SignedIn } from './support/seed';
import { startGateway, startStack, type Running, type Stack } from './support/stack';

import {
  clientsFor,
  collect,
  deliveredMessages,
  eventually,
  type Collected,
} from './support/subscriptions';

let stack: Stack;
let admin: SignedIn;
const clients = clientsFor(() => ({ authorization: `Bearer ${admin.accessToken}` }));
const client = (url: string) => clients.open(url);
afterEach(() => clients.disposeAll());

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'messages'],
    config: { messages: { floodMaxRepeats: 1000 } },
  });
  admin = await signUp(stack.gatewayUrl);
});
afterAll(() => stack?.stop());

const messages = (subscription: Collected) => deliveredMessages(subscription, admin.user.username);

async function postMany(url: string, channelId: string, count: number, label: string) {
  for (let i = 0; i < count; i++) await post(url, admin, channelId, `${label} ${i}`);
}

async function sharedCursorCase(
  gateway: Running<Gateway>,
  replayed: number,
  joinAfterMs = 0,
  label = 'before',
) {
  const url = gateway.url;
  const channel = await createChannel(url, admin);
  const start = await post(url, admin, channel.id, 'start');
  await postMany(url, channel.id, replayed, label);
  const variables = { channelId: channel.id, after: start.cursor };

  const a = collect(client(url), MessageAddedDocument, variables);
  await a.waitFor(replayed);
  await new Promise((resolve) => setTimeout(resolve, joinAfterMs));
  const b = collect(client(url), MessageAddedDocument, variables);
  await b.waitFor(replayed);
  await postMany(url, channel.id, 5, 'after');

  const all = (await pageAll(url, admin, channel.id, 'forward', 100, start.cursor)).ids;
  expect(all).toHaveLength(replayed + 5);
  await a.waitFor(all.length);
  await b.waitFor(all.length);
  await new Promise((resolve) => setTimeout(resolve, 200)); // a duplicate would show by now
  expect(messages(a)).toEqual(all);
  expect(messages(b)).toEqual(all);
}

it('a joiner with the same token and cursor gets the whole replay, then the live tail', async () => {
  const gateway = stack.gateways[0]!;
  await sharedCursorCase(gateway, 20);
  // Still one upstream subscription for both.
  expect(gateway.service.subscriptionStats()).toMatchObject({ topics: 1, subscribers: 2 });
});

it('a joiner replays from the subgraph once the shared topic can no longer remember it all', async () => {
  // A buffer of 20 events: a topic remembers at most 10 for joiners.
  const gateway = await startGateway({ ...stack.gatewayConfig, subscriptionBufferLimit: 20 });
  try {
    await sharedCursorCase(gateway, 15);
    expect(gateway.service.subscriptionStats()).toMatchObject({ topics: 2, subscribers: 2 });
    await clients.disposeAll();
  } finally {
    await gateway.stop();
  }
});

it('a joiner replays from the subgraph once the shared topic is older than its history', async () => {
  const gateway = await startGateway({ ...stack.gatewayConfig, subscriptionHistorySeconds: 1 });
  try {
    await sharedCursorCase(gateway, 5, 1_500);
    expect(gateway.service.subscriptionStats()).toMatchObject({ topics: 2, subscribers: 2 });
    await clients.disposeAll();
  } finally {
    await gateway.stop();
  }
});

it('a joiner is not handed more history at once than a reader may leave unread', async () => {
  // 490 messages of 3,980 CJK characters: 12 KB each as sent, 5.9 MB in all, over the 4,000,000
  // unsent bytes that make a reader a slow one; counted in UTF-16 units they were 2 MB.
  const gateway = stack.gateways[0]!;
  await sharedCursorCase(gateway, 490, 0, '漢'.repeat(3980));
  // The topic stopped remembering before then: the joiner replays on its own, whole.
  expect(gateway.service.subscriptionStats()).toMatchObject({ topics: 2, subscribers: 2 });
});

it('a live-only joiner gets only what happens after it joined', async () => {
  const url = stack.gatewayUrl;
  const channel = await createChannel(url, admin);
  const variables = { channelId: channel.id, after: null };
  const a = collect(client(url), MessageAddedDocument, variables);
  await eventually(() => stack.gateways[0]!.service.subscriptionStats().subscribers === 1);
  // The subgraph starts a live stream at its head once subscribed: wait for that.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await postMany(url, channel.id, 3, 'early');
  await a.waitFor(3);
  const b = collect(client(url), MessageAddedDocument, variables);
  await eventually(() => stack.gateways[0]!.service.subscriptionStats().subscribers === 2);
  await postMany(url, channel.id, 2, 'late');
  await a.waitFor(5);
  await b.waitFor(2);
  const all = (await pageAll(url, admin, channel.id, 'forward', 100)).ids;
  expect(messages(a)).toEqual(all);
  expect(messages(b)).toEqual(all.slice(3));
});
