/** The messages subgraph's domain events (documented in docs/events.md). */
import type { Positioned } from '../kit/change-log';
import type { TypedPubSub } from '../kit/pubsub';

/** The message an event is about, as both events carry it. */
interface MessageEventFields {
  id: string;
  organizationId: string;
  channelId: string;
  /** 1, 2, … within the channel, in commit order (gaps possible); the `cursor` encodes it. */
  sequence: number;
  /** The GraphQL `Message.cursor`: pass it as `after` to resume from this message. */
  cursor: string;
  authorId: string;
  /** ISO-8601, like every timestamp below. */
  createdAt: string;
}

/** A message was stored (published once, after commit; idempotent retries publish nothing). */
export interface MessageAddedEvent extends MessageEventFields {
  body: string;
}

/**
 * A message was edited or deleted: its state after the change. Also stored as a change record
 * of its channel (`position` 1, 2, … per channel, `changeCursor` encodes it).
 */
export interface MessageChangedEvent extends MessageEventFields, Positioned {
  change: 'EDITED' | 'DELETED';
  /** null once deleted. */
  body: string | null;
  editedAt: string | null;
  deletedAt: string | null;
}

/**
 * A user left a channel (published after commit, only when they were a member): their streams of
 * a private channel end at once instead of at its next message. Not stored: a lost one leaves
 * that to the next message, which is authorized anyway.
 */
export interface MemberLeftEvent {
  organizationId: string;
  channelId: string;
  userId: string;
}

export interface MessagesTopics extends Record<string, unknown> {
  MESSAGE_ADDED: MessageAddedEvent;
  MESSAGE_CHANGED: MessageChangedEvent;
  MEMBER_LEFT: MemberLeftEvent;
}

export type MessagesPubSub = TypedPubSub<MessagesTopics>;
