/**
 * Posting, editing and deleting messages, and paging through a channel.
 *
 * Each message gets the next number of its channel's sequence while the channel row is locked,
 * so sequence order is commit order: once a reader has seen message n, no message below n can
 * appear later. Cursors encode that number, which is why pages never skip or repeat a message
 * while others post, and why a live stream can resume from a cursor. They are scoped to their
 * channel (one scope for its pages and its messageAdded stream, which share cursors): another
 * channel's cursor is refused rather than read as a number of this one.
 */
import { randomUUID } from 'node:crypto';
import { appendChanges, changeCursor } from '../../kit/change-log';
import { badUserInput, conflict, forbidden, notFound } from '../../../platform/errors';
import { requireRole } from '../../kit/guards';
import type { EntityManager } from '../../kit/orm';
import {
  connectionOf,
  cursorScope,
  decodeCursor,
  encodeCursor,
  pageSize,
  type Connection,
} from '../../kit/pagination';
import { hasRole } from '../../../platform/principal';
import { validate } from '../../kit/validation';
import type { MessagesContext } from '../context';
import { Channel } from '../entities/channel';
import { Message } from '../entities/message';
import type { MessageChangedEvent } from '../pubsub';
import { findVisibleChannel, getChannel } from './channels-service';
import { clientMessageIdRule } from './validation';

const MAX_SEQUENCE = 2_147_483_647;

/** The scope of a channel's message cursors: Channel.messages and messageAdded. */
const channelMessages = (channelId: string) => cursorScope('messages', channelId);

export const messageCursor = (message: Pick<Message, 'sequence' | 'channelId'>) =>
  encodeCursor([message.sequence], channelMessages(message.channelId));

/** A cursor of the channel's messages (or a v1 one, which names no channel) as its sequence. */
export function decodeMessageCursor(cursor: string, argument: string, channelId: string): number {
  const [sequence] = decodeCursor(cursor, ['number'], argument, channelMessages(channelId)) as [
    number,
  ];
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > MAX_SEQUENCE) {
    throw badUserInput(`\`${argument}\` is not a valid cursor.`, argument);
  }
  return sequence;
}

/** The message if the caller may see its channel, else null. */
export async function findVisibleMessage(
  ctx: MessagesContext,
  id: string,
): Promise<Message | null> {
  if (ctx.principal?.kind !== 'user') return null;
  const message = await ctx.loaders.messageById.load(id);
  if (!message) return null;
  return (await findVisibleChannel(ctx, message.channelId)) ? message : null;
}

async function getMessage(ctx: MessagesContext, id: string): Promise<Message> {
  const message = await findVisibleMessage(ctx, id);
  if (!message) throw notFound('Message');
  return message;
}

/** A page of a channel the caller can see (the parent resolver checked it). */
export async function listMessages(
  ctx: MessagesContext,
  channel: Channel,
  args: {
    first?: number | null;
    after?: string | null;
    last?: number | null;
    before?: string | null;
  },
): Promise<Connection<Message>> {
  if (args.first != null && args.last != null) {
    throw badUserInput('Pass either `first` or `last`, not both.', 'last');
  }
  const backward = args.last != null || (args.before != null && args.first == null);
  const size = backward ? pageSize(args.last, 'last') : pageSize(args.first, 'first');
  const afterSequence =
    args.after != null ? decodeMessageCursor(args.after, 'after', channel.id) : null;
  const beforeSequence =
    args.before != null ? decodeMessageCursor(args.before, 'before', channel.id) : null;
  const rows = await ctx.loaders.messagePage.load({
    channelId: channel.id,
    afterSequence,
    beforeSequence,
    backward,
    limit: size + 1,
  });
  const more = rows.length > size;
  // Backward pages come newest first from the database; a page always reads oldest first.
  const page = backward ? rows.slice(0, size).reverse() : rows.slice(0, size);
  return connectionOf(page, messageCursor, {
    hasNextPage: backward ? beforeSequence !== null : more,
    hasPreviousPage: backward ? more : afterSequence !== null,
  });
}

/**
 * Stores a message as the channel's next one, or returns null when the author already stored
 * one with this clientMessageId (a retry that raced the original).
 */
async function insertMessage(
  em: EntityManager,
  values: { channelId: string; authorId: string; body: string; clientMessageId: string | null },
): Promise<Message | null> {
  // One statement, so one transaction: the update locks the channel row until commit.
  const rows = await em.execute<Record<string, unknown>[]>(
    `with next as (
       update "messages"."channels" set last_sequence = last_sequence + 1
       where id = ? returning last_sequence
     )
     insert into "messages"."messages"
       (id, channel_id, sequence, author_id, body, client_message_id, created_at)
     select ?, ?, next.last_sequence, ?, ?, ?, clock_timestamp() from next
     on conflict (author_id, client_message_id) do nothing
     returning *`,
    [
      values.channelId,
      randomUUID(),
      values.channelId,
      values.authorId,
      values.body,
      values.clientMessageId,
    ],
  );
  return rows[0] ? em.map(Message, rows[0] as never) : null;
}

async function findByClientMessageId(
  ctx: MessagesContext,
  authorId: string,
  clientMessageId: string,
  channelId: string,
): Promise<Message | null> {
  const message = await ctx.em.findOne(Message, { authorId, clientMessageId });
  if (message && message.channelId !== channelId) {
    throw conflict('This clientMessageId was already used for a message in another channel.', {
      field: 'clientMessageId',
    });
  }
  return message;
}

export async function postMessage(
  ctx: MessagesContext,
  input: { channelId: string; body: string; clientMessageId?: string | null },
): Promise<Message> {
  const author = requireRole(ctx.principal, 'DEVELOPER');
  const channel = await getChannel(ctx, input.channelId);
  if (!(await ctx.loaders.viewerIsMember.load(channel.id))) {
    throw forbidden('Join this channel to post in it.');
  }
  const { body } = input;
  const clientMessageId =
    input.clientMessageId == null
      ? null
      : validate(clientMessageIdRule, input.clientMessageId, 'clientMessageId');
  // A retry returns the original before moderation runs: the flood rule must not refuse it.
  const retried =
    clientMessageId &&
    (await findByClientMessageId(ctx, author.userId, clientMessageId, channel.id));
  if (retried) return retried;

  ctx.deps.contentRules.check(body);
  const admission = await ctx.deps.floodGuard.admit(
    author.userId,
    body,
    clientMessageId ?? randomUUID(),
  );

  const message = await insertMessage(ctx.em, {
    channelId: channel.id,
    authorId: author.userId,
    body,
    clientMessageId,
  });
  if (!message) {
    // Lost the race against a concurrent retry of the same message: that one is the message.
    const original =
      clientMessageId &&
      (await findByClientMessageId(ctx, author.userId, clientMessageId, channel.id));
    if (!original) throw new Error('message insert stored nothing and conflicted with nothing');
    await admission.storedAs(original.body);
    return original;
  }
  await publish(ctx, () =>
    ctx.deps.pubsub.publish('MESSAGE_ADDED', {
      id: message.id,
      organizationId: channel.organizationId,
      channelId: channel.id,
      sequence: message.sequence,
      cursor: messageCursor(message),
      authorId: message.authorId,
      body: message.body,
      createdAt: message.createdAt.toISOString(),
    }),
  );
  return message;
}

export async function editMessage(
  ctx: MessagesContext,
  id: string,
  body: string,
): Promise<Message> {
  const { userId } = requireRole(ctx.principal, 'DEVELOPER');
  const message = await getMessage(ctx, id);
  if (message.authorId !== userId) throw forbidden('Only its author can edit a message.');
  ctx.deps.contentRules.check(body);
  // Conditional, so an edit racing a deletion cannot bring the deleted text back.
  const edited = await changeMessage(
    ctx,
    `update "messages"."messages" set body = ?, edited_at = clock_timestamp()
       where id = ? and deleted_at is null returning *`,
    [body, message.id],
    'EDITED',
  );
  if (!edited) throw conflict('A deleted message cannot be edited.');
  await publishChange(ctx, edited);
  return edited.message;
}

export async function deleteMessage(ctx: MessagesContext, id: string): Promise<Message> {
  const user = requireRole(ctx.principal, 'DEVELOPER');
  const message = await getMessage(ctx, id);
  if (message.authorId !== user.userId && !hasRole(user, 'ADMIN')) {
    throw forbidden('Only its author or an ADMIN can delete a message.');
  }
  // The text is erased, not just hidden; the row stays as the tombstone.
  const deleted = await changeMessage(
    ctx,
    `update "messages"."messages" set body = '', deleted_at = clock_timestamp()
       where id = ? and deleted_at is null returning *`,
    [message.id],
    'DELETED',
  );
  if (!deleted) {
    // Already deleted (maybe just now, concurrently): deleting is idempotent.
    await ctx.em.refresh(message);
    return message;
  }
  await publishChange(ctx, deleted);
  return deleted.message;
}

/** A stored change of a message: the message after it, and the event that announces it. */
interface MessageChange {
  message: Message;
  event: MessageChangedEvent;
}

/**
 * Runs a conditional update of one message and, in the same transaction, stores its change
 * record (kit/change-log); null when the update changed nothing.
 */
async function changeMessage(
  ctx: MessagesContext,
  update: string,
  params: unknown[],
  change: MessageChangedEvent['change'],
): Promise<MessageChange | null> {
  return ctx.em.transactional(async (em) => {
    const [row] = await em.execute<Record<string, unknown>[]>(update, params);
    if (!row) return null;
    const message = em.map(Message, row as never);
    const channel = await em.findOneOrFail(Channel, { id: message.channelId });
    const payload = {
      id: message.id,
      organizationId: channel.organizationId,
      channelId: message.channelId,
      sequence: message.sequence,
      cursor: messageCursor(message),
      authorId: message.authorId,
      change,
      body: message.deletedAt ? null : message.body,
      createdAt: message.createdAt.toISOString(),
      editedAt: message.editedAt?.toISOString() ?? null,
      deletedAt: message.deletedAt?.toISOString() ?? null,
    };
    if (message.deletedAt) await eraseEarlierText(em, payload);
    const [position] = await appendChanges(em, 'messages', 'MESSAGE_CHANGED', [
      { stream: channel.id, payload },
    ]);
    const event = {
      ...payload,
      position: position!,
      changeCursor: changeCursor('MESSAGE_CHANGED', channel.id, position!),
    };
    return { message, event };
  });
}

/**
 * A deleted message's text is erased everywhere it is stored, its earlier edits' change records
 * too: a `messageChanged` replay shows those changes with the message as it is now, deleted,
 * as a `messageAdded` replay does.
 */
async function eraseEarlierText(
  em: EntityManager,
  tombstone: { id: string; channelId: string; deletedAt: string | null },
): Promise<void> {
  await em.execute(
    `update "messages"."change_log"
        set payload = payload || jsonb_build_object('body', null, 'deletedAt', ?::text)
      where topic = 'MESSAGE_CHANGED' and stream = ? and payload @> jsonb_build_object('id', ?::text)`,
    [tombstone.deletedAt, tombstone.channelId, tombstone.id],
  );
}

async function publishChange(ctx: MessagesContext, { event }: MessageChange): Promise<void> {
  await publish(ctx, () => ctx.deps.pubsub.publish('MESSAGE_CHANGED', event));
}

/**
 * The change is committed: a failed publication must not turn it into an error for the client.
 * Subscribers that missed it replay from their cursor (docs/events.md).
 */
async function publish(ctx: MessagesContext, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    ctx.logger.error({ err: error }, 'could not publish a message event');
  }
}
