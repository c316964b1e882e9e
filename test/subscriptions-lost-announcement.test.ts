/**
 * A stored item whose announcement on Redis failed is still delivered live: the post (or edit)
 * succeeds, a retry with the same clientMessageId returns the stored message without
 * publishing again, and a connected subscriber receives it anyway, without any later message to
 * reveal the gap (the stream checks the store while idle). Redis here is the test's own, where
 * PUBLISH is refused for a while (everything else keeps working, as when only the publication
 * is lost).
 */
import { graphql } from './support/graphql';
import { EditMessageDocument } from './__generated__/graphql';
import { createChannel, post, postMessage } from './support/messages';
import { privateRedis, type PrivateRedis } from './support/private-services';
import { signUp, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';
import { collect, wsClient } from './support/subscriptions';
import { topicListeners, until } from './support/subscription-streams';

let redis: PrivateRedis;
let stack: Stack;
let admin: SignedIn;

beforeAll(async () => {
  redis = await privateRedis();
  await redis.start();
  stack = await startStack({ subgraphs: ['users', 'messages'], redisUrl: redis.url });
  admin = await signUp(stack.gatewayUrl);
});
afterAll(async () => {
  await stack?.stop();
  await redis?.stop();
});

const ADDED = `subscription ($channelId: ID!, $after: String) {
  messageAdded(channelId: $channelId, after: $after) { id body streamCursor }
}`;
const CHANGED = `subscription ($channelId: ID!, $after: String) {
  messageChanged(channelId: $channelId, after: $after) { id body streamCursor }
}`;

/** Runs `during` while this Redis refuses PUBLISH (NOPERM) to everyone. */
const withoutPublishing = (during: () => Promise<void>) => redis.refusing(['publish'], during);

it('delivers a posted message whose publication failed, and its edit, to connected subscribers', async () => {
  const url = stack.gatewayUrl;
  const channel = await createChannel(url, admin);
  const start = await post(url, admin, channel.id, 'start');
  const client = wsClient(url, { authorization: `Bearer ${admin.accessToken}` });
  const added = collect(client, ADDED, { channelId: channel.id, after: start.cursor });
  const changed = collect(client, CHANGED, { channelId: channel.id });
  const listeners = topicListeners(stack);
  await until(async () => (await listeners.count('MESSAGE_CHANGED')) === 1);
  await listeners.close();
  // Live as usual first.
  const live = await post(url, admin, channel.id, 'live');
  await added.waitFor(1);

  let lost = '';
  await withoutPublishing(async () => {
    const input = { channelId: channel.id, body: 'unannounced', clientMessageId: 'lost-1' };
    const first = await postMessage(url, admin, input);
    expect(first.errors).toBeUndefined();
    lost = first.data!.postMessage!.id;
    // The client retries (it did not trust the answer): the same message, nothing published.
    const retry = await postMessage(url, admin, input);
    expect(retry.data?.postMessage?.id).toBe(lost);
    const edit = await graphql(
      url,
      EditMessageDocument,
      { id: live.id, body: 'live, edited' },
      admin.headers,
    );
    expect(edit.errors).toBeUndefined();
  });

  // No later message arrives to reveal the gaps: the streams find them in the store.
  const addedResults = await added.waitFor(2, 20_000);
  expect(addedResults.map((r) => r.data?.messageAdded.body)).toEqual(['live', 'unannounced']);
  expect(addedResults[1]!.data?.messageAdded.id).toBe(lost);
  const changedResults = await changed.waitFor(1, 20_000);
  expect(changedResults[0]!.data?.messageChanged).toMatchObject({
    id: live.id,
    body: 'live, edited',
    streamCursor: expect.any(String),
  });

  // Publishing works again: a later message is delivered once, nothing twice.
  await post(url, admin, channel.id, 'after');
  await added.waitFor(3);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(added.results.map((r) => r.data?.messageAdded.body)).toEqual([
    'live',
    'unannounced',
    'after',
  ]);
  added.unsubscribe();
  changed.unsubscribe();
  await client.dispose();
});
