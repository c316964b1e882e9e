/**
 * Every connection of the API paged every way it can be, against one page holding it all, over
 * generated cases: forward in pages of random sizes, resumed from any edge's cursor, backward
 * where a connection pages backward (`last`, `before`), with random filters — each way must give
 * the same items in the same order, once each, with page info that agrees with its edges. A
 * connection inside a list (each node's deployments in `nodes`, each channel's members) is
 * resolved for all its parents at once (batched, one statement per level); each parent's page
 * there must be the page it gets when asked for alone. And `deploymentStats`, cached in Redis and
 * read while the deployments change, must count what the list of them holds.
 *
 * The data has what paging trips over: deployments created concurrently, in every status, on
 * nodes of several kinds, regions and statuses; log lines reported several at once (one
 * transaction); deleted messages; channels with a member or many. The seed is printed
 * (TEST_SEED=<seed> replays its choices).
 */
import { STATS } from './support/deployments';
import { graphql, requireData } from './support/graphql';
import { authenticateNode, heartbeat, registerNode, type NodeSession } from './support/nodes';
import { addUser, signUp, type SignedIn } from './support/seed';
import { NOTHING_EXPIRES, startStack, type Stack } from './support/stack';
import { Random } from './faults/schedule';

const SEED = Number(process.env.TEST_SEED || Math.floor(Math.random() * 2 ** 31));
const CASES = 120;
const ALL = 500; // MAX_PAGE_SIZE: every connection here fits in one page of it

let stack: Stack;
let url: string;
let admin: SignedIn;

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'nodes', 'messages', 'deployments'],
    config: NOTHING_EXPIRES,
  });
  url = stack.gatewayUrl;
  admin = await signUp(url);
});
afterAll(() => stack?.stop());

const call = (who: Pick<SignedIn, 'headers'>, query: string, variables = {}) =>
  requireData(url, query, variables, who.headers);

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Connection {
  edges: { cursor: string; node: Record<string, unknown> }[];
  pageInfo: PageInfo;
}

const CONNECTION =
  '{ edges { cursor node { ...Item } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }';

/** A connection reachable from the root, with what identifies its items and its arguments. */
interface Subject {
  label: string;
  /** The type its items are, and the fields compared of each. */
  item: string;
  /** The query, with ARGS where the connection's arguments go and CONNECTION its selection. */
  document: string;
  /** The path from `data` to the connection. */
  path: string[];
  /** Its filters, as GraphQL argument text. */
  fixed: string;
  /** How it pages backward: `last` and `before`, `last` alone, or not at all. */
  backward: 'last-before' | 'last' | null;
  /** Who may see it, when not everyone in the organization may (a private channel's members). */
  viewers?: SignedIn[];
}

const ITEM_FIELDS: Record<string, string> = {
  Deployment: 'id status application environment createdAt',
  DeploymentEvent: 'id type status level message createdAt',
  Node: 'id name status kind region',
  User: 'id username role',
  Channel: 'id name kind',
  Message: 'id body deleted createdAt',
};

function documentOf(subject: Subject, args: string): string {
  const argument = [subject.fixed, args].filter(Boolean).join(', ');
  return `${subject.document.replace('ARGS', argument ? `(${argument})` : '').replace('CONNECTION', CONNECTION)}
    fragment Item on ${subject.item} { ${ITEM_FIELDS[subject.item]} }`;
}

async function page(who: SignedIn, subject: Subject, args: string): Promise<Connection> {
  const document = documentOf(subject, args);
  const first = await call(who, document);
  // Asked again, the gateway answers from its hot path: the same bytes.
  const second = await call(who, document);
  expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  let value: any = first;
  for (const key of subject.path) value = value?.[key];
  return value as Connection;
}

/** The page info a page's edges call for (start and end cursors are its edges'). */
function checkPageInfo(where: string, connection: Connection): string[] {
  const { edges, pageInfo } = connection;
  const problems: string[] = [];
  if (pageInfo.startCursor !== (edges[0]?.cursor ?? null))
    problems.push(`${where}: startCursor ${pageInfo.startCursor} is not the first edge's`);
  if (pageInfo.endCursor !== (edges.at(-1)?.cursor ?? null))
    problems.push(`${where}: endCursor ${pageInfo.endCursor} is not the last edge's`);
  return problems;
}

const quote = (value: string) => JSON.stringify(value);

it('pages every connection every way to the same items, and a batched page as one alone', async () => {
  console.log(`pagination-differential seed: ${SEED} (TEST_SEED=${SEED} replays it)`);
  const random = new Random(SEED);

  // ------------------------------------------------------------------------------------------
  // The organization
  // ------------------------------------------------------------------------------------------
  const people: SignedIn[] = [admin];
  for (const role of ['OPERATOR', 'DEVELOPER', 'DEVELOPER', 'VIEWER', 'DEVELOPER'] as const)
    people.push(await addUser(url, admin, role));
  const developers = people.filter((p) => p.user.role === 'ADMIN' || p.user.role === 'DEVELOPER');

  const regions = ['eu-west-1', 'us-east-1', 'ap-south-1'];
  const kinds = ['VM', 'DOCKER_HOST', 'KUBERNETES'];
  const agents: { id: string; session: NodeSession }[] = [];
  const nodeIds: string[] = [];
  for (let i = 0; i < 8; i++) {
    const registered = await registerNode(url, admin, {
      region: random.pick(regions),
      kind: random.pick(kinds) as 'VM',
    });
    nodeIds.push(registered.node.id);
    if (i < 5) {
      const session = await authenticateNode(url, registered);
      agents.push({ id: registered.node.id, session });
      await heartbeat(url, session, { cpuPercent: i % 2 ? 99 : 10 });
    }
  }
  // deploymentStats is read while deployments change, so that its cache holds counts that the
  // changes make stale and reads race the writes; in the end it must count what the list holds.
  const readStats = async () =>
    (await call(random.pick(people), STATS)).deploymentStats as Record<string, number>;
  const deploymentIds: string[] = [];
  for (let burst = 0; burst < 12; burst++) {
    // Created at once: neighbours in time, some maybe on the same microsecond.
    const [created] = await Promise.all([
      Promise.all(
        Array.from({ length: random.between(1, 6) }, () => {
          const input = {
            nodeId: random.pick(agents).id,
            application: `app-${random.between(0, 3)}`,
            version: `1.${random.between(0, 9)}.0`,
            environment: random.pick(['production', 'staging', 'dev']),
          };
          return call(
            random.pick(developers),
            'mutation($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }',
            { input },
          );
        }),
      ),
      readStats(),
    ]);
    deploymentIds.push(...created.map((data) => data.createDeployment.id as string));
  }
  for (let step = 0; step < 40; step++) {
    const agent = random.pick(agents);
    const claimed = await call(agent.session, 'mutation { claimDeployment { id } }');
    if (!claimed.claimDeployment) continue;
    const logs = Array.from({ length: random.between(0, 8) }, (_, i) => ({ message: `line ${i}` }));
    if (random.next() < 0.3) await readStats();
    await call(
      agent.session,
      'mutation($input: ReportDeploymentProgressInput!) { reportDeploymentProgress(input: $input) { id } }',
      {
        input: {
          deploymentId: claimed.claimDeployment.id,
          logs,
          status: random.pick(['SUCCEEDED', 'FAILED', undefined]),
        },
      },
    );
  }
  // One that has ended meanwhile is refused (CONFLICT): either answer leaves usable data.
  for (const id of deploymentIds.filter(() => random.next() < 0.15)) {
    await Promise.all([
      graphql(
        url,
        'mutation($id: ID!) { cancelDeployment(id: $id) { id } }',
        { id },
        admin.headers,
      ),
      readStats(),
    ]);
  }
  const listed = await call(admin, `{ deployments(first: ${ALL}) { edges { node { status } } } }`);
  const counted = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, rolledBack: 0 };
  for (const { node } of listed.deployments.edges as { node: { status: string } }[]) {
    const field = node.status.toLowerCase().replace(/_(.)/g, (_, c: string) => c.toUpperCase());
    counted[field as keyof typeof counted] += 1;
  }
  // Twice: computed afresh or from the cache, then from the cache.
  expect(await readStats()).toEqual(counted);
  expect(await readStats()).toEqual(counted);

  const channelIds: string[] = [];
  const membersOf = new Map<string, SignedIn[]>();
  for (let i = 0; i < 5; i++) {
    const { createChannel } = await call(
      admin,
      'mutation($input: CreateChannelInput!) { createChannel(input: $input) { id } }',
      // The first, where messages are posted, is public.
      {
        input: {
          name: `paging-${SEED}-${i}`,
          kind: i ? random.pick(['PUBLIC', 'PRIVATE']) : 'PUBLIC',
        },
      },
    );
    channelIds.push(createChannel.id);
    const members = [admin];
    membersOf.set(createChannel.id, members);
    for (const person of people.slice(1)) {
      if (random.next() < 0.6 && members.push(person))
        await call(
          admin,
          'mutation($c: ID!, $u: ID!) { addChannelMember(channelId: $c, userId: $u) { id } }',
          {
            c: createChannel.id,
            u: person.user.id,
          },
        );
    }
  }
  const messageIds: string[] = [];
  const postIn = channelIds[0]!;
  for (let i = 0; i < 45; i++) {
    const { postMessage } = await call(
      admin,
      'mutation($input: PostMessageInput!) { postMessage(input: $input) { id } }',
      { input: { channelId: postIn, body: `message ${i}` } },
    );
    messageIds.push(postMessage.id);
  }
  for (const id of messageIds.filter(() => random.next() < 0.2))
    await call(admin, 'mutation($id: ID!) { deleteMessage(id: $id) { id } }', { id });

  // ------------------------------------------------------------------------------------------
  // The connections, with generated filters
  // ------------------------------------------------------------------------------------------
  const statuses = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
  const deploymentFilter = () => {
    const parts: string[] = [];
    if (random.next() < 0.4) parts.push(`status: ${random.pick(statuses)}`);
    if (random.next() < 0.3) parts.push(`nodeId: ${quote(random.pick(nodeIds))}`);
    if (random.next() < 0.3) parts.push(`application: ${quote(`app-${random.between(0, 3)}`)}`);
    if (random.next() < 0.3)
      parts.push(`environment: ${quote(random.pick(['production', 'dev']))}`);
    return parts.length ? `filter: { ${parts.join(', ')} }` : '';
  };
  const nodeFilter = () => {
    const parts: string[] = [];
    if (random.next() < 0.3)
      parts.push(`status: ${random.pick(['PENDING', 'ONLINE', 'DEGRADED'])}`);
    if (random.next() < 0.3) parts.push(`kind: ${random.pick(kinds)}`);
    if (random.next() < 0.3) parts.push(`region: ${quote(random.pick(regions))}`);
    return parts.length ? `filter: { ${parts.join(', ')} }` : '';
  };
  /** A root list, or a parent's list (`parent(id: …) { field }`). */
  const root = (field: string, item: string, fixed = ''): Subject => ({
    label: field,
    item,
    document: `{ ${field} ARGS CONNECTION }`,
    path: [field],
    fixed,
    backward: null,
  });
  const of = (parent: string, id: string, field: string, item: string): Subject => ({
    label: `${parent} ${id} ${field}`,
    item,
    document: `{ ${parent}(id: ${quote(id)}) { ${field} ARGS CONNECTION } }`,
    path: [parent, field],
    fixed: '',
    backward: null,
  });
  const subjects: (() => Subject)[] = [
    () => root('users', 'User'),
    () => root('channels', 'Channel'),
    () => root('nodes', 'Node', nodeFilter()),
    () => root('deployments', 'Deployment', deploymentFilter()),
    () => ({
      ...of('node', random.pick(nodeIds), 'deployments', 'Deployment'),
      fixed: random.next() < 0.4 ? `status: ${random.pick(statuses)}` : '',
    }),
    () => of('user', random.pick(people).user.id, 'deployments', 'Deployment'),
    () => {
      const id = random.pick(channelIds);
      return { ...of('channel', id, 'members', 'User'), viewers: membersOf.get(id) };
    },
    () => ({ ...of('channel', postIn, 'messages', 'Message'), backward: 'last-before' }),
    () => ({
      ...of('deployment', random.pick(deploymentIds), 'events', 'DeploymentEvent'),
      backward: 'last',
    }),
  ];

  // ------------------------------------------------------------------------------------------
  // Each case: the whole connection in one page, then paged another way
  // ------------------------------------------------------------------------------------------
  const problems: string[] = [];
  const ids = (connection: Connection) => connection.edges.map((edge) => JSON.stringify(edge.node));
  let pagesRead = 0;
  for (let n = 0; n < CASES && problems.length === 0; n++) {
    const subject = random.pick(subjects)();
    const who = random.pick(subject.viewers ?? people);
    const whole = await page(who, subject, `first: ${ALL}`);
    const truth = ids(whole);
    const where = `${subject.label} (${subject.fixed || 'no filter'}) as ${who.user.role}`;
    problems.push(...checkPageInfo(`${where}, whole`, whole));
    if (whole.pageInfo.hasNextPage) problems.push(`${where}: one page of ${ALL} has a next page`);
    const size = random.between(1, 7);

    /** Every item from `cursor` on, one page of `size` at a time, in the list's order. */
    const walk = async (direction: 'forward' | 'backward', cursor: string | null) => {
      const forward = direction === 'forward';
      const items: string[] = [];
      for (let pages = 0; pages <= truth.length + 1; pages++) {
        const bound = cursor ? `, ${forward ? 'after' : 'before'}: ${quote(cursor)}` : '';
        const got = await page(who, subject, `${forward ? 'first' : 'last'}: ${size}${bound}`);
        pagesRead += 1;
        problems.push(...checkPageInfo(`${where}, ${direction} from ${cursor}`, got));
        if (forward) items.push(...ids(got));
        else items.unshift(...ids(got));
        if (!(forward ? got.pageInfo.hasNextPage : got.pageInfo.hasPreviousPage)) break;
        if (got.edges.length === 0) {
          problems.push(`${where}: an empty page says there is more ${direction}`);
          break;
        }
        cursor = forward ? got.pageInfo.endCursor : got.pageInfo.startCursor;
      }
      return items;
    };
    const sameItems = (what: string, got: string[], expected: string[]) => {
      if (JSON.stringify(got) !== JSON.stringify(expected))
        problems.push(
          `${where}: ${what}: ${got.length} items, expected ${expected.length}\n  got:      ${got.join(' ')}\n  expected: ${expected.join(' ')}`,
        );
    };

    // Forward from the start, or from a random edge's cursor.
    const from = random.between(-1, truth.length - 1);
    sameItems(
      `forward in pages of ${size} after edge ${from}`,
      await walk('forward', from < 0 ? null : whole.edges[from]!.cursor),
      truth.slice(from + 1),
    );
    if (subject.backward === 'last')
      sameItems(`last ${size}`, ids(await page(who, subject, `last: ${size}`)), truth.slice(-size));
    if (subject.backward === 'last-before')
      sameItems(`backward in pages of ${size}`, await walk('backward', null), truth);
  }

  // ------------------------------------------------------------------------------------------
  // Batched: a connection of every parent in a list, against each parent's page alone
  // ------------------------------------------------------------------------------------------
  /** A list of parents (`list`, each also reachable as `single(id: …)`) and a connection of each. */
  const nested: {
    list: string;
    single: string;
    field: string;
    item: string;
    args: () => string;
  }[] = [
    {
      list: 'nodes',
      single: 'node',
      field: 'deployments',
      item: 'Deployment',
      args: () =>
        `first: ${random.between(1, 12)}${random.next() < 0.4 ? `, status: ${random.pick(statuses)}` : ''}`,
    },
    {
      list: 'users',
      single: 'user',
      field: 'deployments',
      item: 'Deployment',
      args: () => `first: ${random.between(1, 12)}`,
    },
    {
      list: 'channels',
      single: 'channel',
      field: 'members',
      item: 'User',
      args: () => `first: ${random.between(1, 5)}`,
    },
    {
      list: 'deployments',
      single: 'deployment',
      field: 'events',
      item: 'DeploymentEvent',
      args: () => `${random.pick(['first', 'last'])}: ${random.between(1, 6)}`,
    },
  ];
  let parentsCompared = 0;
  for (let n = 0; n < 12 && problems.length === 0; n++) {
    const { list, single, field, item, args } = random.pick(nested);
    const who = random.pick(people);
    const argument = args();
    const inner = `${field}(${argument}) ${CONNECTION}`;
    const fragment = `fragment Item on ${item} { ${ITEM_FIELDS[item]} }`;
    const batched = await call(
      who,
      `{ ${list}(first: 100) { edges { node { id ${inner} } } } } ${fragment}`,
    );
    for (const edge of batched[list].edges as { node: Record<string, any> }[]) {
      const alone = await call(
        who,
        `{ parent: ${single}(id: ${quote(edge.node.id)}) { ${inner} } } ${fragment}`,
      );
      parentsCompared += 1;
      if (JSON.stringify(alone.parent[field]) !== JSON.stringify(edge.node[field]))
        problems.push(
          `${list} → ${field} (${argument}) as ${who.user.role}, parent ${edge.node.id}:\n  batched: ${JSON.stringify(edge.node[field])}\n  alone:   ${JSON.stringify(alone.parent[field])}`,
        );
    }
  }

  console.log(
    `pagination-differential: ${CASES} cases, ${pagesRead} pages, ${parentsCompared} batched parents compared`,
  );
  if (problems.length) throw new Error(`seed ${SEED}:\n${problems.slice(0, 8).join('\n')}`);
}, 240_000);
