/**
 * Live chat: `messageAdded` (resumable from a cursor) and `messageChanged`. Both are authorized
 * like `channel(id)` when they start, and again for every event (a replay: for every page of
 * stored messages, kit/resumable.ts), because a subscription outlives membership: whoever leaves,
 * or is removed from, a private channel stops receiving it (the stream ends with FORBIDDEN). Only
 * events of the subscribed channel pass, so nothing of another organization is ever delivered.
 */
import { changesHead, subscribeToChanges } from '../../kit/change-subscription';
import { forbidden } from '../../../platform/errors';
import { findRows, primaryReads } from '../../kit/reads';
import { resumableStream, withStreamCursor } from '../../kit/resumable';
import { createMessagesContext, type MessagesContext } from '../context';
import type { Channel } from '../entities/channel';
import { Message } from '../entities/message';
import type { MessageAddedEvent, MessageChangedEvent } from '../pubsub';
import { getChannel } from './channels-service';
import { decodeMessageCursor, messageCursor } from './messages-service';

/**
 * A subscription's context lives as long as the subscription. Each check (each live event, each
 * replayed page) gets a fresh EntityManager and fresh loaders, so checks and fields never read a
 * stale identity map or DataLoader cache, and nothing accumulates over a long stream.
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

/**
 * The check of every item, and of the moment the caller leaves a private channel (MEMBER_LEFT):
 * their stream ends then, not at the channel's next message — until which a subscription
 * sharing its upstream at the gateway would be served what it holds.
 */
function accessTo(ctx: MessagesContext, channel: Channel) {
  const check = () => assertStillVisible(ctx, channel);
  if (channel.kind !== 'PRIVATE' || ctx.principal?.kind !== 'user') return { authorize: check };
  const { userId } = ctx.principal;
  const on = (signal: () => void) => {
    const listening = ctx.deps.pubsub
      .listen(
        'MEMBER_LEFT',
        (event) => (event.channelId === channel.id && event.userId === userId ? event : null),
        signal,
      )
      .catch(() => null); // Redis away: the channel's next message checks access anyway
    return () => void listening.then((stop) => stop?.());
  };
  return { authorize: check, accessRecheck: { on, check } };
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
  if (args.after != null) decodeMessageCursor(args.after, 'after', channel.id);
  return resumableStream<Message>({
    stream: ctx.stream,
    after: args.after,
    decode: (cursor) => decodeMessageCursor(cursor, 'after', channel.id),
    encode: (sequence) => messageCursor({ sequence, channelId: channel.id }),
    listen: (push) =>
      ctx.deps.pubsub.listen(
        'MESSAGE_ADDED',
        (event) => (event.channelId === channel.id ? messageOf(event) : null),
        push,
      ),
    head: () => head(ctx, channel),
    checkHead: () => ctx.deps.pubsub.sharedHead(channel.id, () => head(ctx, channel)),
    replay: (after, limit) => storedAfter(ctx, channel, after, limit),
    position: (message) => message.sequence,
    cursor: messageCursor,
    ...accessTo(ctx, channel),
    pollIntervalMs: ctx.deps.pubsub.pollIntervalMs,
    wake: (signal) => ctx.deps.pubsub.onRecovered(signal),
  });
}

/**
 * Stored messages after a sequence number, oldest first, as plain rows (kit/reads.ts): a replay
 * only sends what it reads, and hydrating entities (identity map, change-tracking snapshots) was
 * 15 % of the subgraph's CPU in a reconnect storm (docs/benchmarks.md). On the primary (no replica in the mode),
 * which has every item up to the head; a fresh EntityManager per page.
 */
function storedAfter(
  ctx: MessagesContext,
  channel: Channel,
  after: number,
  limit: number,
): Promise<Message[]> {
  return findRows(
    primaryReads(ctx.deps.fork),
    Message,
    { channelId: channel.id, sequence: { $gt: after } },
    { orderBy: { sequence: 'asc' }, limit },
  );
}

/** The channel's latest sequence number, where a stream without cursor starts. */
async function head(ctx: MessagesContext, channel: Channel): Promise<number> {
  const [row] = await ctx.deps
    .fork()
    .execute<{ last_sequence: number }[]>(
      'select last_sequence from "messages"."channels" where id = ?',
      [channel.id],
    );
  return row?.last_sequence ?? 0;
}

/**
 * Edits and deletions in the channel, resumable from a change's cursor (stored change records,
 * kit/change-log). Each item is the message as that change left it, or the tombstone when it
 * was deleted since (a deletion erases the text of its earlier changes).
 */
export async function messageChanged(
  ctx: MessagesContext,
  args: { channelId: string; after?: string | null },
): Promise<AsyncIterable<MessageChangedEvent>> {
  const channel = await getChannel(ctx, args.channelId);
  return subscribeToChanges(ctx, {
    topic: 'MESSAGE_CHANGED',
    schema: 'messages',
    scope: channel.id,
    match: { channelId: channel.id },
    after: args.after,
    ...accessTo(ctx, channel),
  });
}

/** `messageChanged`'s current head in the channel: `after` for a subscription that starts there. */
export async function messageChangedHead(
  ctx: MessagesContext,
  args: { channelId: string },
): Promise<string> {
  const channel = await getChannel(ctx, args.channelId);
  return changesHead(ctx, { topic: 'MESSAGE_CHANGED', schema: 'messages', scope: channel.id });
}

/** The message as a MESSAGE_CHANGED event left it, with the change's cursor to resume from. */
export const changedMessage = (event: MessageChangedEvent) =>
  withStreamCursor(messageOf(event), event.changeCursor);
