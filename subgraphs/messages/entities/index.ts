import { ChannelSchema } from './channel';
import { ChannelMemberSchema } from './channel-member';
import { MessageSchema } from './message';

export const entities = [ChannelSchema, ChannelMemberSchema, MessageSchema];
