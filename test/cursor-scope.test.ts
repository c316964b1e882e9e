/**
 * Cursors name the stream or list they belong to (docs/subscriptions.md, "A cursor of another
 * stream … is BAD_USER_INPUT"): a channel's messages and its change stream, a deployment's
 * events, an organization's deploymentUpdated and nodeStatusChanged streams, and every list
 * whose owner is known when its cursor comes back. Another scope's cursor — another channel's,
 * deployment's or organization's, where it would be read as a position here and pass over
 * items without a word — is refused with BAD_USER_INPUT naming the argument; the stream's or
 * list's own cursor resumes exactly after its item; and a v1 cursor (issued before cursors were
 * scoped, which clients still hold) is read as before. An empty cursor is no cursor of any scope,
 * and is refused alike.
 *
 * In each case the foreign cursor's position is one this stream or list has too, so before
 * cursors were scoped it was taken and items were skipped.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  CancelDeploymentDocument,
  ChannelMessagesDocument,
  DeploymentEventsDocument,
  DeploymentEventsStreamDocument,
  DeploymentUpdatedHeadDocument,
  DeploymentUpdatedResumableDocument,
  EditMessageDocument,
  MessageAddedIdsDocument,
  MessageChangedHeadDocument,
  MessageChangedResumableDocument,
  NodeStatusChangedHeadDocument,
  NodeStatusChangedResumableDocument,
} from './__generated__/graphql';
import { createDeployment } from './support/deployments';
import { graphql } from './support/graphql';
import { createChannel, join, post } from './support/messages';
import { authenticateNode, heartbeat, registerNode } from './support/nodes';
import { addUser, signUp, type SignedIn } from './support/seed';
import { NOTHING_EXPIRES, startStack, type Stack } from './support/stack';
import { collect, wsClient } from './support/subscriptions';

let stack: Stack;
let url: string;
/** Two organizations: `a`'s streams and lists are followed, `b`'s cursors are the foreign ones. */
let a: SignedIn;
let b: SignedIn;

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'nodes', 'messages', 'deployments'],
    config: NOTHING_EXPIRES,
  });
  url = stack.gatewayUrl;
  a = await signUp(url);
  b = await signUp(url);
});
afterAll(() => stack?.stop());

async function query<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  who: SignedIn = a,
) {
  const response = await graphql(url, document, variables, who.headers);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

/** A cursor's JSON parts: cursors are opaque to clients, but the test may look inside. */
const partsOf = (cursor: string) =>
  JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
const encode = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');

/** The v1 cursor a client got for the same item before cursors were scoped. */
const v1Of = (cursor: string) => {
  const [version, , ...key] = partsOf(cursor);
  expect(version).toBe('v2');
  return encode(['v1', ...key]);
};
/** The same, for a change stream's cursor: v1 named the topic. */
const v1ChangeCursor = (topic: string, position: number) => encode(['v1', topic, position]);

const REFUSED = { code: 'BAD_USER_INPUT', field: 'after', results: 1 };

/**
 * Subscribes as `who` and returns what it received once `count` results came and nothing more
 * followed for a while (a refusal is one result, then the end).
 */
async function follow<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  count: number,
  who: SignedIn = a,
) {
  const client = wsClient(url, { authorization: `Bearer ${who.accessToken}` });
  try {
    const subscription = collect(client, document, variables);
    await subscription.waitFor(count, 20_000);
    // Long enough for anything replayed past what is expected to arrive too.
    await new Promise((resolve) => setTimeout(resolve, 600));
    return subscription.results;
  } finally {
    await client.dispose();
  }
}

/** How a subscription that should be refused ended: its one result's error. */
async function refusal<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
) {
  const results = await follow(document, variables, 1);
  const extensions = results[0]?.errors?.[0]?.extensions as Record<string, unknown> | undefined;
  return { code: extensions?.code, field: extensions?.field, results: results.length };
}

/** The data of every result, each without error. */
function delivered<T>(results: { data?: T | null; errors?: unknown }[]): T[] {
  for (const result of results) expect(result.errors).toBeUndefined();
  return results.map((result) => result.data!);
}

describe('messageAdded and Channel.messages (one scope: the channel)', () => {
  let channel: string;
  let ids: string[];
  let cursors: string[];
  /** A cursor of another channel's second message: this channel has a second one too. */
  let foreign: string;

  beforeAll(async () => {
    channel = (await createChannel(url, a)).id;
    const messages = [];
    for (const body of ['one', 'two', 'three']) messages.push(await post(url, a, channel, body));
    ids = messages.map((message) => message.id);
    cursors = messages.map((message) => message.cursor);
    const other = (await createChannel(url, b)).id;
    await post(url, b, other, 'b1');
    foreign = (await post(url, b, other, 'b2')).cursor;
  });

  const resumed = async (after: string, count: number) =>
    delivered(await follow(MessageAddedIdsDocument, { channelId: channel, after }, count)).map(
      (data) => data.messageAdded.id,
    );

  it("refuses another channel's cursor, of another organization or the same", async () => {
    expect(await refusal(MessageAddedIdsDocument, { channelId: channel, after: foreign })).toEqual(
      REFUSED,
    );
    const sibling = (await createChannel(url, a)).id;
    await post(url, a, sibling, 's1');
    const siblingCursor = (await post(url, a, sibling, 's2')).cursor;
    expect(
      await refusal(MessageAddedIdsDocument, { channelId: channel, after: siblingCursor }),
    ).toEqual(REFUSED);
    expect(await refusal(MessageAddedIdsDocument, { channelId: channel, after: '' })).toEqual(
      REFUSED,
    );
  });

  it('resumes exactly after its own cursor, and after the v1 cursor of the same message', async () => {
    expect(await resumed(cursors[0]!, 2)).toEqual(ids.slice(1));
    expect(await resumed(v1Of(cursors[0]!), 2)).toEqual(ids.slice(1));
    // The channel's page cursors are the stream's too.
    const page = await query(ChannelMessagesDocument, { id: channel, first: 2 });
    expect(await resumed(page.channel!.messages.pageInfo.endCursor!, 1)).toEqual(ids.slice(2));
  });

  it("pages refuse another channel's cursor, in `after` and `before`, and take their own and v1 ones", async () => {
    for (const args of [
      { first: 5, after: foreign },
      { last: 5, before: foreign },
      { first: 5, after: '' },
      { last: 5, before: '' },
    ]) {
      const response = await graphql(
        url,
        ChannelMessagesDocument,
        { id: channel, ...args },
        a.headers,
      );
      const field = 'after' in args ? 'after' : 'before';
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const page = (after: string) =>
      query(ChannelMessagesDocument, { id: channel, first: 5, after }).then((data) =>
        data.channel!.messages.edges.map((edge) => edge.node.id),
      );
    expect(await page(cursors[0]!)).toEqual(ids.slice(1));
    expect(await page(v1Of(cursors[0]!))).toEqual(ids.slice(1));
    const before = await query(ChannelMessagesDocument, {
      id: channel,
      last: 5,
      before: cursors[2]!,
    });
    expect(before.channel!.messages.edges.map((edge) => edge.node.id)).toEqual(ids.slice(0, 2));
  });
});

describe('messageChanged (scope: the channel)', () => {
  let channel: string;
  let message: string;
  let afterFirstEdit: string;

  beforeAll(async () => {
    channel = (await createChannel(url, a)).id;
    message = (await post(url, a, channel, 'a')).id;
    await query(EditMessageDocument, { id: message, body: 'a1' });
    afterFirstEdit = (await query(MessageChangedHeadDocument, { channelId: channel }))
      .messageChangedHead;
    for (const body of ['a2', 'a3']) await query(EditMessageDocument, { id: message, body });
  });

  it("refuses another organization's channel's cursor, and another stream's", async () => {
    // Two edits in b's channel: its head is at position 2, which this channel has passed.
    const other = (await createChannel(url, b)).id;
    const otherMessage = (await post(url, b, other, 'b')).id;
    for (const body of ['b1', 'b2'])
      await query(EditMessageDocument, { id: otherMessage, body }, b);
    const foreign = (await query(MessageChangedHeadDocument, { channelId: other }, b))
      .messageChangedHead;
    expect(
      await refusal(MessageChangedResumableDocument, { channelId: channel, after: foreign }),
    ).toEqual(REFUSED);
    // The channel's own message cursors belong to messageAdded.
    const messageCursor = (await post(url, a, channel, 'plain')).cursor;
    expect(
      await refusal(MessageChangedResumableDocument, { channelId: channel, after: messageCursor }),
    ).toEqual(REFUSED);
    expect(
      await refusal(MessageChangedResumableDocument, { channelId: channel, after: '' }),
    ).toEqual(REFUSED);
  });

  it('resumes exactly after its own cursor, and after the v1 cursor of the same change', async () => {
    const bodies = async (after: string) =>
      delivered(
        await follow(MessageChangedResumableDocument, { channelId: channel, after }, 2),
      ).map((data) => data.messageChanged.body);
    expect(await bodies(afterFirstEdit)).toEqual(['a2', 'a3']);
    expect(await bodies(v1ChangeCursor('MESSAGE_CHANGED', 1))).toEqual(['a2', 'a3']);
  });
});

describe('deploymentEvents and Deployment.events (one scope: the deployment)', () => {
  let deployment: string;
  let events: { cursor: string; node: { id: string } }[];
  /** The first event's cursor of another deployment: this one has more. */
  let foreign: string;

  beforeAll(async () => {
    const { node } = await registerNode(url, a);
    deployment = (await createDeployment(url, a.headers, { nodeId: node.id })).id;
    await query(CancelDeploymentDocument, { id: deployment });
    events = (await query(DeploymentEventsDocument, { id: deployment, first: 10 })).deployment!
      .events.edges;
    expect(events.length).toBeGreaterThanOrEqual(2);
    const other = await createDeployment(url, a.headers, { nodeId: node.id });
    foreign = (await query(DeploymentEventsDocument, { id: other.id, first: 1 })).deployment!.events
      .edges[0]!.cursor;
  });

  it("refuses another deployment's cursor, and an empty one, on the stream and on the page", async () => {
    for (const after of [foreign, '']) {
      expect(
        await refusal(DeploymentEventsStreamDocument, { deploymentId: deployment, after }),
      ).toEqual(REFUSED);
      const page = await graphql(
        url,
        DeploymentEventsDocument,
        { id: deployment, first: 10, after },
        a.headers,
      );
      expect(page.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'after',
      });
    }
  });

  it('resumes exactly after its own cursor, and after the v1 cursor of the same event', async () => {
    const rest = events.slice(1).map((edge) => edge.cursor);
    for (const after of [events[0]!.cursor, v1Of(events[0]!.cursor)]) {
      const streamed = delivered(
        await follow(
          DeploymentEventsStreamDocument,
          { deploymentId: deployment, after },
          rest.length,
        ),
      ).map((data) => data.deploymentEvents.cursor);
      expect(streamed).toEqual(rest);
      const paged = await query(DeploymentEventsDocument, { id: deployment, first: 10, after });
      expect(paged.deployment!.events.edges.map((edge) => edge.cursor)).toEqual(rest);
    }
  });
});

describe('deploymentUpdated (scope: the organization)', () => {
  let afterFirst: string;
  let later: string[];

  beforeAll(async () => {
    const { node } = await registerNode(url, a);
    await createDeployment(url, a.headers, { nodeId: node.id });
    afterFirst = (await query(DeploymentUpdatedHeadDocument, {})).deploymentUpdatedHead;
    later = [];
    for (let i = 0; i < 2; i++)
      later.push((await createDeployment(url, a.headers, { nodeId: node.id })).id);
  });

  it("refuses another organization's cursor", async () => {
    const { node } = await registerNode(url, b);
    await createDeployment(url, b.headers, { nodeId: node.id });
    const foreign = (await query(DeploymentUpdatedHeadDocument, {}, b)).deploymentUpdatedHead;
    expect(await refusal(DeploymentUpdatedResumableDocument, { after: foreign })).toEqual(REFUSED);
    // Nor is a cursor of the organization's other change stream one of this.
    const nodes = (await query(NodeStatusChangedHeadDocument, {})).nodeStatusChangedHead;
    expect(await refusal(DeploymentUpdatedResumableDocument, { after: nodes })).toEqual(REFUSED);
    expect(await refusal(DeploymentUpdatedResumableDocument, { after: '' })).toEqual(REFUSED);
  });

  it('resumes exactly after its own cursor, and after the v1 cursor of the same change', async () => {
    const ids = async (after: string) =>
      delivered(await follow(DeploymentUpdatedResumableDocument, { after }, 2)).map(
        (data) => data.deploymentUpdated.id,
      );
    expect(await ids(afterFirst)).toEqual(later);
    const [, tag, position] = partsOf(afterFirst);
    expect(typeof tag).toBe('string');
    expect(await ids(v1ChangeCursor('DEPLOYMENT_UPDATED', position as number))).toEqual(later);
  });
});

describe('nodeStatusChanged (scope: the organization)', () => {
  let afterRegistration: string;
  let node: string;

  beforeAll(async () => {
    const registered = await registerNode(url, a);
    node = registered.node.id;
    afterRegistration = (await query(NodeStatusChangedHeadDocument, {})).nodeStatusChangedHead;
    const session = await authenticateNode(url, registered);
    await heartbeat(url, session); // ONLINE
    await heartbeat(url, session, { cpuPercent: 99 }); // DEGRADED
  });

  it("refuses another organization's cursor", async () => {
    const registered = await registerNode(url, b);
    await heartbeat(url, await authenticateNode(url, registered));
    const foreign = (await query(NodeStatusChangedHeadDocument, {}, b)).nodeStatusChangedHead;
    // b's head is a position a's stream has reached: before scopes it would have been taken.
    const head = (await query(NodeStatusChangedHeadDocument, {})).nodeStatusChangedHead;
    expect(partsOf(foreign).at(-1)).toBeLessThanOrEqual(partsOf(head).at(-1) as number);
    expect(await refusal(NodeStatusChangedResumableDocument, { after: foreign })).toEqual(REFUSED);
    expect(
      await refusal(NodeStatusChangedResumableDocument, { nodeId: node, after: foreign }),
    ).toEqual(REFUSED);
    expect(await refusal(NodeStatusChangedResumableDocument, { after: '' })).toEqual(REFUSED);
  });

  it('resumes exactly after its own cursor, and after the v1 cursor of the same change', async () => {
    const statuses = async (after: string) =>
      delivered(await follow(NodeStatusChangedResumableDocument, { nodeId: node, after }, 2)).map(
        (data) => data.nodeStatusChanged.status,
      );
    expect(await statuses(afterRegistration)).toEqual(['ONLINE', 'DEGRADED']);
    const position = partsOf(afterRegistration).at(-1) as number;
    expect(await statuses(v1ChangeCursor('NODE_STATUS_CHANGED', position))).toEqual([
      'ONLINE',
      'DEGRADED',
    ]);
  });
});

/**
 * The other scoped lists, one table sent alike (query strings, as api-input-fuzz sends its
 * lists): each pages one list of its owner with `$after`. Another owner is another
 * organization for the organization's lists, and another of the same organization for a
 * channel's, node's or user's.
 */
describe('lists', () => {
  interface Owners {
    ours: Record<string, unknown>;
    theirs: Record<string, unknown>;
    /** Who reads the other owner's list. */
    reader: SignedIn;
  }
  interface List {
    name: string;
    query: string;
    /** Makes two owners with at least two items each. */
    owners: () => Promise<Owners>;
    edges: (data: Record<string, any>) => { cursor: string; node: { id: string } }[];
  }
  const edges = '{ edges { cursor node { id } } }';

  async function deploymentsOn(who: SignedIn, count = 2) {
    const { node } = await registerNode(url, who);
    for (let i = 0; i < count; i++) await createDeployment(url, who.headers, { nodeId: node.id });
    return node.id;
  }

  const lists: List[] = [
    {
      name: 'channels',
      query: `query ($after: String) { channels(first: 50, after: $after) ${edges} }`,
      owners: async () => {
        for (const who of [a, a, b, b]) await createChannel(url, who);
        return { ours: {}, theirs: {}, reader: b };
      },
      edges: (data) => data.channels.edges,
    },
    {
      name: 'users',
      query: `query ($after: String) { users(first: 50, after: $after) ${edges} }`,
      owners: async () => {
        for (const who of [a, a, b, b]) await addUser(url, who, 'VIEWER');
        return { ours: {}, theirs: {}, reader: b };
      },
      edges: (data) => data.users.edges,
    },
    {
      name: 'nodes',
      query: `query ($after: String) { nodes(first: 50, after: $after) ${edges} }`,
      owners: async () => {
        for (const who of [a, a, b, b]) await registerNode(url, who);
        return { ours: {}, theirs: {}, reader: b };
      },
      edges: (data) => data.nodes.edges,
    },
    {
      name: 'deployments',
      query: `query ($after: String) { deployments(first: 50, after: $after) ${edges} }`,
      owners: async () => {
        await deploymentsOn(a);
        await deploymentsOn(b);
        return { ours: {}, theirs: {}, reader: b };
      },
      edges: (data) => data.deployments.edges,
    },
    {
      name: 'Node.deployments',
      query: `query ($id: ID!, $after: String) { node(id: $id) { deployments(first: 50, after: $after) ${edges} } }`,
      owners: async () => ({
        ours: { id: await deploymentsOn(a) },
        theirs: { id: await deploymentsOn(a) },
        reader: a,
      }),
      edges: (data) => data.node.deployments.edges,
    },
    {
      name: 'User.deployments',
      query: `query ($id: ID!, $after: String) { user(id: $id) { deployments(first: 50, after: $after) ${edges} } }`,
      owners: async () => {
        const developer = await addUser(url, a, 'DEVELOPER');
        const nodeId = await deploymentsOn(a);
        for (let i = 0; i < 2; i++) await createDeployment(url, developer.headers, { nodeId });
        return { ours: { id: a.user.id }, theirs: { id: developer.user.id }, reader: a };
      },
      edges: (data) => data.user.deployments.edges,
    },
    {
      name: 'Channel.members',
      query: `query ($id: ID!, $after: String) { channel(id: $id) { members(first: 50, after: $after) ${edges} } }`,
      owners: async () => {
        const [ours, theirs] = [await createChannel(url, a), await createChannel(url, a)];
        // Each: its creator, and a member who joined.
        for (const channel of [ours!, theirs!]) {
          await join(url, await addUser(url, a, 'DEVELOPER'), channel.id);
        }
        return { ours: { id: ours!.id }, theirs: { id: theirs!.id }, reader: a };
      },
      edges: (data) => data.channel.members.edges,
    },
  ];

  for (const list of lists) {
    it(`${list.name}: refuses another owner's cursor and an empty one, and takes its own and v1 ones`, async () => {
      const { ours, theirs, reader } = await list.owners();
      const page = async (variables: Record<string, unknown>, who: SignedIn, after?: string) =>
        graphql(url, list.query, { ...variables, after }, who.headers);
      const own = list.edges((await page(ours, a)).data!);
      expect(own.length).toBeGreaterThanOrEqual(2);
      const foreign = list.edges((await page(theirs, reader)).data!)[0]!.cursor;

      for (const after of [foreign, '']) {
        const refused = await page(ours, a, after);
        expect(refused.errors?.[0]?.extensions).toMatchObject({
          code: 'BAD_USER_INPUT',
          field: 'after',
        });
      }
      const rest = own.slice(1).map((edge) => edge.node.id);
      for (const after of [own[0]!.cursor, v1Of(own[0]!.cursor)]) {
        const resumed = await page(ours, a, after);
        expect(resumed.errors).toBeUndefined();
        expect(list.edges(resumed.data!).map((edge) => edge.node.id)).toEqual(rest);
      }
    });
  }

  it("refuses one list's cursor in another of the same organization and the same key", async () => {
    // Both ordered by creation time and id: before scopes, each took the other's cursors.
    await deploymentsOn(a);
    const deployments = await graphql(url, lists[2]!.query, {}, a.headers);
    const cursor = lists[2]!.edges(deployments.data!)[0]!.cursor;
    const nodes = await graphql(url, lists[1]!.query, { after: cursor }, a.headers);
    expect(nodes.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
