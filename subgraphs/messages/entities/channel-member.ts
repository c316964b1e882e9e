import { EntitySchema } from '@mikro-orm/core';
import { idOf } from '../../kit/entity-columns';
import { Channel } from './channel';

/** A user's membership of a channel: private channels are visible to their members only. */
export class ChannelMember {
  constructor(
    public channelId: string,
    public userId: string,
    readonly joinedAt: Date = new Date(),
  ) {}
}

export const ChannelMemberSchema = new EntitySchema<ChannelMember>({
  class: ChannelMember,
  tableName: 'channel_members',
  properties: {
    channelId: idOf(() => Channel, 'channel_id', { primary: true }),
    userId: { type: 'uuid', primary: true },
    joinedAt: { type: 'Date', columnType: 'timestamptz(3)' },
  },
});
