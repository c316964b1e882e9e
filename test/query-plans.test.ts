/**
 * Query plans of the hot read paths. On a database of several organizations with thousands of
 * rows per table (ANALYZEd, so the planner chooses as it would in production), the subgraphs'
 * own services and loaders run the dashboard query, the chat query and every other list, first
 * pages and deep ones; each SQL statement they send is captured as sent and EXPLAIN ANALYZEd. No
 * plan may read a large table beyond what it returns: no sequential scan, no sort of a page that
 * an index should deliver in order, no scan discarding more rows than it keeps. Dropping an
 * index one of these paths needs makes this test fail.
 */
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { LOCAL_SUBGRAPHS } from '../dev/subgraphs';
import type { RequestInfo } from '../subgraphs/kit/request-info';
import { createLogger } from '../platform/logger';
import { createDatabase, migrate, type Database } from '../subgraphs/kit/orm';
import type { UserPrincipal } from '../platform/principal';
import { createDeploymentsContext, type DeploymentsDeps } from '../subgraphs/deployments/context';
import {
  listDeployments,
  ownerDeployments,
} from '../subgraphs/deployments/services/deployments-service';
import { eventPage } from '../subgraphs/deployments/services/events-service';
import { createMessagesContext, type MessagesDeps } from '../subgraphs/messages/context';
import {
  getChannel,
  listChannels,
  listMembers,
} from '../subgraphs/messages/services/channels-service';
import { listMessages } from '../subgraphs/messages/services/messages-service';
import { createNodesContext, type NodesDeps } from '../subgraphs/nodes/context';
import { findVisibleNode, listNodes } from '../subgraphs/nodes/services/nodes-service';
import { createUsersContext, type UsersDeps } from '../subgraphs/users/context';
import { findVisibleUser, listUsers } from '../subgraphs/users/services/users-service';
import { createTestDatabase, type TestDatabase } from './support/database';
import { LOG_LEVEL } from './support/env';

/** The tables that grow with the platform: no plan may read them beyond what it returns. */
const LARGE_TABLES = [
  'deployments',
  'deployment_events',
  'nodes',
  'users',
  'channels',
  'channel_members',
  'messages',
];

const ORGANIZATIONS = 20;
const USERS_PER_ORGANIZATION = 500;
const NODES_PER_ORGANIZATION = 500;
const DEPLOYMENTS_PER_ORGANIZATION = 1_000;
const EVENTS_PER_DEPLOYMENT = 4;
/** Deployments go to a few busy nodes, triggered by a few people (or their CI). */
const DEPLOYING_NODES_PER_ORGANIZATION = 20;
const DEPLOYING_USERS_PER_ORGANIZATION = 10;
const CHANNELS_PER_ORGANIZATION = 100;
const MEMBERS_PER_CHANNEL = 25;
const MESSAGES_PER_CHANNEL = 60;

/**
 * Row i of an entity belongs to organization i % ORGANIZATIONS and varies (status, kind, …) with
 * i / ORGANIZATIONS; its id is derived from its kind and number, so rows of one organization
 * refer to each other without lookups.
 */
const SEED = `
  insert into users.organizations (id, name, slug, created_at)
    select md5('organization-' || o)::uuid, 'Organization ' || o, 'organization-' || o,
      now() - interval '2 years'
    from generate_series(0, ${ORGANIZATIONS - 1}) o;

  insert into users.users
      (id, organization_id, username, email, display_name, role, password_hash, created_at)
    select md5('user-' || u)::uuid, md5('organization-' || u % ${ORGANIZATIONS})::uuid,
      'user' || u, 'user' || u || '@example.com', 'User ' || u,
      (array['ADMIN', 'OPERATOR', 'DEVELOPER', 'VIEWER'])[1 + u / ${ORGANIZATIONS} % 4], 'not a hash',
      now() - interval '1 year' + u * interval '1 minute'
    from generate_series(0, ${ORGANIZATIONS * USERS_PER_ORGANIZATION - 1}) u;

  insert into nodes.nodes
      (id, organization_id, registered_by, name, kind, status, status_changed_at, region,
       labels, public_key, last_heartbeat_at, created_at)
    select md5('node-' || n)::uuid, md5('organization-' || n % ${ORGANIZATIONS})::uuid,
      md5('user-' || n % ${ORGANIZATIONS})::uuid, 'node-' || n,
      (array['DOCKER_HOST', 'SWARM', 'KUBERNETES', 'VM', 'PHYSICAL'])[1 + n / ${ORGANIZATIONS} % 5],
      (array['ONLINE', 'ONLINE', 'ONLINE', 'DEGRADED', 'OFFLINE'])[1 + n / ${ORGANIZATIONS} % 5],
      now(),
      (array['eu-west-1', 'eu-central-1', 'us-east-1'])[1 + n / ${ORGANIZATIONS} % 3], '{web}',
      md5('key-' || n), now(), now() - interval '1 year' + n * interval '1 minute'
    from generate_series(0, ${ORGANIZATIONS * NODES_PER_ORGANIZATION - 1}) n;

  insert into deployments.deployments
      (id, organization_id, node_id, application, version, environment, status, triggered_by,
       created_at, started_at, finished_at, last_event_sequence)
    select md5('deployment-' || d)::uuid, md5('organization-' || d % ${ORGANIZATIONS})::uuid,
      md5('node-' || (d % ${ORGANIZATIONS * DEPLOYING_NODES_PER_ORGANIZATION}))::uuid,
      'app-' || d / ${ORGANIZATIONS} % 13, 'v' || d,
      (array['production', 'staging'])[1 + d / ${ORGANIZATIONS} % 2],
      case when d / ${ORGANIZATIONS} % 10 = 0 then 'FAILED' else 'SUCCEEDED' end,
      md5('user-' || (d % ${ORGANIZATIONS * DEPLOYING_USERS_PER_ORGANIZATION}))::uuid,
      now() - interval '1 year' + d * interval '1 minute',
      now() - interval '1 year' + d * interval '1 minute' + interval '1 second',
      now() - interval '1 year' + d * interval '1 minute' + interval '30 seconds',
      ${EVENTS_PER_DEPLOYMENT}
    from generate_series(0, ${ORGANIZATIONS * DEPLOYMENTS_PER_ORGANIZATION - 1}) d;

  -- Log lines, then the final status change.
  insert into deployments.deployment_events
      (id, deployment_id, sequence, type, status, level, message, created_at)
    select md5('event-' || d.id || '-' || s)::uuid, d.id, s,
      case when s = ${EVENTS_PER_DEPLOYMENT} then 'STATUS_CHANGED' else 'LOG' end,
      case when s = ${EVENTS_PER_DEPLOYMENT} then d.status end, 'INFO', 'step ' || s,
      d.started_at + s * interval '1 second'
    from deployments.deployments d, generate_series(1, ${EVENTS_PER_DEPLOYMENT}) s;

  -- Every fifth channel is private.
  insert into messages.channels (id, organization_id, name, topic, kind, created_by, created_at,
      last_sequence)
    select md5('channel-' || c)::uuid, md5('organization-' || c % ${ORGANIZATIONS})::uuid,
      'channel-' || c, null,
      case when c / ${ORGANIZATIONS} % 5 = 0 then 'PRIVATE' else 'PUBLIC' end,
      md5('user-' || c % ${ORGANIZATIONS})::uuid, now() - interval '1 year',
      ${MESSAGES_PER_CHANNEL}
    from generate_series(0, ${ORGANIZATIONS * CHANNELS_PER_ORGANIZATION - 1}) c;

  -- Members of a channel are users of its organization: user c % ORGANIZATIONS (its creator)
  -- and the next ones of that organization.
  insert into messages.channel_members (channel_id, user_id, joined_at)
    select md5('channel-' || c)::uuid,
      md5('user-' || (c % ${ORGANIZATIONS} + m * ${ORGANIZATIONS}))::uuid,
      now() - interval '1 year' + m * interval '1 minute'
    from generate_series(0, ${ORGANIZATIONS * CHANNELS_PER_ORGANIZATION - 1}) c,
      generate_series(0, ${MEMBERS_PER_CHANNEL - 1}) m;

  insert into messages.messages (id, channel_id, sequence, author_id, body, created_at)
    select md5('message-' || c || '-' || s)::uuid, md5('channel-' || c)::uuid, s,
      md5('user-' || (c % ${ORGANIZATIONS} + (s % ${MEMBERS_PER_CHANNEL}) * ${ORGANIZATIONS}))::uuid,
      'message ' || s, now() - interval '1 year' + s * interval '1 minute'
    from generate_series(0, ${ORGANIZATIONS * CHANNELS_PER_ORGANIZATION - 1}) c,
      generate_series(1, ${MESSAGES_PER_CHANNEL}) s;

  analyze;
`;

/** The id the seed gives row `n` of `kind`, as PostgreSQL's `md5(kind || '-' || n)::uuid`. */
function seededId(kind: string, n: number): string {
  const hex = createHash('md5').update(`${kind}-${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** User 0: an ADMIN of organization 0, member of its first channel, a private one. */
const principal: UserPrincipal = {
  kind: 'user',
  userId: seededId('user', 0),
  organizationId: seededId('organization', 0),
  role: 'ADMIN',
};
const privateChannelId = seededId('channel', 0);

let testDatabase: TestDatabase;
const databases: Record<string, Database> = {};
let sql: Client;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  for (const subgraph of LOCAL_SUBGRAPHS) {
    const database = await createDatabase({
      url: testDatabase.url,
      schema: subgraph.name,
      entities: subgraph.entities,
      migrations: subgraph.migrations,
      poolSize: 2,
      logger: createLogger({ name: subgraph.name, level: LOG_LEVEL }),
    });
    await migrate(database);
    databases[subgraph.name] = database;
  }
  sql = new Client({ connectionString: testDatabase.url });
  await sql.connect();
  await sql.query(SEED);
}, 120_000);

afterAll(async () => {
  await sql?.end();
  for (const database of Object.values(databases)) await database.close();
  await testDatabase?.drop();
});

/** What a subgraph knows of the request: the caller, on a query. Its read paths use nothing else. */
const request: () => RequestInfo = () => ({
  requestId: 'query-plans',
  principal,
  clientAddress: '127.0.0.1',
  logger: createLogger({ name: 'query-plans', level: LOG_LEVEL }),
  credentials: { authorization: undefined, apiKey: undefined },
  // Read-only, as for every query: the plain-row statements are the ones production sends.
  mode: { readOnly: true },
});

/**
 * Per-request contexts as the subgraphs build them. Their other dependencies (pub/sub, caches,
 * clients of other subgraphs) serve writes and subscriptions only, so reads get none.
 */
const contexts = {
  deployments: () =>
    createDeploymentsContext({ fork: databases.deployments!.fork } as DeploymentsDeps, request()),
  nodes: () => createNodesContext({ fork: databases.nodes!.fork } as NodesDeps, request()),
  users: () => createUsersContext({ fork: databases.users!.fork } as UsersDeps, request()),
  messages: () =>
    createMessagesContext({ fork: databases.messages!.fork } as MessagesDeps, request()),
};

/** A statement as a subgraph sent it: its text and the values bound to its parameters. */
interface Statement {
  sql: string;
  bindings: unknown[];
}

/** The SQL a subgraph sent while `run` ran, exactly as sent. */
async function captureStatements<T>(
  subgraph: string,
  run: () => Promise<T>,
): Promise<{ result: T; statements: Statement[] }> {
  const knex = databases[subgraph]!.orm.em.getConnection().getKnex();
  const statements: Statement[] = [];
  const listener = ({ sql: text, bindings }: { sql: string; bindings?: unknown[] }) =>
    statements.push({ sql: text, bindings: bindings ?? [] });
  knex.on('query', listener);
  try {
    return { result: await run(), statements };
  } finally {
    knex.removeListener('query', listener);
  }
}

type PlanRow = { 'QUERY PLAN': [{ Plan: PlanNode }] };

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

interface Explained {
  statement: string;
  /** The statement's generic plan, for a statement with parameters. */
  generic?: Explained;
  /** Every table scan of the plan, e.g. `Index Scan on messages`. */
  scans: string[];
  /** Tables whose rows the plan sorts straight off a scan: an order no index delivered. */
  sorted: string[];
  /** Per table, rows a scan read and discarded (its index did not bound it) and rows it kept. */
  filtered: { table: string; discarded: number; kept: number }[];
}

const scanOf = (plan: PlanNode) =>
  plan['Relation Name'] ? `${plan['Node Type']} on ${plan['Relation Name']}` : null;

function explain(statement: string, plan: PlanNode): Explained {
  const scans: string[] = [];
  const sorted: string[] = [];
  const filtered: Explained['filtered'] = [];
  const visit = (node: PlanNode) => {
    const scan = scanOf(node);
    if (scan) scans.push(scan);
    if (node['Relation Name'] && node['Rows Removed by Filter']) {
      filtered.push({
        table: node['Relation Name'],
        discarded: node['Rows Removed by Filter'] * node['Actual Loops'],
        kept: node['Actual Rows'] * node['Actual Loops'],
      });
    }
    const children = node.Plans ?? [];
    if (node['Node Type'].endsWith('Sort')) {
      for (const child of children) if (child['Relation Name']) sorted.push(child['Relation Name']);
    }
    children.forEach(visit);
  };
  visit(plan);
  return { statement, scans, sorted, filtered };
}

/** A parameter's value as text, as the pg driver sends it (the parameters here are plain). */
const textOf = (value: unknown): string =>
  Array.isArray(value)
    ? `{${value.map((item) => JSON.stringify(String(item))).join(',')}}`
    : value instanceof Date
      ? value.toISOString()
      : String(value);

/**
 * Each statement's plan for its values, and — read statements being prepared once per
 * connection (kit/reads.ts), which lets PostgreSQL switch to one plan for all values after a few
 * runs — its generic plan too: both must read only what they return.
 */
async function explainAll(statements: Statement[]): Promise<Explained[]> {
  const explained = [];
  for (const { sql: text, bindings } of statements) {
    const custom = await sql.query<PlanRow>(`explain (analyze, format json) ${text}`, bindings);
    const plan = explain(text, custom.rows[0]!['QUERY PLAN'][0].Plan);
    explained.push(plan);
    if (bindings.length === 0) continue;
    await sql.query(`prepare generic_plan as ${text}`);
    try {
      await sql.query('set plan_cache_mode = force_generic_plan');
      const values = bindings.map((value) => sql.escapeLiteral(textOf(value)));
      const generic = await sql.query<PlanRow>(
        `explain (analyze, format json) execute generic_plan(${values.join(', ')})`,
      );
      plan.generic = explain(`${text} (generic plan)`, generic.rows[0]!['QUERY PLAN'][0].Plan);
    } finally {
      await sql.query('reset plan_cache_mode; deallocate generic_plan');
    }
  }
  return explained;
}

/**
 * Plans that read more of a large table than the rows they return: a sequential scan, a page
 * sorted after reading every candidate row (when no index gives the page's order), or a scan
 * that discards more rows than it keeps (e.g. a keyset cursor that does not bound the index).
 */
function wastefulReads(explained: Explained[]) {
  const plans = explained.flatMap((plan) => (plan.generic ? [plan, plan.generic] : [plan]));
  return plans.flatMap(({ statement, scans, sorted, filtered }) => [
    ...scans
      .filter((scan) => LARGE_TABLES.some((table) => scan === `Seq Scan on ${table}`))
      .map((problem) => ({ problem, statement })),
    ...sorted
      .filter((table) => LARGE_TABLES.includes(table))
      .map((table) => ({ problem: `Sort of ${table}`, statement })),
    ...filtered
      .filter(({ table, discarded, kept }) => LARGE_TABLES.includes(table) && discarded > kept)
      .map(({ table, discarded, kept }) => ({
        problem: `Scan of ${table} discarding ${discarded} rows to keep ${kept}`,
        statement,
      })),
  ]);
}

/** The tables each statement scans, in order. */
const tablesOf = (explained: Explained[]) =>
  explained.map(({ scans }) => scans.map((scan) => scan.split(' on ')[1]));

it('serves the dashboard query from indexes: deployments page, latest events, nodes, users', async () => {
  // deployments(first: 50) { node events(last: 3) triggeredBy }, resolved as the subgraphs do.
  const deployments = await captureStatements('deployments', async () => {
    const ctx = contexts.deployments();
    const page = await listDeployments(ctx, { first: 50 });
    const events = await Promise.all(
      page.edges.map(({ node }) => eventPage(ctx, node, { last: 3 })),
    );
    return { page, events };
  });
  const { page, events } = deployments.result;
  expect(page.edges).toHaveLength(50);
  expect(events.map((connection) => connection.edges.length)).toEqual(Array(50).fill(3));

  const nodeIds = [...new Set(page.edges.map(({ node }) => node.nodeId))];
  const nodes = await captureStatements('nodes', () => {
    const ctx = contexts.nodes();
    return Promise.all(nodeIds.map((id) => findVisibleNode(ctx, id)));
  });
  expect(nodes.result.map((node) => node?.id)).toEqual(nodeIds);

  const userIds = [...new Set(page.edges.map(({ node }) => node.triggeredBy))];
  const users = await captureStatements('users', () => {
    const ctx = contexts.users();
    return Promise.all(userIds.map((id) => findVisibleUser(ctx, id)));
  });
  expect(users.result.map((user) => user?.id)).toEqual(userIds);

  const statements = [deployments, nodes, users].flatMap(({ statements }) => statements);
  // The page, the events of all its deployments, all nodes at once, all users at once.
  expect(statements).toHaveLength(4);
  const explained = await explainAll(statements);
  expect(tablesOf(explained)).toEqual([
    ['deployments'],
    ['deployment_events'],
    ['nodes'],
    ['users'],
  ]);
  expect(wastefulReads(explained)).toEqual([]);
});

it('serves the chat query from indexes: a private channel, its 50 latest messages, their authors', async () => {
  const messages = await captureStatements('messages', async () => {
    const ctx = contexts.messages();
    const channel = await getChannel(ctx, privateChannelId);
    return listMessages(ctx, channel, { last: 50 });
  });
  expect(messages.result.edges).toHaveLength(50);

  const authorIds = [...new Set(messages.result.edges.map(({ node }) => node.authorId))];
  const users = await captureStatements('users', () => {
    const ctx = contexts.users();
    return Promise.all(authorIds.map((id) => findVisibleUser(ctx, id)));
  });
  expect(users.result.map((user) => user?.id)).toEqual(authorIds);

  // The channel, the caller's membership of it (it is private), the page, the authors.
  const statements = [...messages.statements, ...users.statements];
  expect(statements).toHaveLength(4);
  const explained = await explainAll(statements);
  expect(tablesOf(explained)).toEqual([
    ['channels'],
    ['channel_members'],
    ['messages', 'messages'],
    ['users'],
  ]);
  expect(wastefulReads(explained)).toEqual([]);
});

/** A list's first page and one ten pages further on (where a cursor that does not seek shows). */
async function firstAndDeepPages(
  subgraph: keyof typeof contexts,
  size: number,
  page: (
    first: number,
    after: string | null,
  ) => Promise<{ pageInfo: { endCursor: string | null } }>,
): Promise<Statement[]> {
  const deep = (await page(size * 10, null)).pageInfo.endCursor;
  expect({ subgraph, deep }).toEqual({ subgraph, deep: expect.any(String) });
  const captured = await captureStatements(subgraph, async () => {
    await page(size, null);
    await page(size, deep);
  });
  return captured.statements;
}

it('serves every other list from indexes, first pages and pages deep in the list alike', async () => {
  const deployment = (await listDeployments(contexts.deployments(), { first: 1 })).edges[0]!.node;
  const channel = await getChannel(contexts.messages(), privateChannelId);
  const lists: Record<string, Statement[]> = {
    deployments: await firstAndDeepPages('deployments', 20, (first, after) =>
      listDeployments(contexts.deployments(), { first, after }),
    ),
    'deployments by status': await firstAndDeepPages('deployments', 20, (first, after) =>
      listDeployments(contexts.deployments(), { first, after, filter: { status: 'SUCCEEDED' } }),
    ),
    'Node.deployments': await firstAndDeepPages('deployments', 4, (first, after) =>
      ownerDeployments(contexts.deployments(), 'node', deployment.nodeId, { first, after }),
    ),
    'User.deployments': await firstAndDeepPages('deployments', 5, (first, after) =>
      ownerDeployments(contexts.deployments(), 'user', deployment.triggeredBy, { first, after }),
    ),
    'deployment log': (
      await captureStatements('deployments', () =>
        eventPage(contexts.deployments(), deployment, { first: 500 }),
      )
    ).statements,
    nodes: await firstAndDeepPages('nodes', 20, (first, after) =>
      listNodes(contexts.nodes(), { first, after }),
    ),
    'nodes by region': await firstAndDeepPages('nodes', 10, (first, after) =>
      listNodes(contexts.nodes(), { first, after, filter: { region: 'eu-west-1' } }),
    ),
    users: await firstAndDeepPages('users', 20, (first, after) =>
      listUsers(contexts.users(), { first, after }),
    ),
    channels: await firstAndDeepPages('messages', 5, (first, after) =>
      listChannels(contexts.messages(), { first, after }),
    ),
    'channel members': await firstAndDeepPages('messages', 2, (first, after) =>
      listMembers(contexts.messages(), channel, { first, after }),
    ),
  };
  const problems: Record<string, unknown[]> = {};
  for (const [list, statements] of Object.entries(lists)) {
    const explained = await explainAll(statements);
    problems[list] = wastefulReads(explained);
  }
  expect(problems).toEqual(Object.fromEntries(Object.keys(lists).map((list) => [list, []])));
});
