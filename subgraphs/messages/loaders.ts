/**
 * Per-request DataLoaders: any number of lookups in one tick become one SQL statement, including
 * the pages of `Channel.messages` and `Channel.members` for a whole list of channels.
 */
import DataLoader from 'dataloader';
import { byIdLoader } from '../kit/loaders';
import { rowMapper, selectRows, type ReadScope } from '../kit/reads';
import { Channel } from './entities/channel';
import { ChannelMember } from './entities/channel-member';
import { Message } from './entities/message';

/** One page of a channel's messages: sequences strictly between the bounds, `limit` of them. */
export interface MessagePageKey {
  channelId: string;
  afterSequence: number | null;
  beforeSequence: number | null;
  /** From the newest end (last/before) rather than the oldest (first/after). */
  backward: boolean;
  limit: number;
}

/** One page of a channel's members, in join order, after the (joinedAt, userId) bound. */
export interface MemberPageKey {
  channelId: string;
  after: { at: Date; id: string } | null;
  limit: number;
}

type Row = Record<string, unknown> & { batch_index: number };

/**
 * Runs one keyed query for a whole batch: `sql` reads the keys from `jsonb_to_recordset(?)`
 * and returns rows tagged with their key's `batch_index`; rows are mapped to `entity`.
 */
async function batchQuery<T extends object>(
  scope: ReadScope,
  entity: new (...args: never[]) => T,
  sql: string,
  keys: readonly Record<string, unknown>[],
): Promise<T[][]> {
  const rows = (await selectRows(scope, sql, [
    JSON.stringify(keys.map((key, i) => ({ ...key, batch_index: i }))),
  ])) as Row[];
  const pages = keys.map((): T[] => []);
  // The row's own columns become the row; `batch_index` belongs to no property and is left out.
  const map = rowMapper(scope, entity);
  for (const row of rows) pages[row.batch_index]!.push(map(row));
  return pages;
}

// Each branch of the lateral union can walk the (channel_id, sequence) index in its direction;
// `k.backward` turns the other branch off.
const MESSAGE_PAGES = `
  select k.batch_index, m.*
  from jsonb_to_recordset(?::jsonb)
    as k(batch_index int, channel_id uuid, after_sequence int, before_sequence int, backward boolean, "limit" int)
  cross join lateral (
    (select * from "messages"."messages" x
      where not k.backward and x.channel_id = k.channel_id
        and x.sequence > coalesce(k.after_sequence, 0)
        and x.sequence < coalesce(k.before_sequence, 2147483647)
      order by x.sequence asc limit k."limit")
    union all
    (select * from "messages"."messages" x
      where k.backward and x.channel_id = k.channel_id
        and x.sequence > coalesce(k.after_sequence, 0)
        and x.sequence < coalesce(k.before_sequence, 2147483647)
      order by x.sequence desc limit k."limit")
  ) m
`;

// First pages start after (-infinity, the smallest uuid): one row comparison for every page,
// which the (channel_id, joined_at, user_id) index seeks to, however deep the page.
const MEMBER_PAGES = `
  select k.batch_index, m.*
  from jsonb_to_recordset(?::jsonb)
    as k(batch_index int, channel_id uuid, after_joined_at timestamptz, after_user_id uuid, "limit" int)
  cross join lateral (
    select * from "messages"."channel_members" x
    where x.channel_id = k.channel_id
      and (x.joined_at, x.user_id)
        > (coalesce(k.after_joined_at, '-infinity'), coalesce(k.after_user_id, '00000000-0000-0000-0000-000000000000'))
    order by x.joined_at, x.user_id
    limit k."limit"
  ) m
`;

const pageCacheKey = (key: object) => JSON.stringify(key);

export function createLoaders(scope: ReadScope, viewerId: string | null) {
  return {
    channelById: byIdLoader(scope, Channel),
    messageById: byIdLoader(scope, Message),
    /** Whether the caller is a member of each channel. */
    viewerIsMember: new DataLoader<string, boolean>(async (channelIds) => {
      if (viewerId === null) return channelIds.map(() => false);
      // Only the answer, no entity: one statement whatever the request's mode.
      const rows = await selectRows(
        scope,
        `select channel_id from "messages"."channel_members"
           where user_id = ? and channel_id in (${channelIds.map(() => '?').join(', ')})`,
        [viewerId, ...channelIds],
      );
      const member = new Set(rows.map((row) => row.channel_id as string));
      return channelIds.map((id) => member.has(id));
    }),
    memberCount: new DataLoader<string, number>(async (channelIds) => {
      const rows = await selectRows(
        scope,
        `select channel_id, count(*) as count from "messages"."channel_members"
           where channel_id in (${channelIds.map(() => '?').join(', ')}) group by channel_id`,
        [...channelIds],
      );
      const counts = new Map(rows.map((row) => [row.channel_id as string, Number(row.count)]));
      return channelIds.map((id) => counts.get(id) ?? 0);
    }),
    messagePage: new DataLoader<MessagePageKey, Message[], string>(
      (keys) =>
        batchQuery(
          scope,
          Message,
          MESSAGE_PAGES,
          keys.map((key) => ({
            channel_id: key.channelId,
            after_sequence: key.afterSequence,
            before_sequence: key.beforeSequence,
            backward: key.backward,
            limit: key.limit,
          })),
        ),
      { cacheKeyFn: pageCacheKey },
    ),
    memberPage: new DataLoader<MemberPageKey, ChannelMember[], string>(
      (keys) =>
        batchQuery(
          scope,
          ChannelMember,
          MEMBER_PAGES,
          keys.map((key) => ({
            channel_id: key.channelId,
            after_joined_at: key.after?.at.toISOString() ?? null,
            after_user_id: key.after?.id ?? null,
            limit: key.limit,
          })),
        ),
      { cacheKeyFn: pageCacheKey },
    ),
  };
}

export type MessagesLoaders = ReturnType<typeof createLoaders>;
