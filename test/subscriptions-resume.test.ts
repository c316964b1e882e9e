/**
 * Resumable streams never silently miss a message: a subscriber that drops in the middle of a
 * burst and reconnects with its last cursor receives exactly the missing messages, in order —
 * also across a gateway restart; and a subscriber that stays connected while the messages
 * subgraph restarts misses nothing and receives nothing twice (the gateway re-subscribes from
 * the stream's last position, or where it started, before its first event).
 */
import { MessageAddedIdsDocument } from './__generated__/graphql';
import { startGateway, type Stack } from './support/stack';
import { createChannel, pageAll, post, postMessage } from './support/messages';
import { signUp, type SignedIn } from './support/seed';
import { startStack } from './support/stack';
import { topicListeners, until } from './support/subscription-streams';

import { collect, eventually, wsClient, type Collected } from './support/subscriptions';

let stack: Stack;
let admin: SignedIn;

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'messages'],
    // A burst of 500 from one author is not flooding here.
    config: { messages: { floodMaxRepeats: 1000 } },
  });
  admin = await signUp(stack.gatewayUrl);
});
afterAll(() => stack?.stop());

const BURST = 500;

/**
 * Posts `count` messages, a few at a time, calling `onPosted` after each. A post that fails (the
 * subgraph is restarting) is retried with the same clientMessageId, so it is stored once.
 */
async function burst(
  url: string,
  channelId: string,
  count: number,
  onPosted: (posted: number) => Promise<void> | void = () => undefined,
): Promise<void> {
  let next = 0;
  let posted = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const input = { channelId, body: `message ${n}`, clientMessageId: `${channelId}:${n}` };
      while (!(await postMessage(url, admin, input).catch(() => null))?.data?.postMessage) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      posted += 1;
      await onPosted(posted);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

const ids = (subscription: Collected) =>
  subscription.results.map((result) => {
    expect(result.errors).toBeUndefined();
    return result.data!.messageAdded.id as string;
  });

const lastCursor = (subscription: Collected) =>
  subscription.results.at(-1)!.data!.messageAdded.cursor as string;

/** A channel with one message, whose cursor a subscriber starts from (so nothing races it). */
async function channelWithStart(url: string) {
  const channel = await createChannel(url, admin);
  const start = await post(url, admin, channel.id, 'start');
  return { channel, start };
}

const params = () => ({ authorization: `Bearer ${admin.accessToken}` });

it('a subscriber that drops mid-burst and reconnects with its last cursor gets exactly the missing messages, in order', async () => {
  const url = stack.gatewayUrl;
  const { channel, start } = await channelWithStart(url);
  const first = wsClient(url, params());
  const before = collect(first, MessageAddedIdsDocument, {
    channelId: channel.id,
    after: start.cursor,
  });
  let dropped = false;
  await burst(url, channel.id, BURST, async () => {
    if (!dropped && before.results.length >= 100) {
      dropped = true;
      await first.dispose();
    }
  });
  expect(dropped).toBe(true);
  const seen = ids(before);
  const second = wsClient(url, params());
  const after = collect(second, MessageAddedIdsDocument, {
    channelId: channel.id,
    after: lastCursor(before),
  });
  const all = (await pageAll(url, admin, channel.id, 'forward', 500, start.cursor)).ids;
  expect(all).toHaveLength(BURST);
  await after.waitFor(BURST - seen.length);
  expect([...seen, ...ids(after)]).toEqual(all);
  await second.dispose();
});

it('resumes from the cursor across a gateway restart', async () => {
  const { channel, start } = await channelWithStart(stack.gatewayUrl);
  const first = wsClient(stack.gatewayUrl, params());
  const before = collect(first, MessageAddedIdsDocument, {
    channelId: channel.id,
    after: start.cursor,
  });
  // The burst goes through a second gateway, which stays up.
  const other = await startGateway(stack.gatewayConfig);
  let restarted: Promise<void> | null = null;
  await burst(other.url, channel.id, BURST, () => {
    if (!restarted && before.results.length >= 100) {
      restarted = stack.gateways[0]!.stop();
    }
  });
  await restarted;
  await eventually(() => before.completed || before.error !== undefined);
  const replacement = await startGateway(stack.gatewayConfig);
  stack.gateways.splice(0, 1, replacement);
  const seen = ids(before);
  const second = wsClient(replacement.url, params());
  const after = collect(second, MessageAddedIdsDocument, {
    channelId: channel.id,
    after: lastCursor(before),
  });
  const all = (await pageAll(other.url, admin, channel.id, 'forward', 500, start.cursor)).ids;
  await after.waitFor(BURST - seen.length);
  expect([...seen, ...ids(after)]).toEqual(all);
  await Promise.all([first.dispose(), second.dispose()]);
  await other.stop();
});

it('misses nothing and duplicates nothing while the messages subgraph restarts under a connected client', async () => {
  // The first gateway was replaced by the previous test.
  const url = stack.gateways[0]!.url;
  const { channel, start } = await channelWithStart(url);
  const client = wsClient(url, params());
  const live = collect(client, MessageAddedIdsDocument, {
    channelId: channel.id,
    after: start.cursor,
  });
  let restart: Promise<void> | null = null;
  // Posting goes on during the restart: a post that fails is retried (idempotently).
  await burst(url, channel.id, BURST, (posted) => {
    if (!restart && posted === 150) {
      restart = stack.stopSubgraph('messages').then(() => stack.restartSubgraph('messages'));
    }
  });
  await restart;
  const all = (await pageAll(url, admin, channel.id, 'forward', 500, start.cursor)).ids;
  expect(all).toHaveLength(BURST);
  await live.waitFor(BURST, 15_000);
  expect(ids(live)).toEqual(all);
  expect(live.completed).toBe(false);
  await client.dispose();
});

it('misses nothing stored while the messages subgraph restarts under a subscriber without a cursor that has received nothing yet', async () => {
  const url = stack.gateways[0]!.url;
  const channel = await createChannel(url, admin);
  const listeners = topicListeners(stack);
  const client = wsClient(url, params());
  const live = collect(client, MessageAddedIdsDocument, { channelId: channel.id });
  try {
    await until(async () => (await listeners.count('MESSAGE_ADDED')) >= 1);
    // The subgraph tells the gateway where the stream starts right after it listens.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.stopSubgraph('messages');
    await stack.restartSubgraph('messages');
    // Stored while the gateway has yet to subscribe again: it must resume from the start.
    const inTheGap = await post(url, admin, channel.id, 'in the gap');
    await until(async () => (await listeners.count('MESSAGE_ADDED')) >= 1, 20_000);
    const after = await post(url, admin, channel.id, 'after the reconnection');
    await live.waitFor(2, 15_000);
    expect(ids(live)).toEqual([inTheGap.id, after.id]);
  } finally {
    await client.dispose();
    await listeners.close();
  }
});
