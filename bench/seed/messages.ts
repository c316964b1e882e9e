/** The messages subgraph's share of the large dataset: channels, members and messages. */
import type { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { APPLICATIONS, pick, split, type DatasetSize, type Organization } from './dataset';

const CHANNEL_NAMES = ['general', 'deploys', 'incidents', 'random', 'on-call', 'releases'];
// prettier-ignore
const PHRASES = [
  'deploying billing to production now', 'can someone review my PR?', 'looks good to me',
  'the staging node is back online', 'rolling back checkout, error rate is up',
  'heads up: maintenance window tonight at 22:00 UTC', 'thanks!', 'on it',
  'CPU on eu-west-1 hosts is climbing again', 'postmortem draft is in the wiki',
  'who owns the search cluster?', 'merged, deploying after lunch', 'ack', 'lgtm, ship it',
  'the health check timed out twice', 'restarted the agent on that VM', 'coffee first ☕',
  'new release notes are up', 'paging the on-call engineer', 'false alarm, all green',
];
const CHAT_HISTORY_DAYS = 365;

export interface SeededChannel {
  id: string;
  name: string;
  organizationId: string;
  kind: 'PUBLIC' | 'PRIVATE';
  messages: number;
  members: string[];
}

/**
 * Channels of very unequal traffic (the r-th busiest gets ~1/r of the messages, as chat traffic
 * goes), each organization's `general` open to everyone; authors are members, and a few
 * messages were edited or deleted (tombstones with their text erased).
 */
export async function seedMessages(
  client: Client,
  organizations: Organization[],
  size: DatasetSize,
  random: () => number,
): Promise<SeededChannel> {
  const channels: SeededChannel[] = [];
  split(size.channels).forEach((count, o) => {
    const organization = organizations[o]!;
    const userIds = organization.users.map((u) => u.id);
    for (let k = 0; k < count; k++) {
      const base = CHANNEL_NAMES[k % CHANNEL_NAMES.length]!;
      const name = k < CHANNEL_NAMES.length ? base : `${base}-${pick(random, APPLICATIONS)}-${k}`;
      const kind = k === 0 || random() < 0.8 ? 'PUBLIC' : 'PRIVATE';
      const members =
        k === 0 ? userIds : userIds.filter((_, i) => i === k % userIds.length || random() < 0.15);
      channels.push({
        id: randomUUID(),
        name,
        organizationId: organization.id,
        kind,
        messages: 0,
        members,
      });
    }
  });
  // Busiest first: the first organization's general, then by a coin toss per channel.
  const ranked = [channels[0]!, ...channels.slice(1).sort(() => random() - 0.5)];
  const harmonic = ranked.reduce((sum, _, r) => sum + 1 / (r + 1), 0);
  ranked.forEach((channel, r) => {
    channel.messages = Math.floor(size.messages / harmonic / (r + 1));
  });
  ranked[0]!.messages += size.messages - ranked.reduce((sum, c) => sum + c.messages, 0);

  await client.query('select setseed(0.24)');
  await client.query('begin');
  await client.query(
    `insert into messages.channels
       (id, organization_id, name, topic, kind, created_by, created_at, last_sequence)
     select id, org, name, 'Everything about ' || name, kind, created_by,
       now() - interval '${CHAT_HISTORY_DAYS + 1} days', messages
     from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::int[])
       as c(id, org, name, kind, created_by, messages)`,
    [
      channels.map((c) => c.id),
      channels.map((c) => c.organizationId),
      channels.map((c) => c.name),
      channels.map((c) => c.kind),
      channels.map((c) => c.members[0]),
      channels.map((c) => c.messages),
    ],
  );
  await client.query(
    `insert into messages.channel_members (channel_id, user_id, joined_at)
     select channel_id, user_id, now() - interval '${CHAT_HISTORY_DAYS} days'
     from unnest($1::uuid[], $2::uuid[]) as m(channel_id, user_id)`,
    [channels.flatMap((c) => c.members.map(() => c.id)), channels.flatMap((c) => c.members)],
  );
  let offset = 0;
  const memberOffsets = channels.map((c) => {
    const start = offset;
    offset += c.members.length;
    return start;
  });
  await client.query(
    `with channel as (
       select * from unnest($1::uuid[], $2::int[], $3::int[], $4::int[])
         as c(id, messages, member_offset, member_count)
     ),
     plan as (
       select channel.id as channel_id, s as sequence,
         ($5::uuid[])[member_offset + 1 + floor(random() * member_count)::int] as author_id,
         ($6::text[])[1 + floor(random() * cardinality($6::text[]))::int] as body,
         now() - make_interval(secs => (messages - s + 1) * $7::float8 / messages) as created_at,
         random() as fate
       from channel cross join lateral generate_series(1, messages) as s
     )
     insert into messages.messages
       (id, channel_id, sequence, author_id, body, created_at, edited_at, deleted_at)
     select gen_random_uuid(), channel_id, sequence, author_id,
       case when fate < 0.003 then '' else body end, created_at,
       case when fate >= 0.003 and fate < 0.013 then least(now(), created_at + interval '2 minutes') end,
       case when fate < 0.003 then least(now(), created_at + interval '5 minutes') end
     from plan`,
    [
      channels.map((c) => c.id),
      channels.map((c) => c.messages),
      memberOffsets,
      channels.map((c) => c.members.length),
      channels.flatMap((c) => c.members),
      PHRASES,
      CHAT_HISTORY_DAYS * 86_400,
    ],
  );
  await client.query('commit');
  return ranked[0]!;
}
