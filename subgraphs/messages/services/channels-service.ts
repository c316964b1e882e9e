/**
 * Channels and their members. Visibility is decided here, next to the data: public channels are
 * visible to their whole organization, private ones to their members only, and nothing crosses
 * organizations (what a caller may not see does not exist for them: NOT_FOUND).
 */
import { badUserInput, forbidden, notFound } from '../../../platform/errors';
import { requireRole, requireUser } from '../../kit/guards';
import { isUuid } from '../../kit/ids';
import { isUniqueViolation } from '../../kit/orm';
import {
  cursorScope,
  decodeCursor,
  decodeTimestampCursor,
  forwardConnection,
  pageSize,
  type Connection,
  type CursorScope,
  type PageInfo,
} from '../../kit/pagination';
import { validate } from '../../kit/validation';
import { rowMapper, selectRows } from '../../kit/reads';
import type { MessagesContext } from '../context';
import { Channel, type ChannelKind } from '../entities/channel';
import { ChannelMember } from '../entities/channel-member';
import { channelNameRule, MAX_INITIAL_MEMBERS, topicRule } from './validation';

/** The channel if the caller may see it, else null (also for ids that name nothing). */
export async function findVisibleChannel(
  ctx: MessagesContext,
  id: string,
): Promise<Channel | null> {
  if (ctx.principal?.kind !== 'user') return null;
  const channel = await ctx.loaders.channelById.load(id);
  if (!channel || channel.organizationId !== ctx.principal.organizationId) return null;
  if (channel.kind === 'PRIVATE' && !(await ctx.loaders.viewerIsMember.load(channel.id))) {
    return null;
  }
  return channel;
}

export async function getChannel(ctx: MessagesContext, id: string): Promise<Channel> {
  requireUser(ctx.principal);
  const channel = await findVisibleChannel(ctx, id);
  if (!channel) throw notFound('Channel');
  return channel;
}

/**
 * A cursor of the organization's channel list, checked beyond its shape: it goes into SQL.
 * Scoped to the organization (the list a caller sees is theirs of it, in one order for all).
 */
function decodeChannelCursor(after: string, scope: CursorScope): [string, string] {
  const [name, id] = decodeCursor(after, ['string', 'string'], 'after', scope) as [string, string];
  if (!isUuid(id) || name.includes('\u0000')) {
    throw badUserInput('`after` is not a valid cursor.', 'after');
  }
  return [name, id];
}

export async function listChannels(
  ctx: MessagesContext,
  args: { first?: number | null; after?: string | null },
): Promise<Connection<Channel>> {
  const { organizationId, userId } = requireUser(ctx.principal);
  const size = pageSize(args.first, 'first');
  const scope = cursorScope('channels', organizationId);
  const after = args.after != null ? decodeChannelCursor(args.after, scope) : null;
  const rows = await selectRows(
    ctx,
    `select c.* from "messages"."channels" c
     where c.organization_id = ?
       and (c.kind = 'PUBLIC' or exists (
         select 1 from "messages"."channel_members" m where m.channel_id = c.id and m.user_id = ?))
       ${after ? 'and (c.name, c.id) > (?, ?)' : ''}
     order by c.name, c.id
     limit ?`,
    [organizationId, userId, ...(after ?? []), size + 1],
  );
  const channels = rows.map(rowMapper(ctx, Channel));
  // Their messages' `channel` fields need not look them up again.
  for (const channel of channels) ctx.loaders.channelById.prime(channel.id, channel);
  return forwardConnection(channels, size, (c) => [c.name, c.id], after !== null, scope);
}

/** Fails with NOT_FOUND unless every id is a user of the caller's organization. */
async function assertOrganizationUsers(ctx: MessagesContext, ids: string[]): Promise<void> {
  if (!ids.every(isUuid)) throw notFound('User');
  const visible = await ctx.deps.users.visibleIds(ids, ctx);
  if (ids.some((id) => !visible.has(id))) throw notFound('User');
}

export async function createChannel(
  ctx: MessagesContext,
  input: {
    name: string;
    topic?: string | null;
    kind?: ChannelKind | null;
    memberIds?: readonly string[] | null;
  },
): Promise<Channel> {
  const creator = requireRole(ctx.principal, 'DEVELOPER');
  const name = validate(channelNameRule, input.name, 'name');
  const topic = input.topic == null ? null : validate(topicRule, input.topic, 'topic');
  const memberIds = [...new Set(input.memberIds ?? [])].filter((id) => id !== creator.userId);
  if (memberIds.length > MAX_INITIAL_MEMBERS) {
    throw badUserInput(`memberIds can list at most ${MAX_INITIAL_MEMBERS} users.`, 'memberIds');
  }
  await assertOrganizationUsers(ctx, memberIds);
  const channel = new Channel(
    creator.organizationId,
    name,
    topic,
    input.kind ?? 'PUBLIC',
    creator.userId,
  );
  ctx.em.persist(channel);
  // The first members join as the channel comes into being, the creator first: members are
  // listed in the order they joined (by the millisecond, then by id).
  ctx.em.persist(new ChannelMember(channel.id, creator.userId, channel.createdAt));
  const invitedAt = new Date(channel.createdAt.getTime() + 1);
  for (const userId of memberIds) ctx.em.persist(new ChannelMember(channel.id, userId, invitedAt));
  try {
    await ctx.em.flush();
  } catch (error) {
    if (isUniqueViolation(error, 'channels_organization_name_unique')) {
      throw badUserInput('A channel with this name already exists.', 'name');
    }
    throw error;
  }
  ctx.loaders.viewerIsMember.prime(channel.id, true);
  return channel;
}

/** Adds a member; already being one is fine. */
async function insertMember(ctx: MessagesContext, channelId: string, userId: string) {
  await ctx.em
    .createQueryBuilder(ChannelMember)
    .insert({ channelId, userId, joinedAt: new Date() })
    .onConflict(['channelId', 'userId'])
    .ignore()
    .execute();
  ctx.loaders.memberCount.clear(channelId);
  ctx.loaders.memberPage.clearAll();
}

export async function joinChannel(ctx: MessagesContext, id: string): Promise<Channel> {
  const { userId } = requireUser(ctx.principal);
  // A private channel the caller is not in is invisible, so it cannot be joined (NOT_FOUND);
  // one they are already in is simply returned.
  const channel = await getChannel(ctx, id);
  if (channel.kind === 'PUBLIC') {
    await insertMember(ctx, channel.id, userId);
    ctx.loaders.viewerIsMember.clear(channel.id).prime(channel.id, true);
  }
  return channel;
}

export async function leaveChannel(ctx: MessagesContext, id: string): Promise<boolean> {
  const { userId } = requireUser(ctx.principal);
  const channel = await getChannel(ctx, id);
  const removed = await ctx.em.nativeDelete(ChannelMember, { channelId: channel.id, userId });
  ctx.loaders.viewerIsMember.clear(channel.id).prime(channel.id, false);
  ctx.loaders.memberCount.clear(channel.id);
  ctx.loaders.memberPage.clearAll();
  if (removed > 0) {
    // The leaver's live streams of a private channel end now (message-streams.ts). Lost, the
    // next message of the channel ends them instead.
    await ctx.deps.pubsub
      .publish('MEMBER_LEFT', {
        organizationId: channel.organizationId,
        channelId: channel.id,
        userId,
      })
      .catch((error: unknown) => ctx.logger.warn({ err: error }, 'leaving not announced'));
  }
  return removed > 0;
}

export async function addChannelMember(
  ctx: MessagesContext,
  channelId: string,
  userId: string,
): Promise<Channel> {
  requireRole(ctx.principal, 'DEVELOPER');
  const channel = await getChannel(ctx, channelId);
  if (!(await ctx.loaders.viewerIsMember.load(channel.id))) {
    throw forbidden('Only members of a channel can add members to it.');
  }
  await assertOrganizationUsers(ctx, [userId]);
  await insertMember(ctx, channel.id, userId);
  return channel;
}

/** Members as references to the users subgraph's User, with when they joined. */
export interface MemberConnection {
  edges: { cursor: string; node: { id: string }; joinedAt: Date }[];
  pageInfo: PageInfo;
}

export async function listMembers(
  ctx: MessagesContext,
  channel: Channel,
  args: { first?: number | null; after?: string | null },
): Promise<MemberConnection> {
  const size = pageSize(args.first, 'first');
  const scope = cursorScope('members', channel.id);
  const after = args.after != null ? decodeTimestampCursor(args.after, 'after', scope) : null;
  const rows = await ctx.loaders.memberPage.load({
    channelId: channel.id,
    after,
    limit: size + 1,
  });
  const page = forwardConnection(
    rows,
    size,
    (m) => [m.joinedAt.toISOString(), m.userId],
    after !== null,
    scope,
  );
  return {
    ...page,
    edges: page.edges.map(({ cursor, node }) => ({
      cursor,
      node: { id: node.userId },
      joinedAt: node.joinedAt,
    })),
  };
}
