/**
 * A resumed stream against the live one, over generated selections, arguments, transports and
 * event sequences: whoever resumes a stream from a cursor its live subscriber received gets, byte
 * for byte, what the live subscriber got after that cursor — nothing more, nothing less, nothing
 * changed — whether it resumed after the fact (replayed by the subgraph), while the events were
 * happening (joining a shared upstream subscription of the gateway, or its own), over graphql-ws,
 * SSE or multipart, at either of two gateways, on one Redis and on a Redis Cluster (sharded
 * pub/sub).
 *
 * Generated from a printed seed (TEST_SEED=<seed> replays its choices; how the requests it
 * sends at once interleave is the system's): every resumable stream
 * (messageAdded, messageChanged, deploymentEvents, deploymentUpdated, nodeStatusChanged), each
 * with its filters, twice, with selections of the fields a replay must show as the live event
 * did (aliases and inline fragments included, fields of other subgraphs included); a random
 * sequence of posts, edits, deletions, deployments queued, claimed, reported on and cancelled,
 * and heartbeats (their readings and agent versions varying) that turn nodes DEGRADED and ONLINE
 * again: a node status change shows the readings of the heartbeat that made it. Left out are fields that are read
 * when an event is delivered and may have changed since (a node's current status inside a
 * deployment, a deployment's `events`): those differ by design, as docs/subscriptions.md says;
 * as a replayed `messageAdded` shows a message's current state, its channel is never edited; and
 * as a replayed edit of a message deleted since shows the tombstone (its text is erased), an
 * edited message is never deleted.
 */
import type { Client } from 'graphql-ws';
import { bearer, requireData } from './support/graphql';
import { multipartSubscribe, sseSubscribe } from './support/http-subscriptions';
import { authenticateNode, registerNode, type NodeSession } from './support/nodes';
import { addUser, login, signUp, type SignedIn } from './support/seed';
import { startRedisCluster } from './support/redis-topologies';
import { NOTHING_EXPIRES, startStack, type Stack } from './support/stack';
import { collect, wsClient, type Collected } from './support/subscriptions';
import { Random } from './faults/schedule';

const SEED = Number(process.env.TEST_SEED || Math.floor(Math.random() * 2 ** 31));
const ACTIONS = 120;
jest.setTimeout(180_000);

// ---------------------------------------------------------------------------------------------
// Selections
// ---------------------------------------------------------------------------------------------

/** A field of a selection: a leaf, or an object field and the fields it may select. */
type FieldPool = Record<string, true | (() => FieldPool)>;

const user = (): FieldPool => ({
  id: true,
  username: true,
  displayName: true,
  role: true,
  email: true,
  createdAt: true,
});
const channel = (): FieldPool => ({
  id: true,
  name: true,
  kind: true,
  createdAt: true,
  memberCount: true,
  viewerIsMember: true,
  createdBy: user,
});
const message = (): FieldPool => ({
  id: true,
  cursor: true,
  body: true,
  createdAt: true,
  editedAt: true,
  deleted: true,
  streamCursor: true,
  channel,
  author: user,
});
const deploymentEvent = (): FieldPool => ({
  id: true,
  cursor: true,
  deploymentId: true,
  type: true,
  status: true,
  level: true,
  message: true,
  createdAt: true,
});
/** A node as a deployment shows it: what never changes (its status is read on delivery). */
const nodeOfDeployment = (): FieldPool => ({
  id: true,
  name: true,
  kind: true,
  region: true,
  labels: true,
  createdAt: true,
  registeredBy: user,
});
const deployment = (): FieldPool => ({
  id: true,
  application: true,
  version: true,
  environment: true,
  status: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  streamCursor: true,
  node: nodeOfDeployment,
  triggeredBy: user,
});
const nodeMetrics = (): FieldPool => ({ cpuPercent: true, memoryPercent: true, diskPercent: true });
/** A node as its status change left it: its status and the heartbeat readings of the change. */
const node = (): FieldPool => ({
  ...nodeOfDeployment(),
  status: true,
  statusChangedAt: true,
  publicKey: true,
  lastHeartbeatAt: true,
  metrics: nodeMetrics,
  agentVersion: true,
  streamCursor: true,
});

/** Each resumable stream: the type of its items, the fields to select from, its cursor field. */
const STREAMS = {
  messageAdded: { type: 'Message', fields: message, cursorField: 'cursor' },
  messageChanged: { type: 'Message', fields: message, cursorField: 'streamCursor' },
  deploymentEvents: { type: 'DeploymentEvent', fields: deploymentEvent, cursorField: 'cursor' },
  deploymentUpdated: { type: 'Deployment', fields: deployment, cursorField: 'streamCursor' },
  nodeStatusChanged: { type: 'Node', fields: node, cursorField: 'streamCursor' },
} as const;

const TYPE_OF: Record<string, string> = {
  channel: 'Channel',
  author: 'User',
  createdBy: 'User',
  registeredBy: 'User',
  triggeredBy: 'User',
  node: 'Node',
  metrics: 'NodeMetrics',
};

/**
 * A random non-empty selection of `pool`, always with `required` (unaliased: the resume cursor
 * is read from it); some fields aliased, some inside an inline fragment of `type`.
 */
function selection(random: Random, pool: FieldPool, type: string, required?: string): string {
  const names = Object.keys(pool).filter((name) => name !== required && random.next() < 0.45);
  if (names.length === 0 && !required) names.push(random.pick(Object.keys(pool)));
  const parts = names.map((name) => {
    const alias = random.next() < 0.15 ? `${name}Alias: ` : '';
    const inner = pool[name]!;
    const sub = inner === true ? '' : ` { ${selection(random, inner(), TYPE_OF[name]!)} }`;
    return `${alias}${name}${sub}`;
  });
  if (parts.length > 1 && random.next() < 0.2) {
    const wrapped = parts.splice(random.between(0, parts.length - 1), 1);
    parts.push(`... on ${type} { ${wrapped.join(' ')} }`);
  }
  if (required) parts.splice(random.between(0, parts.length), 0, required);
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------------------------

/** One stream with its arguments and selection, followed by a live subscriber and resumers. */
interface Stream {
  label: string;
  document: string;
  /** The arguments besides `after` (the ones the document takes as variables). */
  variables: Record<string, unknown>;
  /** Where in an event the resume cursor is. */
  cursorOf(result: Delivered): string;
  /** The cursor the live subscriber starts from (the stream's head before anything happens). */
  start: string;
  live?: Subscriber;
  others: Subscriber[];
}

interface Delivered {
  data?: Record<string, Record<string, unknown>> | null;
  errors?: unknown;
}

interface Subscriber {
  name: string;
  /** Index into the live subscriber's events of the event resumed after; -1 for `start`. */
  after: number;
  who: SignedIn;
  gateway: number;
  collected: Collected;
}

/** The streams' arguments that are not optional (ID!): the rest are ID. */
const REQUIRED_ARGUMENTS = new Set(['channelId', 'deploymentId']);

/** A subscription document for `field`, its ID arguments as variables or literals at random. */
function streamDocument(
  random: Random,
  field: string,
  args: Record<string, string>,
  body: string,
): { document: string; variables: Record<string, unknown> } {
  const declared = ['$after: String'];
  const passed = ['after: $after'];
  const variables: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    if (random.next() < 0.5) {
      declared.push(`$${name}: ID${REQUIRED_ARGUMENTS.has(name) ? '!' : ''}`);
      passed.push(`${name}: $${name}`);
      variables[name] = value;
    } else passed.push(`${name}: ${JSON.stringify(value)}`);
  }
  return {
    document: `subscription Resumed(${declared.join(', ')}) { ${field}(${passed.join(', ')}) { ${body} } }`,
    variables,
  };
}

// ---------------------------------------------------------------------------------------------
// The organization and its activity
// ---------------------------------------------------------------------------------------------

let url: string;

/** The topics of the resumable streams, spread over a cluster's primaries. */
const TOPICS = [
  'MESSAGE_ADDED',
  'MESSAGE_CHANGED',
  'DEPLOYMENT_EVENT_APPENDED',
  'DEPLOYMENT_UPDATED',
  'NODE_STATUS_CHANGED',
];
const SUBGRAPHS = ['users', 'nodes', 'messages', 'deployments'];

/** Where events are announced: the machine's Redis, or sharded pub/sub on a cluster of three. */
const TOPOLOGIES: Record<string, () => Promise<{ stack: Stack; stop(): Promise<void> }>> = {
  'one Redis': async () => {
    const stack = await startStack({ subgraphs: SUBGRAPHS, gateways: 2, config: NOTHING_EXPIRES });
    return { stack, stop: () => stack.stop() };
  },
  'a Redis Cluster': async () => {
    const cluster = await startRedisCluster(3);
    const stack = await startStack({
      subgraphs: SUBGRAPHS,
      gateways: 2,
      config: NOTHING_EXPIRES,
      redisUrl: cluster.url,
      redisPrefix: await cluster.spreadingPrefix(TOPICS),
    }).catch(async (error: unknown) => {
      await cluster.stop();
      throw error;
    });
    return { stack, stop: () => stack.stop().finally(() => cluster.stop()) };
  },
};

const call = (
  who: Pick<SignedIn, 'headers'>,
  query: string,
  variables: Record<string, unknown> = {},
) => requireData(url, query, variables, who.headers);

interface AgentState {
  id: string;
  session: NodeSession;
  running: { id: string; status: string } | null;
}

describe.each(Object.keys(TOPOLOGIES))('on %s', (topology) => {
  let stack: Stack;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ stack, stop } = await TOPOLOGIES[topology]!());
    url = stack.gatewayUrl;
  }, 120_000);
  afterAll(() => stop?.());

  it('a resumed stream delivers, byte for byte, what the live one did after its cursor', () =>
    resumedAgainstLive(stack, topology));
});

async function resumedAgainstLive(stack: Stack, topology: string): Promise<void> {
  console.log(`stream-replay-differential seed: ${SEED} (TEST_SEED=${SEED} replays it)`);
  const random = new Random(SEED);

  const admin = await signUp(url);
  const developer = await addUser(url, admin, 'DEVELOPER');
  // The same user signed in twice: two credentials, so some resumers share upstream
  // subscriptions (same token, document and cursor) and some do not.
  const adminAgain = await login(url, admin.user.username);
  const people = [admin, developer];

  const channelIds: string[] = [];
  for (const name of ['added', 'changed']) {
    const { createChannel } = await call(
      admin,
      'mutation($input: CreateChannelInput!) { createChannel(input: $input) { id } }',
      { input: { name: `${name}-${SEED}` } },
    );
    channelIds.push(createChannel.id);
    await call(developer, 'mutation($id: ID!) { joinChannel(id: $id) { id } }', {
      id: createChannel.id,
    });
  }
  const [addedChannel, changedChannel] = channelIds as [string, string];

  const agents: AgentState[] = [];
  for (let i = 0; i < 3; i++) {
    const registered = await registerNode(url, admin, { labels: [`n${i}`] });
    const session = await authenticateNode(url, registered);
    agents.push({ id: registered.node.id, session, running: null });
  }
  const createDeployment = async (who: SignedIn, nodeId: string) =>
    (
      await call(
        who,
        'mutation($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }',
        {
          input: {
            nodeId,
            application: `app-${random.between(0, 3)}`,
            version: `1.${random.between(0, 9)}.0`,
            environment: random.pick(['production', 'staging']),
          },
        },
      )
    ).createDeployment.id as string;
  const followed = await createDeployment(admin, agents[0]!.id);

  const postIn = async (who: SignedIn, channelId: string) =>
    (
      await call(
        who,
        'mutation($input: PostMessageInput!) { postMessage(input: $input) { id cursor } }',
        { input: { channelId, body: `note ${random.between(0, 1e6)} from ${who.user.username}` } },
      )
    ).postMessage as { id: string; cursor: string };

  // Where each stream starts: its head before anything of this run happens. The node-filtered
  // streams follow the node of the followed deployment.
  const nodeId = agents[0]!.id;
  const firstPost = await postIn(admin, addedChannel);
  const heads = await call(
    admin,
    `query($channelId: ID!, $deploymentId: ID!, $nodeId: ID!) {
      messageChangedHead(channelId: $channelId)
      organizationUpdates: deploymentUpdatedHead
      nodeUpdates: deploymentUpdatedHead(nodeId: $nodeId)
      deploymentUpdates: deploymentUpdatedHead(id: $deploymentId)
      nodeStatusChangedHead
      oneNodeStatus: nodeStatusChangedHead(nodeId: $nodeId)
      deployment(id: $deploymentId) { events(last: 1) { edges { cursor } } }
    }`,
    { channelId: changedChannel, deploymentId: followed, nodeId },
  );

  const streams: Stream[] = [];
  const addStream = (field: keyof typeof STREAMS, args: Record<string, string>, start: string) => {
    const { type, fields, cursorField } = STREAMS[field];
    for (let i = 0; i < 2; i++) {
      const body = selection(random, fields(), type, cursorField);
      const { document, variables } = streamDocument(random, field, args, body);
      streams.push({
        label: `${field}(${Object.keys(args).join(', ')}) #${i}`,
        document,
        variables,
        cursorOf: (result) => result.data![field]![cursorField] as string,
        start,
        others: [],
      });
    }
  };
  addStream('messageAdded', { channelId: addedChannel }, firstPost.cursor);
  addStream('messageChanged', { channelId: changedChannel }, heads.messageChangedHead);
  addStream(
    'deploymentEvents',
    { deploymentId: followed },
    heads.deployment.events.edges[0].cursor,
  );
  addStream('deploymentUpdated', {}, heads.organizationUpdates);
  addStream('deploymentUpdated', { nodeId }, heads.nodeUpdates);
  addStream('deploymentUpdated', { id: followed }, heads.deploymentUpdates);
  addStream('nodeStatusChanged', {}, heads.nodeStatusChangedHead);
  addStream('nodeStatusChanged', { nodeId }, heads.oneNodeStatus);

  // Transports: one graphql-ws connection per credential and gateway, or a request of its own
  // over HTTP, to either gateway.
  const credentials = [admin, adminAgain, developer];
  const whoIs = (who: SignedIn) =>
    who === admin ? 'admin' : who === adminAgain ? 'admin signed in again' : 'developer';
  const gatewayUrls = stack.gateways.map((gateway) => gateway.url);
  const wsClients = new Map<string, Client>();
  let subscriberCount = 0;
  const subscribe = (
    stream: Stream,
    after: number,
    who: SignedIn,
    gateway = random.between(0, gatewayUrls.length - 1),
  ): Subscriber => {
    const cursor =
      after < 0 ? stream.start : stream.cursorOf(stream.live!.collected.results[after]!);
    const variables = { ...stream.variables, after: cursor };
    const transport = random.pick(['graphql-ws', 'sse', 'multipart'] as const);
    const name = `${stream.label} subscriber ${subscriberCount++} (${transport}, gateway ${gateway}, ${whoIs(who)}, after event ${after})`;
    const at = gatewayUrls[gateway]!;
    let collected: Collected;
    if (transport === 'graphql-ws') {
      const key = `${gateway} ${whoIs(who)}`;
      if (!wsClients.has(key))
        wsClients.set(key, wsClient(at, { authorization: `Bearer ${who.accessToken}` }));
      collected = collect(wsClients.get(key)!, stream.document, variables);
    } else {
      const subscribeOver = transport === 'sse' ? sseSubscribe : multipartSubscribe;
      collected = subscribeOver(at, bearer(who.accessToken), stream.document, variables);
    }
    return { name, after, who, gateway, collected };
  };

  for (const stream of streams) stream.live = subscribe(stream, -1, admin);
  // Every live subscriber is at its stream's head before anything happens: a post, an edit,
  // a deployment and a heartbeat are each seen by their streams' live subscribers first.
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  // The activity, with resumers joining at random moments from cursors already delivered.
  const messagesOfChangedChannel: {
    id: string;
    author: SignedIn;
    deleted: boolean;
    edited: boolean;
  }[] = [];
  type Deployment = { id: string; status: 'QUEUED' | 'RUNNING' | 'ENDED' };
  const deployments: Deployment[] = [{ id: followed, status: 'QUEUED' }];
  const deploymentOf = (id: string) => deployments.find((d) => d.id === id)!;
  const postAdded = () => postIn(random.pick(people), addedChannel);
  const postChanged = async () => {
    // Listed before it is posted, so that a seed replays the same picks whichever post of a
    // burst is answered first.
    const posted = { id: '', author: random.pick(people), deleted: false, edited: false };
    messagesOfChangedChannel.push(posted);
    posted.id = (await postIn(posted.author, changedChannel)).id;
  };
  const edit = async () => {
    const target = random.pick(messagesOfChangedChannel.filter((m) => !m.deleted));
    if (!target) return;
    target.edited = true;
    await call(
      target.author,
      'mutation($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id } }',
      {
        id: target.id,
        body: `edited ${random.between(0, 1e6)}`,
      },
    );
  };
  const remove = async () => {
    const target = random.pick(messagesOfChangedChannel.filter((m) => !m.deleted && !m.edited));
    if (!target) return;
    // Marked when picked, as an edit is: no edit of it can be under way meanwhile.
    target.deleted = true;
    await call(target.author, 'mutation($id: ID!) { deleteMessage(id: $id) { id } }', {
      id: target.id,
    });
  };
  const queue = async () => {
    // Listed before it is created, for the same reason as a post.
    const queued: Deployment = { id: '', status: 'QUEUED' };
    deployments.push(queued);
    queued.id = await createDeployment(random.pick(people), random.pick(agents).id);
  };
  const agentStep = async () => {
    const agent = random.pick(agents);
    if (agent.running?.status !== 'RUNNING') agent.running = null;
    if (!agent.running) {
      const { claimDeployment } = await call(agent.session, 'mutation { claimDeployment { id } }');
      if (claimDeployment) {
        agent.running = deploymentOf(claimDeployment.id);
        agent.running.status = 'RUNNING';
      }
      return;
    }
    const finish = random.next() < 0.4;
    const status = finish ? random.pick(['SUCCEEDED', 'FAILED']) : undefined;
    const logs = Array.from({ length: random.between(finish ? 0 : 1, 3) }, (_, i) => ({
      message: `step ${i}`,
      level: random.pick(['DEBUG', 'INFO', 'WARN', 'ERROR']),
    }));
    await call(
      agent.session,
      'mutation($input: ReportDeploymentProgressInput!) { reportDeploymentProgress(input: $input) { id } }',
      { input: { deploymentId: agent.running.id, status, logs } },
    );
    if (finish) agent.running.status = 'ENDED';
  };
  const cancel = async () => {
    // The followed deployment is left to its agent: its log is deploymentEvents' stream.
    const open = deployments.filter(({ id, status }) => status !== 'ENDED' && id !== followed);
    if (open.length === 0) return;
    const target = random.pick(open);
    await call(admin, 'mutation($id: ID!) { cancelDeployment(id: $id) { id } }', {
      id: target.id,
    });
    target.status = 'ENDED';
  };
  const heartbeat = async () => {
    const agent = random.pick(agents);
    // Readings that vary within a status too, so that a change shown with a later heartbeat's
    // readings than its own differs from it.
    const cpuPercent = random.next() < 0.5 ? random.between(95, 100) : random.between(0, 94);
    await call(
      agent.session,
      'mutation($input: HeartbeatInput!) { heartbeat(input: $input) { id } }',
      {
        input: {
          cpuPercent,
          memoryPercent: random.between(0, 90),
          diskPercent: random.between(0, 85),
          version: `0.${random.between(0, 9)}.0`,
        },
      },
    );
  };
  // Agents report and heartbeat more often than people post, queue and cancel.
  const actions = [
    postAdded,
    postChanged,
    edit,
    remove,
    queue,
    cancel,
    ...[agentStep, agentStep, agentStep, heartbeat, heartbeat],
  ];
  // Some run at once, as clients' requests do: items committed at the same time may be
  // announced out of their stream's order, which every stream must put right.
  const concurrent = [postAdded, postChanged, queue, heartbeat];
  for (let i = 0; i < ACTIONS; i++) {
    if (random.next() < 0.2) {
      const burst = Array.from({ length: random.between(2, 6) }, () => random.pick(concurrent));
      await Promise.all(burst.map((action) => action()));
    } else await random.pick(actions)();
    if (random.next() < 0.15) {
      const stream = random.pick(streams);
      const sharing = random.next() < 0.4 ? random.pick(stream.others) : undefined;
      const received = stream.live!.collected.results.length;
      stream.others.push(
        sharing
          ? subscribe(stream, sharing.after, sharing.who, sharing.gateway)
          : subscribe(stream, random.between(-1, received - 1), random.pick(credentials)),
      );
    }
  }

  // Resumed after the fact: from each stream's start, and from cursors anywhere in what the live
  // subscriber has received.
  for (const stream of streams) {
    const received = stream.live!.collected.results.length;
    stream.others.push(subscribe(stream, -1, random.pick(credentials)));
    for (let i = 0; i < 2; i++)
      stream.others.push(
        subscribe(stream, random.between(-1, received - 1), random.pick(credentials)),
      );
  }
  // Then everyone has what they will get once no subscriber has received anything for longer
  // than a stream takes to find a stored item whose announcement was lost (1.5 s).
  const everyone = streams.flatMap((stream) => [stream.live!, ...stream.others]);
  const received = () => everyone.map((s) => s.collected.results.length).join(',');
  for (let before = '', now = received(); before !== now; before = now, now = received())
    await new Promise((resolve) => setTimeout(resolve, 2_500));
  // A resumer still short of the live subscriber's count (slow to connect on a loaded machine)
  // gets more time before it counts as having lost events.
  for (const stream of streams) {
    const liveCount = stream.live!.collected.results.length;
    for (const { after, collected } of stream.others)
      await collected.waitFor(liveCount - after - 1, 15_000).catch(() => undefined);
  }

  const failures: string[] = [];
  const text = (result: Delivered) => JSON.stringify({ data: result.data, errors: result.errors });
  for (const { live } of streams) {
    if (live!.collected.error)
      failures.push(`${live!.name} failed: ${String(live!.collected.error)}`);
    for (const [i, result] of live!.collected.results.entries())
      if (result.errors) failures.push(`${live!.name}: event ${i} has errors: ${text(result)}`);
  }
  let compared = 0;
  for (const stream of streams) {
    const liveTexts = stream.live!.collected.results.map(text);
    for (const subscriber of stream.others) {
      const expected = liveTexts.slice(subscriber.after + 1);
      const got = subscriber.collected.results.map(text);
      compared += got.length;
      if (subscriber.collected.error)
        failures.push(`${subscriber.name} failed: ${String(subscriber.collected.error)}`);
      const first = expected.findIndex((event, i) => event !== got[i]);
      if (first >= 0 || got.length !== expected.length)
        failures.push(
          `${subscriber.name}: ${got.length} events for the live subscriber's ${expected.length}; ` +
            (first >= 0
              ? `event ${first} differs:\n  live:    ${expected[first]}\n  resumed: ${got[first] ?? '(none)'}`
              : `then: ${got[expected.length]}`),
        );
    }
  }
  const liveCounts = streams.map((s) => s.live!.collected.results.length).join('/');
  const resumers = everyone.length - streams.length;
  console.log(
    `stream-replay-differential on ${topology}: ${streams.length} streams, live events ${liveCounts}, ${resumers} resumers, ${compared} events compared`,
  );
  for (const { collected } of everyone) collected.unsubscribe();
  await Promise.all([...wsClients.values()].map((client) => client.dispose()));
  if (failures.length) {
    const documents = streams.map((s) => `${s.label}: ${s.document}`).join('\n');
    throw new Error(
      `seed ${SEED}:\n${failures.slice(0, 10).join('\n')}\n\ndocuments:\n${documents}`,
    );
  }
  expect(streams.every((s) => s.live!.collected.results.length > 0)).toBe(true);
}
