import { randomUUID } from 'node:crypto';
import { EntitySchema } from '@mikro-orm/core';
import type { Row } from '../../kit/reads';

export type ChannelKind = 'PUBLIC' | 'PRIVATE';

/** A chat room of one organization (organizations and users live in the users subgraph). */
export class Channel {
  readonly id: string = randomUUID();
  readonly createdAt: Date = new Date();
  /**
   * The sequence number of the channel's newest message. Posting increments it under the
   * channel's row lock, so sequence order is commit order (see messages-service).
   */
  lastSequence = 0;
  constructor(
    public organizationId: string,
    public name: string,
    public topic: string | null,
    public kind: ChannelKind,
    public createdBy: string,
  ) {}
}

/** Channel as read paths return it: its fields, no entity (kit/reads.ts). */
export type ChannelRow = Row<Channel>;

export const ChannelSchema = new EntitySchema<Channel>({
  class: Channel,
  tableName: 'channels',
  properties: {
    id: { type: 'uuid', primary: true },
    organizationId: { type: 'uuid' },
    name: { type: 'text' },
    topic: { type: 'text', nullable: true },
    kind: { type: 'text' },
    createdBy: { type: 'uuid' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    lastSequence: { type: 'integer' },
  },
});
