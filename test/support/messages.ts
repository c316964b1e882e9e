/** Seed builders and operations for the chat tests, through the gateway as clients use it. */
import { Redis } from 'ioredis';
import { graphql, type GraphQLResponse } from './graphql';
import type { SignedIn } from './seed';
import { unique } from './seed';

export const CHANNEL_FIELDS = `id name topic kind memberCount viewerIsMember createdAt
  createdBy { id username displayName }`;
export const MESSAGE_FIELDS = `id cursor body createdAt editedAt deleted
  author { id username displayName } channel { id }`;

export const CREATE_CHANNEL = `mutation ($input: CreateChannelInput!) {
  createChannel(input: $input) { ${CHANNEL_FIELDS} }
}`;
export const CHANNEL = `query ($id: ID!) { channel(id: $id) { ${CHANNEL_FIELDS} } }`;
export const CHANNELS = `query ($first: Int, $after: String) {
  channels(first: $first, after: $after) {
    edges { cursor node { id name kind } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;
export const JOIN = `mutation ($id: ID!) { joinChannel(id: $id) { id memberCount viewerIsMember } }`;
export const LEAVE = `mutation ($id: ID!) { leaveChannel(id: $id) }`;
export const ADD_MEMBER = `mutation ($channelId: ID!, $userId: ID!) {
  addChannelMember(channelId: $channelId, userId: $userId) { id memberCount }
}`;
export const POST = `mutation ($input: PostMessageInput!) { postMessage(input: $input) { ${MESSAGE_FIELDS} } }`;
export const EDIT = `mutation ($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { ${MESSAGE_FIELDS} } }`;
export const DELETE = `mutation ($id: ID!) { deleteMessage(id: $id) { ${MESSAGE_FIELDS} } }`;
export const MESSAGES = `query ($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  channel(id: $id) {
    messages(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { id body } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}`;

export interface ChannelData {
  id: string;
  name: string;
  kind: string;
  memberCount: number;
  viewerIsMember: boolean;
}

export interface MessageData {
  id: string;
  cursor: string;
  body: string | null;
  deleted: boolean;
  createdAt: string;
  editedAt: string | null;
}

function expectData<T>(response: GraphQLResponse<Record<string, T>>, field: string): T {
  const value = response.data?.[field];
  if (!value) throw new Error(`${field} failed: ${JSON.stringify(response.errors)}`);
  return value;
}

export async function createChannel(
  url: string,
  who: SignedIn,
  input: Record<string, unknown> = {},
): Promise<ChannelData> {
  const response = await graphql<Record<string, ChannelData>>(
    url,
    CREATE_CHANNEL,
    { input: { name: unique('chan-'), ...input } },
    who.headers,
  );
  return expectData(response, 'createChannel');
}

export const postMessage = (
  url: string,
  who: SignedIn,
  input: { channelId: string; body: string; clientMessageId?: string },
) => graphql<Record<string, MessageData>>(url, POST, { input }, who.headers);

export async function post(
  url: string,
  who: SignedIn,
  channelId: string,
  body: string,
): Promise<MessageData> {
  return expectData(await postMessage(url, who, { channelId, body }), 'postMessage');
}

export async function join(url: string, who: SignedIn, id: string): Promise<void> {
  expectData(await graphql(url, JOIN, { id }, who.headers), 'joinChannel');
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
    const response = await graphql(url, MESSAGES, variables, who.headers);
    if (!response.data?.channel) throw new Error(JSON.stringify(response.errors));
    const { edges, pageInfo } = response.data.channel.messages;
    pages += 1;
    const pageIds = edges.map((edge: { node: { id: string } }) => edge.node.id);
    if (direction === 'forward') {
      ids.push(...pageIds);
      if (edges.length > 0) cursor = pageInfo.endCursor;
      if (!pageInfo.hasNextPage) return { ids, lastCursor: cursor, pages };
    } else {
      ids.unshift(...pageIds);
      if (edges.length > 0) cursor = pageInfo.startCursor;
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
