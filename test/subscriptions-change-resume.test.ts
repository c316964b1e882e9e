/**
 * Every change stream resumes like messageAdded: messageChanged, deploymentUpdated and
 * nodeStatusChanged deliver each item with a `streamCursor`; a subscriber that drops and
 * subscribes again with the last one it received gets exactly the changes it missed, in order
 * (each as that change left the item), then live ones — through the gateway.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphql } from './support/graphql';
import { createDeployment } from './support/deployments';
import {
  CancelDeploymentDocument,
  DecommissionNodeDocument,
  DeleteMessageDocument,
  DeploymentUpdatedResumableDocument,
  EditMessageDocument,
  MessageChangedResumableDocument,
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

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users', 'nodes', 'messages', 'deployments'] });
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
  const client = wsClient(url, { authorization: `Bearer ${admin.accessToken}` });
  const refused = collect(client, MessageChangedResumableDocument, {
    channelId: channel.id,
    after: message.cursor,
  });
  await refused.ended();
  const errors =
    (refused.error as { extensions?: { code?: string } }[] | undefined) ??
    refused.results[0]?.errors;
  expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  await client.dispose();
});
