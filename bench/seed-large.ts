/**
 * The large dataset of the `system` benchmark, written straight into each subgraph's tables
 * (after their migrations ran) with bulk SQL: going through the API would take hours. Every row
 * keeps the invariants the services maintain, so the GraphQL layer reads it like data it wrote:
 * gapless per-channel message sequences under `channels.last_sequence`, deployment events
 * numbered 1…n under `deployments.last_event_sequence` and telling the same story as the status,
 * at most one RUNNING deployment per (node, application), rollbacks that name a SUCCEEDED
 * deployment of the same application, node and environment (now ROLLED_BACK), channel authors
 * who are members, and no row that crosses organizations.
 *
 * On its own: `DATABASE_URL=… npx tsx bench/seed-large.ts` seeds a database `npm run migrate`
 * prepared (BENCH_SCALE=0.1 for a tenth of it).
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Role } from '../platform/principal';
import { hashPassword } from '../subgraphs/users/services/passwords';

export interface DatasetSize {
  users: number;
  nodes: number;
  deployments: number;
  channels: number;
  messages: number;
}

export const FULL_DATASET: DatasetSize = {
  users: 320,
  nodes: 1_000,
  deployments: 100_000,
  channels: 200,
  messages: 1_000_000,
};

/** Every seeded user signs in with this password. */
export const SEEDED_PASSWORD = 'benchmark password';

export interface SeededUser {
  id: string;
  organizationId: string;
  username: string;
  role: Role;
  /** A live session of the user, for access tokens signed outside the users subgraph. */
  sessionId: string;
}

export interface SeededDataset {
  size: DatasetSize;
  organizations: { id: string; name: string }[];
  users: SeededUser[];
  /** The busiest channel: public, in the first (largest) organization. */
  busiestChannel: { id: string; name: string; messages: number };
  deploymentEvents: number;
  seconds: number;
}

/** Three organizations of unequal size; the first holds most of everything. */
const ORGANIZATIONS = [
  { name: 'Acme Operations', slug: 'acme-operations', share: 0.75 },
  { name: 'Globex Platform', slug: 'globex-platform', share: 0.18 },
  { name: 'Initech Cloud', slug: 'initech-cloud', share: 0.07 },
];
const FIRST_NAMES = ['Ada', 'Ben', 'Chloé', 'Dmitri', 'Elif', 'Farid', 'Grace', 'Hiro', 'Inès'];
const LAST_NAMES = ['Martin', 'Okafor', 'Nguyen', 'Schmidt', 'Rossi', 'Kowalski', 'Silva', 'Diaz'];
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1'];
const KINDS = ['DOCKER_HOST', 'KUBERNETES', 'VM', 'SWARM', 'PHYSICAL'];
const ENVIRONMENTS = ['production', 'production', 'production', 'staging', 'staging', 'dev'];
// prettier-ignore
const APPLICATIONS = [
  'api-gateway', 'billing', 'checkout', 'search', 'notifications', 'auth', 'inventory',
  'reporting', 'media-store', 'scheduler', 'web-frontend', 'payments', 'audit-log', 'geo',
  'recommendations', 'mailer', 'metrics-ingest', 'chat-relay', 'export-worker', 'image-resizer',
];
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
/** The newest deployments: still queued, and running before them. */
const QUEUED_RECENT = 20;
const RUNNING_RECENT = 40;
const DEPLOYMENT_HISTORY_DAYS = 180;
const CHAT_HISTORY_DAYS = 365;

/** Deterministic choices, so two runs seed the same shape. */
function createRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]!;

/** Splits `total` over the organizations by their share (the first takes the remainder). */
function split(total: number): number[] {
  const counts = ORGANIZATIONS.map(({ share }) => Math.max(1, Math.floor(total * share)));
  counts[0]! += total - counts.reduce((a, b) => a + b, 0);
  return counts;
}

export function scaleDataset(scale: number): DatasetSize {
  const scaled = (n: number, minimum: number) => Math.max(minimum, Math.round(n * scale));
  return {
    users: scaled(FULL_DATASET.users, 30),
    nodes: scaled(FULL_DATASET.nodes, 100),
    deployments: scaled(FULL_DATASET.deployments, 1_000),
    channels: scaled(FULL_DATASET.channels, 12),
    messages: scaled(FULL_DATASET.messages, 1_000),
  };
}

interface Organization {
  id: string;
  name: string;
  slug: string;
  users: SeededUser[];
}

async function withClient<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    // A bulk load: losing it in a crash costs nothing, waiting for each WAL flush costs minutes.
    await client.query('set synchronous_commit = off');
    return await run(client);
  } finally {
    await client.end();
  }
}

async function seedUsers(
  client: Client,
  size: DatasetSize,
  random: () => number,
): Promise<Organization[]> {
  const passwordHash = await hashPassword(SEEDED_PASSWORD);
  const organizations: Organization[] = ORGANIZATIONS.map(({ name, slug }) => ({
    id: randomUUID(),
    name,
    slug,
    users: [],
  }));
  const rows: { email: string; displayName: string; daysAgo: number }[] = [];
  split(size.users).forEach((count, o) => {
    const organization = organizations[o]!;
    for (let k = 0; k < count; k++) {
      const first = pick(random, FIRST_NAMES);
      const last = pick(random, LAST_NAMES);
      const ascii = first.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
      const username = `${ascii}.${last.toLowerCase()}${o}${k}`;
      const roll = random();
      // The first user signed the organization up: its ADMIN.
      const role: Role =
        k === 0 || roll < 0.04
          ? 'ADMIN'
          : roll < 0.25
            ? 'OPERATOR'
            : roll < 0.8
              ? 'DEVELOPER'
              : 'VIEWER';
      organization.users.push({
        id: randomUUID(),
        organizationId: organization.id,
        username,
        role,
        sessionId: randomUUID(),
      });
      rows.push({
        email: `${username}@${organization.slug}.example`,
        displayName: `${first} ${last}`,
        // Older accounts first, as an organization grows.
        daysAgo: 400 - (k / count) * 390,
      });
    }
  });
  const users = organizations.flatMap((o) => o.users);
  await client.query('begin');
  await client.query(
    `insert into users.organizations (id, name, slug, created_at)
     select id, name, slug, now() - interval '410 days'
     from unnest($1::uuid[], $2::text[], $3::text[]) as o(id, name, slug)`,
    [
      organizations.map((o) => o.id),
      organizations.map((o) => o.name),
      organizations.map((o) => o.slug),
    ],
  );
  await client.query(
    `insert into users.users
       (id, organization_id, username, email, display_name, role, password_hash, created_at)
     select id, org, username, email, display_name, role, $7,
       now() - make_interval(secs => days_ago * 86400)
     from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                 $8::float8[])
       as u(id, org, username, email, display_name, role, days_ago)`,
    [
      users.map((u) => u.id),
      users.map((u) => u.organizationId),
      users.map((u) => u.username),
      rows.map((r) => r.email),
      rows.map((r) => r.displayName),
      users.map((u) => u.role),
      passwordHash,
      rows.map((r) => r.daysAgo),
    ],
  );
  // Everyone is signed in: one session each, as login leaves it.
  await client.query(
    `insert into users.sessions (id, user_id, created_at, expires_at)
     select id, user_id, now(), now() + interval '30 days'
     from unnest($1::uuid[], $2::uuid[]) as s(id, user_id)`,
    [users.map((u) => u.sessionId), users.map((u) => u.id)],
  );
  await client.query('commit');
  return organizations;
}

interface SeededNode {
  id: string;
  organizationId: string;
  environment: string;
  /** The few applications this node runs. */
  applications: string[];
  /** Who deploys to it: DEVELOPER or above, of its organization. */
  deployers: string[];
}

async function seedNodes(
  client: Client,
  organizations: Organization[],
  size: DatasetSize,
  random: () => number,
): Promise<SeededNode[]> {
  const nodes: SeededNode[] = [];
  // prettier-ignore
  const columns: Record<string, unknown[]> = {
    id: [], org: [], registeredBy: [], name: [], kind: [], status: [], region: [], labels: [],
    heartbeatAgo: [], cpu: [], memory: [], disk: [], createdDaysAgo: [],
  };
  const counts = split(size.nodes);
  organizations.forEach((organization, o) => {
    const operators = organization.users.filter((u) => u.role === 'ADMIN' || u.role === 'OPERATOR');
    const deployers = organization.users.filter((u) => u.role !== 'VIEWER').map((u) => u.id);
    for (let k = 0; k < counts[o]!; k++) {
      const region = pick(random, REGIONS);
      const kind = pick(random, KINDS);
      const environment = pick(random, ENVIRONMENTS);
      const roll = random();
      // No agent heartbeats during the benchmark: the system scenario freezes the sweeper.
      const status = roll < 0.88 ? 'ONLINE' : roll < 0.94 ? 'DEGRADED' : 'OFFLINE';
      const node: SeededNode = {
        id: randomUUID(),
        organizationId: organization.id,
        environment,
        applications: [0, 1, 2, 3].map(() => pick(random, APPLICATIONS)),
        deployers: [0, 1, 2, 3, 4].map(() => pick(random, deployers)),
      };
      nodes.push(node);
      columns.id!.push(node.id);
      columns.org!.push(organization.id);
      columns.registeredBy!.push(pick(random, operators).id);
      columns.name!.push(`${region}-${environment}-${kind.toLowerCase().replace('_', '-')}-${k}`);
      columns.kind!.push(kind);
      columns.status!.push(status);
      columns.region!.push(region);
      columns.labels!.push(`{linux,${environment},${random() < 0.3 ? 'gpu' : 'ssd'}}`);
      columns.heartbeatAgo!.push(status === 'OFFLINE' ? 3_600 + random() * 86_400 : random() * 15);
      columns.cpu!.push(status === 'DEGRADED' ? 95 + random() * 5 : 5 + random() * 70);
      columns.memory!.push(20 + random() * 60);
      columns.disk!.push(10 + random() * 70);
      columns.createdDaysAgo!.push(DEPLOYMENT_HISTORY_DAYS + 1 + random() * 200);
    }
  });
  // Public keys: 32 distinct bytes each, base64 as registerNode stores them.
  await client.query(
    `insert into nodes.nodes
       (id, organization_id, registered_by, name, kind, status, status_changed_at, region, labels,
        public_key, last_heartbeat_at, cpu_percent, memory_percent, disk_percent, agent_version,
        created_at)
     select id, org, registered_by, name, kind, status,
       now() - make_interval(secs => heartbeat_ago),
       region, labels::text[],
       encode(decode(md5(id::text) || md5(id::text || 'key'), 'hex'), 'base64'),
       now() - make_interval(secs => heartbeat_ago), cpu, memory, disk, '1.4.2',
       now() - make_interval(days => created_days_ago::int)
     from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                 $8::text[], $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[])
       as n(id, org, registered_by, name, kind, status, region, labels, heartbeat_ago, cpu, memory,
            disk, created_days_ago)`,
    // The columns were declared in the order of the unnest parameters.
    Object.values(columns),
  );
  return nodes;
}

/**
 * Deployments round-robin over the nodes, oldest first: the newest QUEUED_RECENT are QUEUED and
 * the RUNNING_RECENT before them RUNNING, each on a different node (so never two RUNNING per node
 * and application); the older ones finished. Then a few finished pairs become rollbacks, then
 * every deployment gets the events its history implies.
 */
async function seedDeployments(
  client: Client,
  nodes: SeededNode[],
  size: DatasetSize,
): Promise<number> {
  if (QUEUED_RECENT + RUNNING_RECENT > nodes.length)
    throw new Error('too few nodes for the active deployments');
  await client.query('select setseed(0.42)');
  await client.query('begin');
  await client.query(
    `with node as (
       select (ord - 1)::int as idx, id, org, environment
       from unnest($1::uuid[], $2::uuid[], $3::text[]) with ordinality as n(id, org, environment, ord)
     ),
     plan as (
       select i, i % $6::int as node_idx, floor(random() * 4)::int as app_slot,
         floor(random() * 5)::int as deployer_slot, random() as outcome,
         now() - make_interval(secs => ($7::int - i) * $8::float8 / $7::int) as created_at,
         make_interval(secs => 2 + random() * 30) as wait,
         make_interval(secs => 20 + random() * 280) as run,
         case
           when i >= $7::int - $9::int then 'QUEUED'
           when i >= $7::int - $9::int - $10::int then 'RUNNING'
           when random() < 0.86 then 'SUCCEEDED'
           when random() < 0.7 then 'FAILED'
           else 'CANCELLED'
         end as status
       from generate_series(0, $7::int - 1) as i
     )
     insert into deployments.deployments
       (id, organization_id, node_id, application, version, environment, status, triggered_by,
        created_at, started_at, finished_at, last_event_sequence)
     select gen_random_uuid(), node.org, node.id, ($4::text[])[node.idx * 4 + app_slot + 1],
       format('%s.%s.%s', 1 + i / 40000, (i / 1000) % 40, i % 7), node.environment, status,
       ($5::uuid[])[node.idx * 5 + deployer_slot + 1], created_at,
       -- A third of the cancellations happened while still queued.
       case when status = 'QUEUED' or (status = 'CANCELLED' and outcome < 0.33) then null
            else created_at + wait end,
       case when status in ('QUEUED', 'RUNNING') then null
            else created_at + wait + run end,
       case status when 'QUEUED' then 1 when 'RUNNING' then 3
                   when 'CANCELLED' then case when outcome < 0.33 then 2 else 4 end
                   else 5 end
     from plan join node on node.idx = plan.node_idx`,
    [
      nodes.map((n) => n.id),
      nodes.map((n) => n.organizationId),
      nodes.map((n) => n.environment),
      nodes.flatMap((n) => n.applications),
      nodes.flatMap((n) => n.deployers),
      nodes.length,
      size.deployments,
      DEPLOYMENT_HISTORY_DAYS * 86_400,
      QUEUED_RECENT,
      RUNNING_RECENT,
    ],
  );
  // Rollbacks as rollbackDeployment makes them: of a SUCCEEDED deployment, to the version of the
  // successful one before it (same node, application and environment); the rollback succeeded,
  // so the deployment it rolled back is ROLLED_BACK, with one more event.
  await client.query(`
    with history as (
      select id, status, version,
        lag(id) over w as previous_id, lag(status) over w as previous_status,
        lag(version) over w as previous_version,
        lag(status, 2) over w as older_status, lag(version, 2) over w as older_version
      from deployments.deployments
      window w as (partition by node_id, application, environment order by created_at, id)
    ),
    chosen as (
      select id, previous_id, older_version from history
      where status = 'SUCCEEDED' and previous_status = 'SUCCEEDED' and older_status = 'SUCCEEDED'
        and older_version <> previous_version and random() < 0.04
    ),
    rolled_back as (
      update deployments.deployments d
      set status = 'ROLLED_BACK', last_event_sequence = last_event_sequence + 1
      from chosen where d.id = chosen.previous_id
      returning d.id
    )
    update deployments.deployments d
    set rollback_of = chosen.previous_id, version = chosen.older_version
    from chosen
    -- A deployment rolled back by one choice cannot also be another's rollback.
    where d.id = chosen.id and chosen.id not in (select previous_id from chosen)`);
  // Undo the ROLLED_BACK marks whose rollback was dropped by that last condition.
  await client.query(`
    update deployments.deployments d
    set status = 'SUCCEEDED', last_event_sequence = last_event_sequence - 1
    where status = 'ROLLED_BACK'
      and not exists (select 1 from deployments.deployments r where r.rollback_of = d.id)`);
  // The messages are the ones the services write (history.ts, lifecycle and agent services).
  const events = await client.query(`
    insert into deployments.deployment_events
      (id, deployment_id, sequence, type, status, level, message, created_at)
    select gen_random_uuid(), d.id,
      row_number() over (partition by d.id order by step.n), step.type, step.status, step.level,
      step.message, step.at
    from deployments.deployments d
    left join deployments.deployments original on original.id = d.rollback_of
    left join deployments.deployments rollback on rollback.rollback_of = d.id
    cross join lateral (values
      (1, 'STATUS_CHANGED', 'QUEUED', 'INFO',
        case when original.id is null
          then format('Queued %s %s for %s.', d.application, d.version, d.environment)
          else format('Queued rollback of %s from %s to %s.', d.application, original.version, d.version)
        end, d.created_at, true),
      (2, 'STATUS_CHANGED', 'RUNNING', 'INFO', 'Claimed by the node agent.', d.started_at,
        d.started_at is not null),
      (3, 'LOG', null, 'INFO', format('Pulling registry.local/%s:%s', d.application, d.version),
        d.started_at + interval '1 second', d.started_at is not null),
      (4, 'LOG', null, case when d.status = 'FAILED' then 'ERROR' else 'INFO' end,
        case when d.status = 'FAILED' then 'Health check failed: connection refused on :8080'
             else 'Health check passed.' end,
        d.finished_at - interval '1 second', d.status in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK')),
      (5, 'STATUS_CHANGED', case when d.status = 'ROLLED_BACK' then 'SUCCEEDED' else d.status end,
        case d.status when 'FAILED' then 'ERROR' when 'CANCELLED' then 'WARN' else 'INFO' end,
        case when d.status = 'CANCELLED' then 'Cancelled by a user.'
             when d.status = 'FAILED' then 'Status changed from RUNNING to FAILED.'
             else 'Status changed from RUNNING to SUCCEEDED.' end,
        d.finished_at, d.finished_at is not null),
      (6, 'STATUS_CHANGED', 'ROLLED_BACK', 'WARN',
        format('Rolled back to %s by deployment %s.', rollback.version, rollback.id),
        rollback.finished_at, d.status = 'ROLLED_BACK')
    ) as step(n, type, status, level, message, at, present)
    where step.present`);
  const [check] = (
    await client.query<{ mismatched: string }>(`
      select count(*) as mismatched from deployments.deployments d
      where last_event_sequence <> (
        select count(*) from deployments.deployment_events e where e.deployment_id = d.id)`)
  ).rows;
  if (check?.mismatched !== '0')
    throw new Error(`${check?.mismatched} deployments disagree with their events`);
  await client.query('commit');
  return events.rowCount ?? 0;
}

interface SeededChannel {
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
async function seedMessages(
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

/** What autovacuum would long have done on a database that grew to this size. */
async function analyze(client: Client): Promise<void> {
  for (const table of [
    'users.users',
    'users.sessions',
    'nodes.nodes',
    'deployments.deployments',
    'deployments.deployment_events',
    'messages.channels',
    'messages.channel_members',
    'messages.messages',
  ])
    await client.query(`vacuum (analyze) ${table}`);
}

/** Seeds `databaseUrl`, whose schemas every subgraph has migrated, and prints how long it took. */
export async function seedLargeDataset(
  databaseUrl: string,
  size: DatasetSize = FULL_DATASET,
): Promise<SeededDataset> {
  const started = Date.now();
  const random = createRandom(42);
  const organizations = await withClient(databaseUrl, (client) => seedUsers(client, size, random));
  // Chat and the fleet are independent: two connections load them side by side.
  const [busiestChannel, deploymentEvents] = await Promise.all([
    withClient(databaseUrl, (client) => seedMessages(client, organizations, size, random)),
    withClient(databaseUrl, async (client) => {
      const nodes = await seedNodes(client, organizations, size, random);
      return seedDeployments(client, nodes, size);
    }),
  ]);
  await withClient(databaseUrl, analyze);
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `Seeded ${size.users} users, ${size.nodes} nodes, ${size.deployments} deployments with ${deploymentEvents} events, ${size.messages} messages in ${size.channels} channels in ${seconds.toFixed(1)} s.`,
  );
  return {
    size,
    organizations: organizations.map(({ id, name }) => ({ id, name })),
    users: organizations.flatMap((o) => o.users),
    busiestChannel: {
      id: busiestChannel.id,
      name: busiestChannel.name,
      messages: busiestChannel.messages,
    },
    deploymentEvents,
    seconds,
  };
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('Set DATABASE_URL to a database `npm run migrate` prepared.');
    process.exit(2);
  }
  seedLargeDataset(url, scaleDataset(Number(process.env.BENCH_SCALE ?? 1))).catch(
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
