/**
 * Who may call what in the messages subgraph: graphql-shield's coarse rules (fallback: deny) and
 * the rate limit on posting. Membership, authorship and organization checks stay in the services.
 */
import { chain } from 'graphql-shield';
import type { RateLimiter, RateLimits } from '../../platform/rate-limit';
import { createPermissions, hasRole, isUser, perUserRateLimitRule } from '../kit/shield';

/** Defaults; RATE_LIMITS overrides them by name. */
export const MESSAGES_RATE_LIMITS: RateLimits = {
  /** Per user (moderation separately refuses the same body repeated). */
  postMessage: { max: 60, windowMs: 60_000 },
};

export function createMessagesPermissions(limiter: RateLimiter) {
  const postMessage = perUserRateLimitRule(limiter, 'postMessage');
  return createPermissions({
    Query: {
      channel: isUser,
      channels: isUser,
      messageChangedHead: isUser, // as messageChanged
    },
    Mutation: {
      createChannel: hasRole('DEVELOPER'),
      // Anyone in the organization may read public channels, so joining one is open to viewers.
      joinChannel: isUser,
      leaveChannel: isUser,
      addChannelMember: hasRole('DEVELOPER'),
      // The role first, so a refused caller is not counted.
      postMessage: chain(hasRole('DEVELOPER'), postMessage),
      // Writing, as posting is: a read-only VIEWER key acts as its creator and must not edit or
      // erase what the creator wrote. Then author only, or author and ADMIN: the service checks.
      editMessage: hasRole('DEVELOPER'),
      deleteMessage: hasRole('DEVELOPER'),
    },
    Subscription: {
      messageAdded: isUser,
      messageChanged: isUser,
    },
    reachable: [
      'Channel',
      'ChannelConnection',
      'ChannelEdge',
      'ChannelMemberConnection',
      'ChannelMemberEdge',
      'Message',
      'MessageConnection',
      'MessageEdge',
      'PageInfo',
      'User',
    ],
  });
}
