/**
 * A backlog longer than a subscriber's buffer (SUBSCRIPTION_BUFFER_LIMIT) is resumed whole: a
 * log view back after a deploy of thousands of lines, a chat back to a busy channel. The
 * gateway reads its upstream at most a buffer ahead of what it delivered and takes it up again
 * from the last event it holds, so neither a replay nor events waiting behind one being retried
 * end the stream.
 */
import { MessageAddedDocument } from './__generated__/graphql';
import { graphql } from './support/graphql';
import { sseSubscribe } from './support/http-subscriptions';
import { createChannel, pageAll, post } from './support/messages';
import { signUp, type SignedIn } from './support/seed';
import { startGateway, startStack, type Running, type Stack } from './support/stack';
import type { Gateway } from '../gateway/server';
import { clientsFor, collect, deliveredMessages, type Collected } from './support/subscriptions';

/** A subscriber's buffer of 20 events: a backlog of 150 is seven and a half of them. */
const BUFFER_LIMIT = 20;
const BACKLOG = 150;

let stack: Stack;
let admin: SignedIn;
let gateway: Running<Gateway>;
const clients = clientsFor(() => ({ authorization: `Bearer ${admin.accessToken}` }));
const sseSubscriptions: Collected[] = [];

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'messages'],
    config: { messages: { floodMaxRepeats: 10_000 } },
  });
  admin = await signUp(stack.gatewayUrl);
  gateway = await startGateway({ ...stack.gatewayConfig, subscriptionBufferLimit: BUFFER_LIMIT });
});
afterEach(async () => {
  for (const subscription of sseSubscriptions.splice(0)) subscription.unsubscribe();
  await clients.disposeAll();
});
afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

/** Posts without selecting anything of the users subgraph, so it works while that one is down. */
async function postBare(channelId: string, body: string): Promise<void> {
  const response = await graphql(
    stack.gatewayUrl,
    'mutation ($input: PostMessageInput!) { postMessage(input: $input) { id } }',
    { input: { channelId, body } },
    admin.headers,
  );
  if (!response.data?.postMessage) throw new Error(JSON.stringify(response.errors));
}

async function channelWithBacklog() {
  const channel = await createChannel(stack.gatewayUrl, admin);
  const start = await post(stack.gatewayUrl, admin, channel.id, 'start');
  for (let i = 0; i < BACKLOG; i += 25)
    await Promise.all(Array.from({ length: 25 }, (_, k) => postBare(channel.id, `m ${i + k}`)));
  return { channelId: channel.id, after: start.cursor };
}

const stored = (channelId: string, after: string) =>
  pageAll(stack.gatewayUrl, admin, channelId, 'forward', 100, after).then(({ ids }) => ids);

type Resume = { channelId: string; after: string };

const transports = {
  'graphql-ws': (variables: Resume) =>
    collect(clients.open(gateway.url), MessageAddedDocument, variables),
  sse: (variables: Resume) => {
    const subscription = sseSubscribe(
      gateway.url,
      admin.headers,
      // The same document as graphql-ws's, as text.
      `subscription ($channelId: ID!, $after: String) {
        messageAdded(channelId: $channelId, after: $after) {
          id cursor body author { username displayName }
        }
      }`,
      variables,
    );
    sseSubscriptions.push(subscription);
    return subscription;
  },
};

for (const [transport, subscribe] of Object.entries(transports)) {
  it(`resumes a backlog of ${BACKLOG} events with a buffer of ${BUFFER_LIMIT}, whole and in order, then goes on live (${transport})`, async () => {
    const variables = await channelWithBacklog();
    const subscription = subscribe(variables);
    await subscription.waitFor(BACKLOG, 30_000);
    await postBare(variables.channelId, 'live');
    await subscription.waitFor(BACKLOG + 1);
    expect(deliveredMessages(subscription, admin.user.username)).toEqual(
      await stored(variables.channelId, variables.after),
    );
    expect(subscription.completed).toBe(false);
  });
}

it('more events than a buffer wait behind one being retried, and all arrive once its subgraph is back', async () => {
  const variables = await channelWithBacklog();
  const subscription = transports['graphql-ws'](variables);
  await subscription.waitFor(BACKLOG, 30_000);

  await stack.stopSubgraph('users');
  const waiting = 3 * BUFFER_LIMIT;
  for (let i = 0; i < waiting; i++) await postBare(variables.channelId, `while down ${i}`);
  expect(subscription.results).toHaveLength(BACKLOG);
  await stack.restartSubgraph('users');

  await subscription.waitFor(BACKLOG + waiting, 30_000);
  expect(deliveredMessages(subscription, admin.user.username)).toEqual(
    await stored(variables.channelId, variables.after),
  );
  expect(subscription.completed).toBe(false);
});
