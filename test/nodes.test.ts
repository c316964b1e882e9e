/**
 * The nodes subgraph end to end through the gateway: registration, authentication by signature,
 * heartbeats, decommissioning, status events on Redis, organization isolation and batching, on
 * real PostgreSQL and Redis. The sweeper has its own file (nodes-sweeper.test.ts).
 */
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { Client } from 'pg';
import {
  AuthenticateNodeDocument,
  CreateApiKeyDocument,
  DecommissionNodeDocument,
  HeartbeatDocument,
  NodeHealthDocument,
  NodeIdsDocument,
  NodeSummaryDocument,
  NodesWithRegistrarDocument,
  RegisterNodeDocument,
  type AuthenticateNodeInput,
  type RegisterNodeInput,
} from './__generated__/graphql';
import { bearer, errorCodes, graphql, requireData, type GraphQLResponse } from './support/graphql';
import {
  authenticateNode,
  generateNodeKeys,
  heartbeat,
  listenToNodeEvents,
  registerNode,
  signedAuthInput,
  waitFor,
  type RegisteredNode,
} from './support/nodes';
import { addUser, login, signUp, unique, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';
import { collect, wsClient } from './support/subscriptions';

let stack: Stack;
let url: string;
let events: Awaited<ReturnType<typeof listenToNodeEvents>>;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users', 'nodes'] });
  url = stack.gatewayUrl;
  events = await listenToNodeEvents(stack.shared.base.redisUrl, stack.shared.base.redisPrefix);
});
afterAll(async () => {
  await events?.close();
  await stack?.stop();
});

const REGISTER = RegisterNodeDocument;
const NODE = NodeSummaryDocument;
const NODES = NodeIdsDocument;
const DECOMMISSION = DecommissionNodeDocument;

/** A fresh organization with an ADMIN and an OPERATOR. */
async function organization(): Promise<{ admin: SignedIn; operator: SignedIn }> {
  const admin = await signUp(url);
  return { admin, operator: await addUser(url, admin, 'OPERATOR') };
}

const registerInput = (overrides: Partial<RegisterNodeInput> = {}): RegisterNodeInput => ({
  name: unique('web-'),
  kind: 'DOCKER_HOST',
  region: 'eu-west-1',
  publicKey: generateNodeKeys().publicKey,
  ...overrides,
});

describe('registerNode', () => {
  it('registers a PENDING node for an OPERATOR, and announces it', async () => {
    const { operator } = await organization();
    const keys = generateNodeKeys();
    const name = unique('web-');
    const response = await graphql(
      url,
      REGISTER,
      {
        input: {
          name,
          kind: 'DOCKER_HOST',
          region: 'eu-west-1',
          labels: ['gpu', 'tier=edge', 'gpu'],
          publicKey: keys.publicKey,
        },
      },
      operator.headers,
    );
    expect(response.errors).toBeUndefined();
    const node = response.data!.registerNode;
    expect(node).toEqual({
      id: expect.any(String),
      name,
      kind: 'DOCKER_HOST',
      status: 'PENDING',
      region: 'eu-west-1',
      labels: ['gpu', 'tier=edge'],
      publicKey: keys.publicKey,
      lastHeartbeatAt: null,
      metrics: null,
      agentVersion: null,
      statusChangedAt: node.createdAt,
      registeredBy: { id: operator.user.id, username: operator.user.username },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    await waitFor(() => events.of(node.id).length === 1);
    expect(events.events.find((e) => e.nodeId === node.id)).toEqual({
      nodeId: node.id,
      organizationId: operator.user.organization.id,
      status: 'PENDING',
      previousStatus: null,
      changedAt: node.createdAt,
      // The node's heartbeat readings as the change left it: none yet.
      lastHeartbeatAt: null,
      cpuPercent: null,
      memoryPercent: null,
      diskPercent: null,
      agentVersion: null,
      // The first change of the organization's stream (stored for nodeStatusChanged(after)).
      position: 1,
      changeCursor: expect.any(String),
    });
  });

  it('accepts ADMINs and OPERATOR API keys, refuses DEVELOPERs and anonymous callers', async () => {
    const { admin } = await organization();
    const developer = await addUser(url, admin, 'DEVELOPER');
    const byAdmin = await graphql(url, REGISTER, { input: registerInput() }, admin.headers);
    expect(byAdmin.data?.registerNode?.registeredBy).toEqual({
      id: admin.user.id,
      username: admin.user.username,
    });

    const key = await graphql(
      url,
      CreateApiKeyDocument,
      { input: { name: 'agent enrolment', role: 'OPERATOR' } },
      admin.headers,
    );
    const { secret } = key.data!.createApiKey;
    const byKey = await graphql(url, REGISTER, { input: registerInput() }, { 'x-api-key': secret });
    expect(byKey.errors).toBeUndefined();
    expect(byKey.data?.registerNode?.registeredBy).toEqual({
      id: admin.user.id,
      username: admin.user.username,
    });

    const byDeveloper = await graphql(url, REGISTER, { input: registerInput() }, developer.headers);
    expect(errorCodes(byDeveloper)).toEqual(['FORBIDDEN']);
    const anonymous = await graphql(url, REGISTER, { input: registerInput() });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    ['publicKey', { publicKey: 'not base64!' }],
    ['publicKey', { publicKey: Buffer.alloc(31, 1).toString('base64') }],
    ['publicKey', { publicKey: Buffer.alloc(33, 1).toString('base64') }],
    ['name', { name: '' }],
    ['name', { name: 'has spaces' }],
    ['name', { name: 'x'.repeat(64) }],
    ['region', { region: '-eu' }],
    ['labels', { labels: ['ok', 'not ok'] }],
    ['labels', { labels: Array.from({ length: 33 }, (_, i) => `l${i}`) }],
  ])('names the field when %s is invalid', async (field, overrides) => {
    const { operator } = await organization();
    const response = await graphql(
      url,
      REGISTER,
      { input: registerInput(overrides) },
      operator.headers,
    );
    expect(response.errors?.[0]?.extensions).toEqual({
      serviceName: 'nodes',
      code: 'BAD_USER_INPUT',
      field,
    });
    expect(response.data).toBeNull();
  });

  it('refuses a taken name or key until the node holding it is decommissioned', async () => {
    const { operator } = await organization();
    const first = await registerNode(url, operator);
    const sameName = await graphql(
      url,
      REGISTER,
      { input: registerInput({ name: first.node.name.toUpperCase() }) },
      operator.headers,
    );
    expect(sameName.errors?.[0]?.extensions).toEqual({
      serviceName: 'nodes',
      code: 'BAD_USER_INPUT',
      field: 'name',
    });
    // The agent that lost its node id learns it from the CONFLICT, and reuses its registration.
    const sameKey = await graphql(
      url,
      REGISTER,
      { input: registerInput({ publicKey: first.keys.publicKey }) },
      operator.headers,
    );
    expect(sameKey.errors?.[0]?.extensions).toEqual({
      serviceName: 'nodes',
      code: 'CONFLICT',
      nodeId: first.node.id,
    });

    // Another organization may use the same name.
    const other = await organization();
    const elsewhere = await graphql(
      url,
      REGISTER,
      { input: registerInput({ name: first.node.name }) },
      other.operator.headers,
    );
    expect(elsewhere.errors).toBeUndefined();

    await graphql(url, DECOMMISSION, { id: first.node.id }, operator.headers);
    const again = await graphql(
      url,
      REGISTER,
      { input: registerInput({ name: first.node.name, publicKey: first.keys.publicKey }) },
      operator.headers,
    );
    expect(again.errors).toBeUndefined();
    expect(again.data?.registerNode).toMatchObject({ name: first.node.name, status: 'PENDING' });
  });
});

describe('authenticateNode', () => {
  let operator: SignedIn;
  let registered: RegisteredNode;

  beforeAll(async () => {
    ({ operator } = await organization());
    registered = await registerNode(url, operator);
  });

  const authenticate = (input: AuthenticateNodeInput) =>
    graphql(url, AuthenticateNodeDocument, { input });

  it('exchanges a fresh signature for a short-lived node token', async () => {
    const before = Date.now();
    const response = await authenticate(signedAuthInput(registered.keys, registered.node.id));
    expect(response.errors).toBeUndefined();
    const payload = response.data!.authenticateNode;
    expect(payload.node).toEqual({
      id: registered.node.id,
      name: registered.node.name,
      status: 'PENDING',
    });
    const lifetime = new Date(payload.expiresAt).getTime() - before;
    expect(lifetime).toBeGreaterThan(890_000);
    expect(lifetime).toBeLessThanOrEqual(901_000);
    // The token works for agent operations, on its own node.
    const beat = await graphql(
      url,
      HeartbeatDocument,
      { input: { cpuPercent: 1, memoryPercent: 2, diskPercent: 3 } },
      bearer(payload.token),
    );
    expect(beat.data?.heartbeat).toMatchObject({ id: registered.node.id, status: 'ONLINE' });
  });

  it('refuses bad, foreign, stale, future and replayed signatures', async () => {
    const { id } = registered.node;
    const now = Date.now();
    const good = signedAuthInput(registered.keys, id);
    const attempts = {
      otherKey: signedAuthInput(generateNodeKeys(), id),
      // Relative to the signed timestamp: `now` may be a millisecond behind it.
      tampered: { ...good, timestamp: String(Number(good.timestamp) + 1) },
      garbage: { ...good, signature: 'AAAA' },
      notBase64: { ...good, signature: '!!!' },
      unknownNode: signedAuthInput(registered.keys, '00000000-0000-4000-8000-000000000000'),
      notAnId: signedAuthInput(registered.keys, 'not-an-id'),
      stale: signedAuthInput(registered.keys, id, String(now - 6 * 60_000)),
      future: signedAuthInput(registered.keys, id, String(now + 2 * 60_000)),
    };
    for (const [name, input] of Object.entries(attempts)) {
      const response = await authenticate(input);
      expect([name, errorCodes(response)]).toEqual([name, ['UNAUTHENTICATED']]);
    }

    expect((await authenticate(good)).errors).toBeUndefined();
    const replay = await authenticate(good);
    expect(errorCodes(replay)).toEqual(['UNAUTHENTICATED']);
    expect(replay.errors?.[0]?.message).toMatch(/already used/);
    // A little clock skew is fine.
    const ahead = await authenticate(signedAuthInput(registered.keys, id, String(now + 5_000)));
    expect(ahead.errors).toBeUndefined();
  });

  it('answers a malformed timestamp with BAD_USER_INPUT', async () => {
    const response = await authenticate(
      signedAuthInput(registered.keys, registered.node.id, '2026-11-22T05:00:00Z'),
    );
    expect(response.errors?.[0]?.extensions).toEqual({
      serviceName: 'nodes',
      code: 'BAD_USER_INPUT',
      field: 'timestamp',
    });
  });

  it('refuses a decommissioned node, and its token stops heartbeating', async () => {
    const node = await registerNode(url, operator);
    const session = await authenticateNode(url, node);
    await heartbeat(url, session);
    const out = await graphql(url, DECOMMISSION, { id: node.node.id }, operator.headers);
    expect(out.data?.decommissionNode).toEqual({ id: node.node.id, status: 'DECOMMISSIONED' });

    const login = await authenticate(signedAuthInput(node.keys, node.node.id));
    expect(errorCodes(login)).toEqual(['UNAUTHENTICATED']);
    expect(login.errors?.[0]?.message).toMatch(/decommissioned/);
    const beat = await graphql(
      url,
      HeartbeatDocument,
      { input: { cpuPercent: 1, memoryPercent: 1, diskPercent: 1 } },
      session.headers,
    );
    expect(errorCodes(beat)).toEqual(['UNAUTHENTICATED']);
  });

  it('gives no token to a node decommissioned while its sign-in was under way', async () => {
    const node = await registerNode(url, operator);
    // A decommissioning transaction holds the node's row (as decommissionNode does) while the
    // node signs in: the sign-in has read the node, still PENDING, and waits for the row.
    const db = new Client({ connectionString: stack.database.url });
    // Polls outside the transaction: within one, pg_stat_activity keeps its first snapshot.
    const watcher = new Client({ connectionString: stack.database.url });
    await Promise.all([db.connect(), watcher.connect()]);
    try {
      await db.query('begin');
      await db.query('select 1 from nodes.nodes where id = $1 for update', [node.node.id]);
      const login = authenticate(signedAuthInput(node.keys, node.node.id));
      await waitFor(async () => {
        const { rows } = await watcher.query<{ waiting: number }>(
          `select count(*)::int as waiting from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'
              and query like '%last_signed_at%'`,
        );
        return rows[0]!.waiting > 0;
      });
      await db.query(
        `update nodes.nodes set status = 'DECOMMISSIONED', status_changed_at = now() where id = $1`,
        [node.node.id],
      );
      await db.query('commit');
      const answer = await login;
      expect(answer.data?.authenticateNode ?? null).toBeNull();
      expect(errorCodes(answer)).toEqual(['UNAUTHENTICATED']);
      expect(answer.errors?.[0]?.message).toMatch(/decommissioned/);
    } finally {
      await Promise.all([db.end(), watcher.end()]);
    }
  });
});

describe('node tokens and user tokens', () => {
  it('keep node agents out of user operations and users out of agent operations', async () => {
    const { admin, operator } = await organization();
    const node = await registerNode(url, operator);
    const other = await registerNode(url, operator);
    const session = await authenticateNode(url, node);

    // A table of operations of different types: sent as text, their results unread.
    const userOperations: [string, Record<string, unknown>][] = [
      [print(REGISTER), { input: registerInput() }],
      [print(DECOMMISSION), { id: node.node.id }],
      [print(NODES), {}],
      ['{ users { edges { node { id } } } }', {}],
      ['mutation { createApiKey(input: { name: "k", role: VIEWER }) { secret } }', {}],
    ];
    for (const [query, variables] of userOperations) {
      const response = await graphql(url, query, variables, session.headers);
      expect([query, errorCodes(response)]).toEqual([query, ['FORBIDDEN']]);
    }

    const input = { cpuPercent: 1, memoryPercent: 1, diskPercent: 1 };
    for (const user of [admin, operator]) {
      const response = await graphql(url, HeartbeatDocument, { input }, user.headers);
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    }
    expect(errorCodes(await graphql(url, HeartbeatDocument, { input }))).toEqual([
      'UNAUTHENTICATED',
    ]);

    // An agent may read its own node, and no other.
    const own = await graphql(url, NODE, { id: node.node.id }, session.headers);
    expect(own.data?.node).toEqual({ id: node.node.id, name: node.node.name, status: 'PENDING' });
    const sibling = await graphql(url, NODE, { id: other.node.id }, session.headers);
    expect(errorCodes(sibling)).toEqual(['NOT_FOUND']);
  });
});

describe('heartbeat', () => {
  it('sets ONLINE, DEGRADED at a threshold, ONLINE again, and announces each change', async () => {
    const { operator } = await organization();
    const node = await registerNode(url, operator);
    const session = await authenticateNode(url, node);

    const before = Date.now();
    const first = await heartbeat(url, session, {
      cpuPercent: 12.5,
      memoryPercent: 40,
      diskPercent: 89.9,
    });
    expect(first).toEqual({
      id: node.node.id,
      status: 'ONLINE',
      lastHeartbeatAt: expect.any(String),
      metrics: { cpuPercent: 12.5, memoryPercent: 40, diskPercent: 89.9 },
      agentVersion: '0.1.0',
    });
    expect(new Date(first.lastHeartbeatAt!).getTime()).toBeGreaterThanOrEqual(before - 1000);

    // Defaults: disk ≥ 90 %, CPU ≥ 95 % or memory ≥ 95 % degrade a node.
    expect((await heartbeat(url, session, { diskPercent: 90 })).status).toBe('DEGRADED');
    expect((await heartbeat(url, session, { diskPercent: 91 })).status).toBe('DEGRADED');
    expect((await heartbeat(url, session)).status).toBe('ONLINE');
    expect((await heartbeat(url, session, { cpuPercent: 95 })).status).toBe('DEGRADED');
    expect((await heartbeat(url, session, { memoryPercent: 99 })).status).toBe('DEGRADED');
    expect((await heartbeat(url, session, { memoryPercent: 94.9 })).status).toBe('ONLINE');

    const read = await graphql(url, NodeHealthDocument, { id: node.node.id }, operator.headers);
    expect(read.data?.node).toMatchObject({ status: 'ONLINE', metrics: { diskPercent: 30 } });

    await waitFor(() => events.of(node.node.id).length === 6);
    expect(events.of(node.node.id)).toEqual([
      '∅→PENDING',
      'PENDING→ONLINE',
      'ONLINE→DEGRADED',
      'DEGRADED→ONLINE',
      'ONLINE→DEGRADED',
      'DEGRADED→ONLINE',
    ]);
    expect(events.events.filter((e) => e.nodeId === node.node.id).at(-1)?.changedAt).toBe(
      read.data?.node?.statusChangedAt,
    );
    // Each change carries the readings of the heartbeat that made it.
    expect(events.events.find((e) => e.nodeId === node.node.id && e.status === 'ONLINE')).toEqual(
      expect.objectContaining({
        lastHeartbeatAt: first.lastHeartbeatAt,
        cpuPercent: 12.5,
        memoryPercent: 40,
        diskPercent: 89.9,
        agentVersion: '0.1.0',
      }),
    );
  });

  it('shows each change, live and replayed, with the readings of the heartbeat that made it', async () => {
    const { operator } = await organization();
    const node = await registerNode(url, operator);
    const session = await authenticateNode(url, node);
    const { nodeStatusChangedHead: head } = await requireData(
      url,
      'query ($nodeId: ID) { nodeStatusChangedHead(nodeId: $nodeId) }',
      { nodeId: node.node.id },
      operator.headers,
    );
    // The replays are signed in anew: identical subscriptions (same credentials, document and
    // `after`) would share the live one's upstream subscription instead of replaying.
    const again = await login(url, operator.user.username);
    const client = wsClient(url, { authorization: `Bearer ${operator.accessToken}` });
    const otherClient = wsClient(url, { authorization: `Bearer ${again.accessToken}` });
    const clients = [client, otherClient];
    const subscribe = (after: string, over = client) =>
      collect(
        over,
        `subscription ($nodeId: ID, $after: String) {
          nodeStatusChanged(nodeId: $nodeId, after: $after) {
            status statusChangedAt lastHeartbeatAt agentVersion streamCursor
            metrics { cpuPercent memoryPercent diskPercent }
          }
        }`,
        { nodeId: node.node.id, after },
      );
    const summary = (result: { data?: { nodeStatusChanged: Record<string, any> } | null }) => {
      const { status, metrics, agentVersion } = result.data!.nodeStatusChanged;
      return `${status} cpu ${metrics?.cpuPercent} ${agentVersion}`;
    };
    try {
      // Each change is delivered live before the next heartbeat; the third heartbeat changes
      // nothing, then the node is decommissioned.
      const live = subscribe(head);
      const beats = [];
      beats.push(await heartbeat(url, session, { cpuPercent: 5, version: '1.0.0' }));
      await live.waitFor(1);
      beats.push(await heartbeat(url, session, { cpuPercent: 99, version: '2.0.0' }));
      await live.waitFor(2);
      beats.push(await heartbeat(url, session, { cpuPercent: 98, version: '3.0.0' }));
      expect(beats.map((beat) => beat.status)).toEqual(['ONLINE', 'DEGRADED', 'DEGRADED']);
      await graphql(url, DECOMMISSION, { id: node.node.id }, operator.headers);
      await live.waitFor(3);
      expect(live.results.map(summary)).toEqual([
        'ONLINE cpu 5 1.0.0',
        'DEGRADED cpu 99 2.0.0',
        'DECOMMISSIONED cpu 98 3.0.0',
      ]);
      expect(live.results.map((r) => r.data!.nodeStatusChanged.lastHeartbeatAt)).toEqual(
        beats.map((beat) => beat.lastHeartbeatAt),
      );

      // Replayed from the same head, and from the first change: the same events, field for field.
      const fromHead = subscribe(head, otherClient);
      const fromFirst = subscribe(
        live.results[0]!.data!.nodeStatusChanged.streamCursor,
        otherClient,
      );
      await fromHead.waitFor(3);
      await fromFirst.waitFor(2);
      expect(fromHead.results).toEqual(live.results);
      expect(fromFirst.results).toEqual(live.results.slice(1));

      // A change stored before readings were recorded shows the node's current ones.
      const db = new Client({ connectionString: stack.database.url });
      await db.connect();
      await db
        .query(
          `update nodes.change_log
              set payload = payload - 'lastHeartbeatAt' - 'cpuPercent' - 'memoryPercent'
                                    - 'diskPercent' - 'agentVersion'
            where topic = 'NODE_STATUS_CHANGED' and payload->>'nodeId' = $1
              and payload->>'status' = 'ONLINE'`,
          [node.node.id],
        )
        .finally(() => db.end());
      const third = await login(url, operator.user.username);
      const thirdClient = wsClient(url, { authorization: `Bearer ${third.accessToken}` });
      clients.push(thirdClient);
      const fromOld = subscribe(head, thirdClient);
      await fromOld.waitFor(3);
      expect(fromOld.results.map(summary)).toEqual([
        'ONLINE cpu 98 3.0.0',
        'DEGRADED cpu 99 2.0.0',
        'DECOMMISSIONED cpu 98 3.0.0',
      ]);
      for (const collected of [live, fromHead, fromFirst, fromOld]) collected.unsubscribe();
    } finally {
      await Promise.all(clients.map((each) => each.dispose()));
    }
  });

  it.each(['cpuPercent', 'memoryPercent', 'diskPercent'])(
    'refuses a %s outside 0–100',
    async (field) => {
      const { operator } = await organization();
      const session = await authenticateNode(url, await registerNode(url, operator));
      for (const value of [-1, 100.5]) {
        const response = await graphql(
          url,
          HeartbeatDocument,
          { input: { cpuPercent: 1, memoryPercent: 1, diskPercent: 1, [field]: value } },
          session.headers,
        );
        expect(response.errors?.[0]?.extensions).toEqual({
          serviceName: 'nodes',
          code: 'BAD_USER_INPUT',
          field,
        });
      }
    },
  );
});

describe('decommissionNode', () => {
  it('is final, for OPERATORs and ADMINs of the organization only', async () => {
    const { admin, operator } = await organization();
    const developer = await addUser(url, admin, 'DEVELOPER');
    const node = await registerNode(url, operator);

    const byDeveloper = await graphql(url, DECOMMISSION, { id: node.node.id }, developer.headers);
    expect(errorCodes(byDeveloper)).toEqual(['FORBIDDEN']);
    const byAdmin = await graphql(url, DECOMMISSION, { id: node.node.id }, admin.headers);
    expect(byAdmin.data?.decommissionNode).toEqual({ id: node.node.id, status: 'DECOMMISSIONED' });
    const twice = await graphql(url, DECOMMISSION, { id: node.node.id }, operator.headers);
    expect(errorCodes(twice)).toEqual(['CONFLICT']);
    await waitFor(() => events.of(node.node.id).length === 2);
    expect(events.of(node.node.id)).toEqual(['∅→PENDING', 'PENDING→DECOMMISSIONED']);
  });
});

describe('organization isolation', () => {
  it("lists and reads only the caller's nodes; other organizations' ids are NOT_FOUND", async () => {
    const acme = await organization();
    const globex = await organization();
    const acmeViewer = await addUser(url, acme.admin, 'VIEWER');
    const acmeNodes = [await registerNode(url, acme.operator), await registerNode(url, acme.admin)];
    const globexNode = await registerNode(url, globex.operator);

    const list = await graphql(url, NODES, { first: 50 }, acmeViewer.headers);
    expect(list.errors).toBeUndefined();
    expect(list.data!.nodes.edges.map((e) => e.node.id)).toEqual(acmeNodes.map((n) => n.node.id));

    const foreign = { id: globexNode.node.id };
    for (const response of [
      await graphql(url, NODE, foreign, acmeViewer.headers),
      await graphql(url, DECOMMISSION, foreign, acme.operator.headers),
      await graphql(url, DECOMMISSION, foreign, acme.admin.headers),
    ]) {
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    }
    for (const id of ['not-an-id', '00000000-0000-4000-8000-000000000000']) {
      expect(errorCodes(await graphql(url, NODE, { id }, acmeViewer.headers))).toEqual([
        'NOT_FOUND',
      ]);
      expect(errorCodes(await graphql(url, DECOMMISSION, { id }, acme.operator.headers))).toEqual([
        'NOT_FOUND',
      ]);
    }
    // A node agent of one organization cannot reach another's nodes either.
    const globexSession = await authenticateNode(url, globexNode);
    const crossAgent = await graphql(
      url,
      NODE,
      { id: acmeNodes[0]!.node.id },
      globexSession.headers,
    );
    expect(errorCodes(crossAgent)).toEqual(['NOT_FOUND']);

    // Still untouched.
    const check = await graphql(url, NODE, foreign, globex.operator.headers);
    expect(check.data?.node).toEqual({
      id: globexNode.node.id,
      name: globexNode.node.name,
      status: 'PENDING',
    });
    expect(errorCodes(await graphql(url, NODE, foreign))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await graphql(url, NODES, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('filters by status, kind and region and pages with cursors', async () => {
    const { operator } = await organization();
    const docker = await registerNode(url, operator, { kind: 'DOCKER_HOST', region: 'us-east-1' });
    const vm = await registerNode(url, operator, { kind: 'VM', region: 'eu-west-1' });
    const k8s = await registerNode(url, operator, { kind: 'KUBERNETES', region: 'eu-west-1' });
    const physical = await registerNode(url, operator, { kind: 'PHYSICAL', region: 'eu-west-1' });
    await heartbeat(url, await authenticateNode(url, vm));
    await heartbeat(url, await authenticateNode(url, k8s), { diskPercent: 97 });

    const ids = async (variables: VariablesOf<typeof NODES>) => {
      const response = await graphql(url, NODES, variables, operator.headers);
      expect(response.errors).toBeUndefined();
      return response.data!.nodes.edges.map((e) => e.node.id);
    };
    expect(await ids({ filter: { status: 'ONLINE' } })).toEqual([vm.node.id]);
    expect(await ids({ filter: { status: 'DEGRADED' } })).toEqual([k8s.node.id]);
    expect(await ids({ filter: { status: 'PENDING' } })).toEqual([
      docker.node.id,
      physical.node.id,
    ]);
    expect(await ids({ filter: { kind: 'VM' } })).toEqual([vm.node.id]);
    expect(await ids({ filter: { region: 'eu-west-1' } })).toEqual([
      vm.node.id,
      k8s.node.id,
      physical.node.id,
    ]);
    expect(await ids({ filter: { region: 'eu-west-1', status: 'PENDING' } })).toEqual([
      physical.node.id,
    ]);
    expect(await ids({ filter: { region: 'nowhere' } })).toEqual([]);

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      // Annotated: `after` depends on the page, which TypeScript cannot infer in a loop.
      const page: GraphQLResponse<ResultOf<typeof NODES>> = await graphql(
        url,
        NODES,
        { first: 3, after },
        operator.headers,
      );
      const { edges, pageInfo } = page.data!.nodes;
      seen.push(...edges.map((e) => e.node.id));
      expect(pageInfo.hasPreviousPage).toBe(after !== null);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual([docker, vm, k8s, physical].map((n) => n.node.id));

    const bad = await graphql(url, NODES, { after: 'garbage' }, operator.headers);
    expect(bad.errors?.[0]?.extensions).toEqual({
      serviceName: 'nodes',
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
    const tooMany = await graphql(url, NODES, { first: 501 }, operator.headers);
    expect(tooMany.errors?.[0]?.extensions).toEqual({
      serviceName: 'nodes',
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
  });
});

describe('the nodes subgraph called directly', () => {
  // The subgraph's own federation field, not in the client-facing schema: sent as text.
  const ENTITIES = `query ($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Node { id name } }
  }`;

  it('resolves no node reference for anonymous callers or other organizations', async () => {
    const acme = await organization();
    const globex = await organization();
    const node = await registerNode(url, acme.operator);
    const direct = stack.subgraphs.nodes!.url;
    const representations = [{ __typename: 'Node', id: node.node.id }];

    const anonymous = await graphql(direct, ENTITIES, { representations });
    expect(anonymous.data).toEqual({ _entities: [null] });
    const foreign = await graphql(direct, ENTITIES, { representations }, globex.admin.headers);
    expect(foreign.data).toEqual({ _entities: [null] });
    const own = await graphql(direct, ENTITIES, { representations }, acme.admin.headers);
    expect(own.data).toEqual({ _entities: [{ id: node.node.id, name: node.node.name }] });
    const anonymousList = await graphql(direct, NODES, {});
    expect(errorCodes(anonymousList)).toEqual(['UNAUTHENTICATED']);
  });

  it('resolves any number of node references with one SQL statement', async () => {
    const { operator } = await organization();
    const nodes: RegisteredNode[] = [];
    for (let i = 0; i < 8; i++) nodes.push(await registerNode(url, operator));
    const representations = [
      ...nodes.map((n) => ({ __typename: 'Node', id: n.node.id })),
      { __typename: 'Node', id: 'not-an-id' },
    ];
    const service = stack.subgraphs.nodes!.service;
    const before = service.statementCount();
    const response = await graphql(
      stack.subgraphs.nodes!.url,
      ENTITIES,
      { representations },
      operator.headers,
    );
    expect(service.statementCount() - before).toBe(1);
    expect(response.data?._entities).toEqual([
      ...nodes.map((n) => ({ id: n.node.id, name: n.node.name })),
      null,
    ]);
  });
});

describe('batching through the gateway', () => {
  it('lists nodes with who registered them in one SQL statement per subgraph', async () => {
    const { admin, operator } = await organization();
    for (let i = 0; i < 6; i++) await registerNode(url, i % 2 ? admin : operator);
    const counters = ['users', 'nodes'].map((name) => stack.subgraphs[name]!.service);
    const before = counters.map((s) => s.statementCount());
    const response = await graphql(url, NodesWithRegistrarDocument, {}, operator.headers);
    expect(response.errors).toBeUndefined();
    expect(response.data!.nodes.edges).toHaveLength(6);
    expect(response.data!.nodes.edges.map((e) => e.node.registeredBy?.username)).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => (i % 2 ? admin : operator).user.username),
    );
    expect(counters.map((s, i) => s.statementCount() - before[i]!)).toEqual([1, 1]);
  });
});
