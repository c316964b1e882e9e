/**
 * Live chat: `messageAdded` (resumable from a cursor) and `messageChanged`. Both are authorized
 * like `channel(id)` when they start, and again for every event, because a subscription outlives
 * membership: whoever leaves, or is removed from, a private channel stops receiving it (the
 * stream ends with FORBIDDEN). Only events of the subscribed channel pass, so nothing of another
 * organization is ever delivered.
 */
import { forbidden } from '../../kit/errors';
import { resumableStream } from '../../kit/resumable';
import { createMessagesContext, type MessagesContext } from '../context';
import type { Channel } from '../entities/channel';
import { Message } from '../entities/message';
import type { MessageAddedEvent, MessageChangedEvent } from '../pubsub';
import { getChannel } from './channels-service';
import { decodeMessageCursor, messageCursor } from './messages-service';

/**
 * A subscription's context lives as long as the subscription. Each event gets a fresh
 * EntityManager and fresh loaders, so checks and fields never read a stale identity map or
 * DataLoader cache, and nothing accumulates over a long stream.
 */
function renewRequestState(ctx: MessagesContext): void {
  Object.assign(ctx, createMessagesContext(ctx.deps, ctx));
}

/** Re-checks, with fresh data, that the caller may still see the channel. */
async function assertStillVisible(ctx: MessagesContext, channel: Channel): Promise<void> {
  renewRequestState(ctx);
  // Public channels stay visible to the whole organization; private ones to their members.
  if (channel.kind === 'PRIVATE' && !(await ctx.loaders.viewerIsMember.load(channel.id))) {
    throw forbidden('You are no longer a member of this channel.');
  }
}

/** The message an event describes, as the Message field resolvers expect it. */
function messageOf(event: MessageAddedEvent | MessageChangedEvent): Message {
  const message = new Message(
    event.channelId,
    event.sequence,
    event.authorId,
    event.body ?? '',
    null,
  );
  return Object.assign(message, {
    id: event.id,
    createdAt: new Date(event.createdAt),
    editedAt: 'editedAt' in event && event.editedAt ? new Date(event.editedAt) : null,
    deletedAt: 'deletedAt' in event && event.deletedAt ? new Date(event.deletedAt) : null,
  });
}

export async function messageAdded(
  ctx: MessagesContext,
  args: { channelId: string; after?: string | null },
): Promise<AsyncIterable<Message>> {
  const channel = await getChannel(ctx, args.channelId);
  // A bad cursor is the client's mistake: refuse it now rather than once the stream runs.
  if (args.after) decodeMessageCursor(args.after, 'after');
  return resumableStream<Message>({
    stream: ctx.stream,
    after: args.after,
    decode: (cursor) => decodeMessageCursor(cursor, 'after'),
    listen: (push) => listen(ctx, channel, push),
    head: () => head(ctx, channel),
    replay: (after, limit) => storedAfter(ctx, channel, after, limit),
    position: (message) => message.sequence,
    cursor: messageCursor,
    authorize: () => assertStillVisible(ctx, channel),
  });
}

/** Stored messages after a sequence number, oldest first, read with a fresh EntityManager. */
function storedAfter(
  ctx: MessagesContext,
  channel: Channel,
  after: number,
  limit: number,
): Promise<Message[]> {
  // Fresh per call: a long replay must not pile up in one identity map.
  return ctx.deps
    .fork()
    .find(
      Message,
      { channelId: channel.id, sequence: { $gt: after } },
      { orderBy: { sequence: 'asc' }, limit },
    );
}

/** Listens for the channel's new messages as the pub/sub announces them. */
async function listen(ctx: MessagesContext, channel: Channel, push: (message: Message) => void) {
  const { pubsub } = ctx.deps;
  const id = await pubsub.engine.subscribe<MessageAddedEvent>(
    pubsub.channel('MESSAGE_ADDED'),
    (event) => {
      if (event.channelId === channel.id) push(messageOf(event));
    },
  );
  return async () => pubsub.engine.unsubscribe(id);
}

/** The channel's latest sequence number, where a stream without cursor starts. */
async function head(ctx: MessagesContext, channel: Channel): Promise<number> {
  const [row] = await ctx.deps
    .fork()
    .getConnection()
    .execute<{ last_sequence: number }[]>(
      'select last_sequence from "messages"."channels" where id = ?',
      [channel.id],
    );
  return row?.last_sequence ?? 0;
}

export async function messageChanged(
  ctx: MessagesContext,
  channelId: string,
): Promise<AsyncIterableIterator<Message>> {
  const channel = await getChannel(ctx, channelId);
  const events: AsyncIterableIterator<MessageChangedEvent> =
    ctx.deps.pubsub.engine.asyncIterableIterator(ctx.deps.pubsub.channel('MESSAGE_CHANGED'));
  return authorizedEvents(events, async (event) => {
    if (event.channelId !== channel.id) return null;
    await assertStillVisible(ctx, channel);
    return messageOf(event);
  });
}

/**
 * Maps live events to items, skipping those `accept` maps to null; an error from `accept` ends
 * the stream with that error. Unsubscribing stops listening at once, even between events (an
 * async generator would only notice at its next event).
 */
function authorizedEvents<E, T>(
  events: AsyncIterableIterator<E>,
  accept: (event: E) => Promise<T | null>,
): AsyncIterableIterator<T> {
  const stream: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const event = await events.next();
        if (event.done) return { value: undefined, done: true };
        let item: T | null;
        try {
          item = await accept(event.value);
        } catch (error) {
          await events.return?.();
          throw error;
        }
        if (item !== null) return { value: item, done: false };
      }
    },
    async return() {
      await events.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}
