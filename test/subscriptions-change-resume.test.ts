/**
 * Every change stream resumes like messageAdded: messageChanged, deploymentUpdated and
 * nodeStatusChanged deliver each item with a `streamCursor`; a subscriber that drops and
 * subscribes again with the last one it received gets exactly the changes it missed, in order
 * (each as that change left the item), then live ones — through the gateway.
 *
 * Each stream's head cursor (`messageChangedHead`, `deploymentUpdatedHead`,
 * `nodeStatusChangedHead`) starts a subscription exactly after the changes a view loaded next
 * shows. Records older than CHANGE_RETENTION_HOURS are pruned by the subgraphs' pruner (heads are
 * kept), and a resume from a pruned cursor answers CURSOR_EXPIRED instead of skipping.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Client } from 'pg';
import { graphql } from './support/graphql';
import { createDeployment } from './support/deployments';
import {
  CancelDeploymentDocument,
  DecommissionNodeDocument,
  DeleteMessageDocument,
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
import { createChannel, post } from './support/messages';
import { registerNode } from './support/nodes';
import { signUp, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';
import { collect, wsClient, type Collected } from './support/subscriptions';
import { topicListeners, until } from './support/subscription-streams';

let stack: Stack;
let admin: SignedIn;
let url: string;

/** Pruned every 200 ms, so the tests see the pruner (not a function call) do its work. */
const PRUNING = { changeLogRetentionHours: 1, changeLogPruneIntervalMs: 200 };

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'nodes', 'messages', 'deployments'],
    config: { nodes: PRUNING, messages: PRUNING, deployments: PRUNING },
  });
  url = stack.gatewayUrl;
  admin = await signUp(url);
});
afterAll(() => stack?.stop());

async function mutate<TData, TVariables>(
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
) {
  const response = await graphql(url, query, variables, admin.headers);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

/** A stream's head cursor, as its `<stream>Head` query (the only field asked) returns it. */
async function head<TVariables>(
  query: TypedDocumentNode<Record<string, string>, TVariables>,
  variables: TVariables,
) {
  const [cursor] = Object.values(await mutate(query, variables));
  expect(typeof cursor).toBe('string');
  return cursor!;
}

/** Subscribes and waits until its subgraph listens on `topic` (the stream is then live). */
async function subscribe<TData, TVariables>(
  topic: string,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
) {
  const client = wsClient(url, { authorization: `Bearer ${admin.accessToken}` });
  const collected = collect(client, query, variables);
  const listeners = topicListeners(stack);
  await until(async () => (await listeners.count(topic)) > 0);
  await listeners.close();
  return {
    collected,
    async close() {
      collected.unsubscribe();
      await client.dispose();
    },
  };
}

/** What a subscription received: `<id>:<summary>` per item, every item free of errors. */
function received(collected: Collected, field: string, summary: (item: any) => string) {
  return collected.results.map((result) => {
    expect(result.errors).toBeUndefined();
    const item = result.data![field];
    expect(typeof item.streamCursor).toBe('string');
    return `${item.id}:${summary(item)}`;
  });
}

/** Waits for `count` items, then a little longer, so a duplicate would show. */
async function exactly(collected: Collected, count: number) {
  await collected.waitFor(count, 20_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
}

it('messageChanged resumes from a streamCursor with exactly the missed edits and deletions', async () => {
  const channel = await createChannel(url, admin);
  const a = await post(url, admin, channel.id, 'a1');
  const b = await post(url, admin, channel.id, 'b1');
  const first = await subscribe('MESSAGE_CHANGED', MessageChangedResumableDocument, {
    channelId: channel.id,
  });
  await mutate(EditMessageDocument, { id: a.id, body: 'a2' });
  await first.collected.waitFor(1);
  const cursor = first.collected.results[0]!.data!.messageChanged.streamCursor as string;
  await first.close();

  // Missed while disconnected.
  await mutate(EditMessageDocument, { id: b.id, body: 'b2' });
  await mutate(DeleteMessageDocument, { id: a.id });
  await mutate(EditMessageDocument, { id: b.id, body: 'b3' });

  const again = await subscribe('MESSAGE_CHANGED', MessageChangedResumableDocument, {
    channelId: channel.id,
    after: cursor,
  });
  await again.collected.waitFor(3, 20_000);
  await mutate(EditMessageDocument, { id: b.id, body: 'b4' });
  await exactly(again.collected, 4);
  // Each replayed change shows the message as that change left it.
  expect(
    received(again.collected, 'messageChanged', (m) => (m.deleted ? 'deleted' : m.body)),
  ).toEqual([`${b.id}:b2`, `${a.id}:deleted`, `${b.id}:b3`, `${b.id}:b4`]);
  await again.close();
});

it('messageChanged replays no text of a message deleted since: its earlier edits show it deleted', async () => {
  const channel = await createChannel(url, admin);
  const start = await head(MessageChangedHeadDocument, { channelId: channel.id });
  const secret = await post(url, admin, channel.id, 'draft');
  const kept = await post(url, admin, channel.id, 'kept');
  await mutate(EditMessageDocument, { id: secret.id, body: 'the password is hunter2' });
  await mutate(EditMessageDocument, { id: kept.id, body: 'kept, edited' });
  await mutate(DeleteMessageDocument, { id: secret.id });

  const replay = await subscribe('MESSAGE_CHANGED', MessageChangedResumableDocument, {
    channelId: channel.id,
    after: start,
  });
  await exactly(replay.collected, 3);
  expect(
    received(replay.collected, 'messageChanged', (m) => (m.deleted ? `deleted ${m.body}` : m.body)),
  ).toEqual([`${secret.id}:deleted null`, `${kept.id}:kept, edited`, `${secret.id}:deleted null`]);
  await replay.close();
});

it('deploymentUpdated resumes from a streamCursor with exactly the missed changes, filters included', async () => {
  const { node } = await registerNode(url, admin);
  const first = await subscribe('DEPLOYMENT_UPDATED', DeploymentUpdatedResumableDocument, {});
  const d1 = await createDeployment(url, admin.headers, { nodeId: node.id });
  await first.collected.waitFor(1);
  const cursor = first.collected.results[0]!.data!.deploymentUpdated.streamCursor as string;
  await first.close();

  await mutate(CancelDeploymentDocument, { id: d1.id });
  const d2 = await createDeployment(url, admin.headers, { nodeId: node.id, application: 'web' });
  await mutate(CancelDeploymentDocument, { id: d2.id });

  const all = await subscribe('DEPLOYMENT_UPDATED', DeploymentUpdatedResumableDocument, {
    after: cursor,
  });
  const one = await subscribe('DEPLOYMENT_UPDATED', DeploymentUpdatedResumableDocument, {
    id: d2.id,
    after: cursor,
  });
  await all.collected.waitFor(3, 20_000);
  const d3 = await createDeployment(url, admin.headers, { nodeId: node.id, application: 'api' });
  await exactly(all.collected, 4);
  const status = (d: { status: string }) => d.status;
  expect(received(all.collected, 'deploymentUpdated', status)).toEqual([
    `${d1.id}:CANCELLED`,
    `${d2.id}:QUEUED`,
    `${d2.id}:CANCELLED`,
    `${d3.id}:QUEUED`,
  ]);
  expect(received(one.collected, 'deploymentUpdated', status)).toEqual([
    `${d2.id}:QUEUED`,
    `${d2.id}:CANCELLED`,
  ]);
  await all.close();
  await one.close();
});

it('nodeStatusChanged resumes from a streamCursor with exactly the missed changes, filters included', async () => {
  const first = await subscribe('NODE_STATUS_CHANGED', NodeStatusChangedResumableDocument, {});
  const { node: a } = await registerNode(url, admin);
  await first.collected.waitFor(1);
  const cursor = first.collected.results[0]!.data!.nodeStatusChanged.streamCursor as string;
  await first.close();

  const { node: b } = await registerNode(url, admin);
  await mutate(DecommissionNodeDocument, { id: a.id });
  await mutate(DecommissionNodeDocument, { id: b.id });

  const all = await subscribe('NODE_STATUS_CHANGED', NodeStatusChangedResumableDocument, {
    after: cursor,
  });
  const one = await subscribe('NODE_STATUS_CHANGED', NodeStatusChangedResumableDocument, {
    nodeId: b.id,
    after: cursor,
  });
  await all.collected.waitFor(3, 20_000);
  const { node: c } = await registerNode(url, admin);
  await exactly(all.collected, 4);
  const status = (n: { status: string }) => n.status;
  expect(received(all.collected, 'nodeStatusChanged', status)).toEqual([
    `${b.id}:PENDING`,
    `${a.id}:DECOMMISSIONED`,
    `${b.id}:DECOMMISSIONED`,
    `${c.id}:PENDING`,
  ]);
  expect(received(one.collected, 'nodeStatusChanged', status)).toEqual([
    `${b.id}:PENDING`,
    `${b.id}:DECOMMISSIONED`,
  ]);
  await all.close();
  await one.close();
});

it("refuses another stream's cursor as BAD_USER_INPUT", async () => {
  const channel = await createChannel(url, admin);
  const message = await post(url, admin, channel.id, 'hello');
  const { code } = await endingCode(MessageChangedResumableDocument, {
    channelId: channel.id,
    after: message.cursor,
  });
  expect(code).toBe('BAD_USER_INPUT');
});

it('refuses a cursor past the end of its stream as BAD_USER_INPUT on every resumable stream, rather than passing over what comes before it', async () => {
  const refused = { code: 'BAD_USER_INPUT', results: 1 };
  // messageAdded: the cursor of another channel's second message, on a channel with one.
  const busy = await createChannel(url, admin);
  await post(url, admin, busy.id, 'one');
  const second = await post(url, admin, busy.id, 'two');
  const quiet = await createChannel(url, admin);
  await post(url, admin, quiet.id, 'only');
  expect(
    await endingCode(MessageAddedIdsDocument, { channelId: quiet.id, after: second.cursor }),
  ).toEqual(refused);

  // deploymentEvents: the last event of a cancelled deployment, on a newer one with fewer.
  const { node } = await registerNode(url, admin);
  const cancelled = await createDeployment(url, admin.headers, { nodeId: node.id });
  await mutate(CancelDeploymentDocument, { id: cancelled.id });
  const { edges } = (await mutate(DeploymentEventsDocument, { id: cancelled.id, first: 10 }))
    .deployment!.events;
  const queued = await createDeployment(url, admin.headers, { nodeId: node.id });
  const { edges: fewer } = (await mutate(DeploymentEventsDocument, { id: queued.id, first: 10 }))
    .deployment!.events;
  expect(fewer.length).toBeLessThan(edges.length);
  expect(
    await endingCode(DeploymentEventsStreamDocument, {
      deploymentId: queued.id,
      after: edges.at(-1)!.cursor,
    }),
  ).toEqual(refused);

  // The change streams: past their head (by far, so no change made meanwhile can reach it).
  const past = (cursor: string) => movedCursor(cursor, positionOf(cursor) + 1000);
  const changed = await head(MessageChangedHeadDocument, { channelId: quiet.id });
  expect(
    await endingCode(MessageChangedResumableDocument, {
      channelId: quiet.id,
      after: past(changed),
    }),
  ).toEqual(refused);
  const updated = await head(DeploymentUpdatedHeadDocument, {});
  expect(await endingCode(DeploymentUpdatedResumableDocument, { after: past(updated) })).toEqual(
    refused,
  );
  const status = await head(NodeStatusChangedHeadDocument, {});
  expect(await endingCode(NodeStatusChangedResumableDocument, { after: past(status) })).toEqual(
    refused,
  );
});

/** Runs SQL on the stack's database (to age change records past the retention). */
async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []) {
  const client = new Client({ connectionString: stack.database.url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Makes the stream's records up to `through` look two hours old: past the one-hour retention. */
const age = (schema: string, stream: string, through: number) =>
  sql(
    `update "${schema}"."change_log" set recorded_at = now() - interval '2 hours'
      where stream = $1 and position <= $2`,
    [stream, through],
  );

const positions = async (schema: string, stream: string) =>
  (
    await sql<{ position: string }>(
      `select position from "${schema}"."change_log" where stream = $1 order by position`,
      [stream],
    )
  ).map((row) => Number(row.position));

/** A cursor's parts: cursors are opaque to clients, but the test may look inside. */
const partsOf = (cursor: string) =>
  JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
/** A cursor's position: its last part (`["v2", scope tag, position]`). */
const positionOf = (cursor: string) => partsOf(cursor).at(-1) as number;

/** The same stream's cursor (its scope kept) of another position. */
const movedCursor = (cursor: string, position: number) =>
  Buffer.from(JSON.stringify([...partsOf(cursor).slice(0, -1), position])).toString('base64url');

/** A v1 cursor of a position, as subscriptions delivered them before cursors named their scope. */
const encodedCursor = (topic: string, position: number) =>
  Buffer.from(JSON.stringify(['v1', topic, position])).toString('base64url');

/** Resumes from `after` and returns the code the stream ended with. */
async function endingCode<TData, TVariables>(
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
) {
  const client = wsClient(url, { authorization: `Bearer ${admin.accessToken}` });
  try {
    const refused = collect(client, query, variables);
    await refused.ended(20_000);
    const errors =
      (refused.error as { extensions?: { code?: string } }[] | undefined) ??
      refused.results[0]?.errors;
    return { code: errors?.[0]?.extensions?.code, results: refused.results.length };
  } finally {
    await client.dispose();
  }
}

describe('head cursor', () => {
  it('messageChanged from messageChangedHead delivers exactly the changes made after it was read', async () => {
    const channel = await createChannel(url, admin);
    const a = await post(url, admin, channel.id, 'a1');
    const b = await post(url, admin, channel.id, 'b1');
    await mutate(EditMessageDocument, { id: a.id, body: 'a2' }); // before the head: the view shows it
    const cursor = await head(MessageChangedHeadDocument, {
      channelId: channel.id,
    });
    // Between reading the head (and the view) and subscribing: must not be missed.
    await mutate(EditMessageDocument, { id: b.id, body: 'b2' });
    await mutate(DeleteMessageDocument, { id: a.id });

    const stream = await subscribe('MESSAGE_CHANGED', MessageChangedResumableDocument, {
      channelId: channel.id,
      after: cursor,
    });
    await stream.collected.waitFor(2, 20_000);
    await mutate(EditMessageDocument, { id: b.id, body: 'b3' });
    await exactly(stream.collected, 3);
    expect(
      received(stream.collected, 'messageChanged', (m) => (m.deleted ? 'deleted' : m.body)),
    ).toEqual([`${b.id}:b2`, `${a.id}:deleted`, `${b.id}:b3`]);
    await stream.close();
  });

  it('deploymentUpdated from deploymentUpdatedHead delivers exactly the later changes, filters included', async () => {
    const { node } = await registerNode(url, admin);
    const d1 = await createDeployment(url, admin.headers, { nodeId: node.id });
    const all = await head(DeploymentUpdatedHeadDocument, {});
    const one = await head(DeploymentUpdatedHeadDocument, { id: d1.id });
    const d2 = await createDeployment(url, admin.headers, { nodeId: node.id, application: 'web' });
    await mutate(CancelDeploymentDocument, { id: d1.id });

    const everything = await subscribe('DEPLOYMENT_UPDATED', DeploymentUpdatedResumableDocument, {
      after: all,
    });
    const justD1 = await subscribe('DEPLOYMENT_UPDATED', DeploymentUpdatedResumableDocument, {
      id: d1.id,
      after: one,
    });
    await everything.collected.waitFor(2, 20_000);
    await mutate(CancelDeploymentDocument, { id: d2.id });
    await exactly(everything.collected, 3);
    const status = (d: { status: string }) => d.status;
    expect(received(everything.collected, 'deploymentUpdated', status)).toEqual([
      `${d2.id}:QUEUED`,
      `${d1.id}:CANCELLED`,
      `${d2.id}:CANCELLED`,
    ]);
    expect(received(justD1.collected, 'deploymentUpdated', status)).toEqual([`${d1.id}:CANCELLED`]);
    await everything.close();
    await justD1.close();
  });

  it('nodeStatusChanged from nodeStatusChangedHead delivers exactly the later changes', async () => {
    const { node: a } = await registerNode(url, admin);
    const cursor = await head(NodeStatusChangedHeadDocument, {});
    // The head of one node's stream is the organization's: the same cursor.
    expect(await head(NodeStatusChangedHeadDocument, { nodeId: a.id })).toBe(cursor);
    const { node: b } = await registerNode(url, admin);
    await mutate(DecommissionNodeDocument, { id: a.id });

    const stream = await subscribe('NODE_STATUS_CHANGED', NodeStatusChangedResumableDocument, {
      after: cursor,
    });
    await stream.collected.waitFor(2, 20_000);
    await mutate(DecommissionNodeDocument, { id: b.id });
    await exactly(stream.collected, 3);
    expect(received(stream.collected, 'nodeStatusChanged', (n) => n.status)).toEqual([
      `${b.id}:PENDING`,
      `${a.id}:DECOMMISSIONED`,
      `${b.id}:DECOMMISSIONED`,
    ]);
    await stream.close();
  });

  it('is authorized like the subscription: a channel of another organization is NOT_FOUND', async () => {
    const stranger = await signUp(url);
    const channel = await createChannel(url, stranger);
    const response = await graphql(
      url,
      MessageChangedHeadDocument,
      { channelId: channel.id },
      admin.headers,
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('retention', () => {
  it('prunes records past the retention, keeps recent ones and the head', async () => {
    const channel = await createChannel(url, admin);
    const message = await post(url, admin, channel.id, 'v0');
    for (const body of ['v1', 'v2', 'v3', 'v4'])
      await mutate(EditMessageDocument, { id: message.id, body });
    const headBefore = await head(MessageChangedHeadDocument, {
      channelId: channel.id,
    });
    expect(await positions('messages', channel.id)).toEqual([1, 2, 3, 4]);

    await age('messages', channel.id, 2);
    await until(async () => (await positions('messages', channel.id)).length === 2);
    expect(await positions('messages', channel.id)).toEqual([3, 4]);
    expect(await head(MessageChangedHeadDocument, { channelId: channel.id })).toBe(headBefore);

    // Resuming within what is kept still works, exactly as before.
    const resumed = await subscribe('MESSAGE_CHANGED', MessageChangedResumableDocument, {
      channelId: channel.id,
      after: encodedCursor('MESSAGE_CHANGED', 2),
    });
    await exactly(resumed.collected, 2);
    expect(received(resumed.collected, 'messageChanged', (m) => m.body)).toEqual([
      `${message.id}:v3`,
      `${message.id}:v4`,
    ]);
    await resumed.close();
  });

  it('answers CURSOR_EXPIRED to a resume from a pruned cursor, on every change stream', async () => {
    // messageChanged
    const channel = await createChannel(url, admin);
    const message = await post(url, admin, channel.id, 'v0');
    const first = await head(MessageChangedHeadDocument, { channelId: channel.id });
    for (const body of ['v1', 'v2', 'v3'])
      await mutate(EditMessageDocument, { id: message.id, body });
    await age('messages', channel.id, 1);
    await until(async () => (await positions('messages', channel.id))[0] === 2);
    expect(positionOf(first)).toBe(0);
    expect(
      await endingCode(MessageChangedResumableDocument, { channelId: channel.id, after: first }),
    ).toEqual({
      code: 'CURSOR_EXPIRED',
      results: 1,
    });

    // deploymentUpdated: the organization's stream, filtered or not.
    const organizationId = admin.user.organization.id;
    const { node } = await registerNode(url, admin);
    const d1 = await createDeployment(url, admin.headers, { nodeId: node.id });
    const after = await head(DeploymentUpdatedHeadDocument, {});
    await mutate(CancelDeploymentDocument, { id: d1.id });
    await createDeployment(url, admin.headers, { nodeId: node.id, application: 'web' });
    await age('deployments', organizationId, positionOf(after) + 1);
    await until(
      async () => !(await positions('deployments', organizationId)).includes(positionOf(after) + 1),
    );
    expect(await endingCode(DeploymentUpdatedResumableDocument, { after })).toEqual({
      code: 'CURSOR_EXPIRED',
      results: 1,
    });
    expect(await endingCode(DeploymentUpdatedResumableDocument, { id: d1.id, after })).toEqual({
      code: 'CURSOR_EXPIRED',
      results: 1,
    });

    // nodeStatusChanged
    const nodeHead = await head(NodeStatusChangedHeadDocument, {});
    await mutate(DecommissionNodeDocument, { id: node.id });
    await registerNode(url, admin);
    await age('nodes', organizationId, positionOf(nodeHead) + 1);
    await until(
      async () => !(await positions('nodes', organizationId)).includes(positionOf(nodeHead) + 1),
    );
    expect(await endingCode(NodeStatusChangedResumableDocument, { after: nodeHead })).toEqual({
      code: 'CURSOR_EXPIRED',
      results: 1,
    });

    // What the error tells the client to do works: a fresh head resumes, nothing expired.
    const fresh = await head(NodeStatusChangedHeadDocument, {});
    const stream = await subscribe('NODE_STATUS_CHANGED', NodeStatusChangedResumableDocument, {
      after: fresh,
    });
    const { node: later } = await registerNode(url, admin);
    await exactly(stream.collected, 1);
    expect(received(stream.collected, 'nodeStatusChanged', (n) => n.status)).toEqual([
      `${later.id}:PENDING`,
    ]);
    await stream.close();
  });
});
