import { randomUUID } from 'node:crypto';
import { EntitySchema } from '@mikro-orm/core';
import { idOf } from '../../kit/entity-columns';
import { Channel } from './channel';
import type { Row } from '../../kit/reads';

/**
 * A chat message. `sequence` numbers the messages of a channel in commit order and is what
 * cursors encode. Deletion keeps the row as a tombstone with its text erased.
 */
export class Message {
  readonly id: string = randomUUID();
  readonly createdAt: Date = new Date();
  editedAt: Date | null = null;
  deletedAt: Date | null = null;
  constructor(
    public channelId: string,
    public sequence: number,
    public authorId: string,
    public body: string,
    /** The author's idempotency key for this message, if they sent one. */
    public clientMessageId: string | null,
  ) {}
}

/** Message as read paths return it: its fields, no entity (kit/reads.ts). */
export type MessageRow = Row<Message>;

export const MessageSchema = new EntitySchema<Message>({
  class: Message,
  tableName: 'messages',
  properties: {
    id: { type: 'uuid', primary: true },
    channelId: idOf(() => Channel, 'channel_id'),
    sequence: { type: 'integer' },
    authorId: { type: 'uuid' },
    body: { type: 'text' },
    clientMessageId: { type: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    editedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    deletedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});
