/** Seed builders and operations for the chat tests, through the gateway as clients use it. */
import { Redis } from 'ioredis';
import {
  ChannelMessagesDocument,
  CreateChannelDocument,
  JoinChannelDocument,
  PostMessageDocument,
  type ChannelFieldsFragment,
  type CreateChannelInput,
  type MessageFieldsFragment,
  type PostMessageInput,
} from '../__generated__/graphql';
import { graphql, type GraphQLResponse } from './graphql';
import type { SignedIn } from './seed';
import { unique } from './seed';

/** A channel as createChannel and channel select it. */
export type ChannelData = ChannelFieldsFragment;

/** A message as postMessage, editMessage and deleteMessage select it. */
export type MessageData = MessageFieldsFragment;

function dataOf<TData, K extends keyof TData & string>(
  response: GraphQLResponse<TData>,
  field: K,
): NonNullable<TData[K]> {
  const value = response.data?.[field];
  if (value === undefined || value === null || response.errors) {
    throw new Error(`${field} failed: ${JSON.stringify(response.errors)}`);
  }
  return value;
}
export async function createChannel(
  url: string,
  who: SignedIn,
  input: Partial<CreateChannelInput> = {},
): Promise<ChannelData> {
  const response = await graphql(
    url,
    CreateChannelDocument,
    { input: { name: unique('chan-'), ...input } },
    who.headers,
  );
  return dataOf(response, 'createChannel');
}

export const postMessage = (url: string, who: SignedIn, input: PostMessageInput) =>
  graphql(url, PostMessageDocument, { input }, who.headers);

export async function post(
  url: string,
  who: SignedIn,
  channelId: string,
  body: string,
): Promise<MessageData> {
  return dataOf(await postMessage(url, who, { channelId, body }), 'postMessage');
}

export async function join(url: string, who: SignedIn, id: string): Promise<void> {
  dataOf(await graphql(url, JoinChannelDocument, { id }, who.headers), 'joinChannel');
}

/** Pages through a channel until the end, returning every page's message ids and cursors. */
export async function pageAll(
  url: string,
  who: SignedIn,
  channelId: string,
  direction: 'forward' | 'backward',
  size: number,
  from: string | null = null,
): Promise<{ ids: string[]; lastCursor: string | null; pages: number }> {
  const ids: string[] = [];
  let cursor = from;
  let pages = 0;
  for (;;) {
    const variables =
      direction === 'forward'
        ? { id: channelId, first: size, after: cursor }
        : { id: channelId, last: size, before: cursor };
    const response = await graphql(url, ChannelMessagesDocument, variables, who.headers);
    if (!response.data?.channel) throw new Error(JSON.stringify(response.errors));
    const { edges, pageInfo } = response.data.channel.messages;
    pages += 1;
    const pageIds = edges.map((edge) => edge.node.id);
    if (direction === 'forward') {
      ids.push(...pageIds);
      if (edges.length > 0) cursor = pageInfo.endCursor ?? null;
      if (!pageInfo.hasNextPage) return { ids, lastCursor: cursor, pages };
    } else {
      ids.unshift(...pageIds);
      if (edges.length > 0) cursor = pageInfo.startCursor ?? null;
      if (!pageInfo.hasPreviousPage) return { ids, lastCursor: cursor, pages };
    }
  }
}

export interface PublishedEvent {
  topic: string;
  payload: Record<string, unknown>;
}

/** Listens to the messages subgraph's topics on Redis, as any other service could. */
export async function listenToMessageEvents(redisUrl: string, redisPrefix: string) {
  const subscriber = new Redis(redisUrl);
  const events: PublishedEvent[] = [];
  subscriber.on('message', (channel: string, message: string) =>
    events.push({
      topic: channel.slice(redisPrefix.length),
      payload: JSON.parse(message) as Record<string, unknown>,
    }),
  );
  await subscriber.subscribe(`${redisPrefix}MESSAGE_ADDED`, `${redisPrefix}MESSAGE_CHANGED`);
  return {
    events,
    of: (messageId: string) => events.filter((event) => event.payload.id === messageId),
    close: () => subscriber.quit().then(() => undefined),
  };
}

export const waitFor = async (check: () => boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
