/**
 * Fan-out across replicas: two gateways, each in front of its own instance of the messages and
 * deployments subgraphs, all sharing Redis. A mutation sent through gateway A reaches the
 * subscribers of both gateways, exactly once each.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { DeploymentUpdatedDocument, MessageAddedIdsDocument } from './__generated__/graphql';
import type { Server } from 'node:http';
import { LOCAL_SUBGRAPHS } from '../dev/subgraphs';
import { listen } from '../platform/listen';
import { closeHttpServer } from '../platform/shutdown';
import { createDeployment } from './support/deployments';
import { createChannel, post } from './support/messages';
import { registerNode } from './support/nodes';
import { signUp, type SignedIn } from './support/seed';
import { startGateway, startStack, type Running, type Stack } from './support/stack';
import type { Gateway } from '../gateway/server';
import { topicListeners, until } from './support/subscription-streams';
import { collect, wsClient, type Collected } from './support/subscriptions';

let stack: Stack;
let gatewayB: Running<Gateway>;
const replicas: { httpServer: Server; close(): Promise<void> }[] = [];
let admin: SignedIn;

/** A second instance of a subgraph, on the stack's database and Redis. */
async function startReplica(name: string): Promise<string> {
  const local = LOCAL_SUBGRAPHS.find((subgraph) => subgraph.name === name)!;
  const replica = await local.create(stack.shared);
  replicas.push(replica);
  return listen(replica.httpServer, '127.0.0.1', 0);
}

beforeAll(async () => {
  stack = await startStack();
  const subgraphUrls = { ...stack.gatewayConfig.subgraphUrls };
  subgraphUrls.messages = await startReplica('messages');
  subgraphUrls.deployments = await startReplica('deployments');
  gatewayB = await startGateway({ ...stack.gatewayConfig, subgraphUrls });
  admin = await signUp(stack.gatewayUrl);
});
afterAll(async () => {
  await gatewayB?.stop();
  for (const replica of replicas) {
    replica.httpServer.closeAllConnections();
    await closeHttpServer(replica.httpServer);
    await replica.close();
  }
  await stack?.stop();
});

const params = () => ({ authorization: `Bearer ${admin.accessToken}` });

/** Subscribes through each gateway, returning both subscriptions and a way to end them. */
function onBothGateways<TData, TVariables>(
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
) {
  const clients = [wsClient(stack.gatewayUrl, params()), wsClient(gatewayB.url, params())];
  const subscriptions = clients.map((client) => collect(client, query, variables));
  return {
    subscriptions,
    dispose: () => Promise.all(clients.map((client) => client.dispose())),
  };
}

const received = (subscription: Collected, field: string) =>
  subscription.results.map((result) => result.data[field].id as string);

it('delivers a message posted through gateway A to the subscribers of both gateways, once each', async () => {
  const channel = await createChannel(stack.gatewayUrl, admin);
  const start = await post(stack.gatewayUrl, admin, channel.id, 'start');
  const { subscriptions, dispose } = onBothGateways(MessageAddedIdsDocument, {
    channelId: channel.id,
    after: start.cursor,
  });
  const first = await post(stack.gatewayUrl, admin, channel.id, 'to everyone');
  // A second message after the first: a duplicate of the first would show up before it.
  const second = await post(stack.gatewayUrl, admin, channel.id, 'and again');
  for (const subscription of subscriptions) {
    await subscription.waitFor(2);
    expect(received(subscription, 'messageAdded')).toEqual([first.id, second.id]);
  }
  // Each gateway subscribed upstream to its own replica.
  for (const gateway of [stack.gateways[0]!, gatewayB]) {
    expect(gateway.service.subscriptionStats().upstreamSubscriptions).toBe(1);
  }
  await dispose();
});

it('delivers a deployment queued through gateway A to the subscribers of both gateways, once each', async () => {
  const listeners = topicListeners(stack);
  const registered = await registerNode(stack.gatewayUrl, admin);
  const { subscriptions, dispose } = onBothGateways(DeploymentUpdatedDocument, {
    nodeId: registered.node.id,
  });
  // Both deployments replicas listen: the subscriptions are live.
  await until(async () => (await listeners.count('DEPLOYMENT_UPDATED')) === 2);
  const nodeId = registered.node.id;
  const first = await createDeployment(stack.gatewayUrl, admin.headers, { nodeId });
  const second = await createDeployment(stack.gatewayUrl, admin.headers, {
    nodeId,
    application: 'other-app',
  });
  for (const subscription of subscriptions) {
    await subscription.waitFor(2);
    expect(received(subscription, 'deploymentUpdated')).toEqual([first.id, second.id]);
    expect(subscription.results[0]!.data!.deploymentUpdated.node).toEqual({
      name: registered.node.name,
      region: registered.node.region,
    });
  }
  await dispose();
  await listeners.close();
});
