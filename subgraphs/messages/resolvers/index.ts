/** Thin resolvers: reshape arguments, call the messages services, map results. */
import { DateTime } from '../../kit/scalars';
import type { Resolvers } from '../__generated__/resolvers-types';
import { streamCursorOf } from '../../kit/resumable';
import type { Message as MessageEntity } from '../entities/message';
import * as channels from '../services/channels-service';
import * as streams from '../services/message-streams';
import * as messages from '../services/messages-service';

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    channel: (_parent, { id }, ctx) => channels.getChannel(ctx, id),
    channels: (_parent, args, ctx) => channels.listChannels(ctx, args),
    messageChangedHead: (_parent, args, ctx) => streams.messageChangedHead(ctx, args),
  },
  Mutation: {
    createChannel: (_parent, { input }, ctx) => channels.createChannel(ctx, input),
    joinChannel: (_parent, { id }, ctx) => channels.joinChannel(ctx, id),
    leaveChannel: (_parent, { id }, ctx) => channels.leaveChannel(ctx, id),
    addChannelMember: (_parent, { channelId, userId }, ctx) =>
      channels.addChannelMember(ctx, channelId, userId),
    postMessage: (_parent, { input }, ctx) => messages.postMessage(ctx, input),
    editMessage: (_parent, { id, body }, ctx) => messages.editMessage(ctx, id, body),
    deleteMessage: (_parent, { id }, ctx) => messages.deleteMessage(ctx, id),
  },
  Subscription: {
    messageAdded: {
      subscribe: (_parent, args, ctx) => streams.messageAdded(ctx, args),
      resolve: (message: MessageEntity) => message,
    },
    messageChanged: {
      subscribe: (_parent, args, ctx) => streams.messageChanged(ctx, args),
      resolve: streams.changedMessage,
    },
  },
  // Field resolvers below run on channels and messages a service already found visible.
  Channel: {
    __resolveReference: (reference, ctx) => channels.findVisibleChannel(ctx, reference.id),
    members: (channel, args, ctx) => channels.listMembers(ctx, channel, args),
    memberCount: (channel, _args, ctx) => ctx.loaders.memberCount.load(channel.id),
    viewerIsMember: (channel, _args, ctx) => ctx.loaders.viewerIsMember.load(channel.id),
    createdBy: (channel) => ({ id: channel.createdBy }),
    messages: (channel, args, ctx) => messages.listMessages(ctx, channel, args),
  },
  Message: {
    __resolveReference: (reference, ctx) => messages.findVisibleMessage(ctx, reference.id),
    cursor: (message) => messages.messageCursor(message),
    streamCursor: (message) => streamCursorOf(message),
    channel: (message, _args, ctx) =>
      ctx.loaders.channelById.load(message.channelId).then((channel) => channel!),
    author: (message) => ({ id: message.authorId }),
    body: (message) => (message.deletedAt ? null : message.body),
    deleted: (message) => message.deletedAt !== null,
  },
};
