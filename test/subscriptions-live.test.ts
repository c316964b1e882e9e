/**
 * Subscriptions end to end through the gateway with real graphql-ws clients: each event carries
 * fields owned by other subgraphs (authors from users, nodes from nodes), agents' progress
 * streams live, and identical subscriptions share one upstream subscription.
 */
import { authenticateNode, heartbeat, registerNode } from './support/nodes';
import { claim, createDeployment, report } from './support/deployments';
import { errorCodes, graphql } from './support/graphql';
import {
  DeleteMessageDocument,
  DeploymentEventsStreamDocument,
  DeploymentUpdatedDocument,
  EditMessageDocument,
  MessageAddedDocument,
  MessageChangedDocument,
  NodeStatusChangedDocument,
} from './__generated__/graphql';
import { createChannel, post } from './support/messages';
import { addUser, signUp, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';
import { topicListeners, until } from './support/subscription-streams';
import { collect, eventually, wsClient } from './support/subscriptions';

let stack: Stack;
let url: string;
let listeners: ReturnType<typeof topicListeners>;

beforeAll(async () => {
  stack = await startStack();
  url = stack.gatewayUrl;
  listeners = topicListeners(stack);
});
afterAll(async () => {
  await listeners?.close();
  await stack?.stop();
});

const bearerParams = (who: { accessToken: string } | { token: string }) => ({
  authorization: `Bearer ${'accessToken' in who ? who.accessToken : who.token}`,
});

/** Waits until `count` subgraph replicas listen on `topic`. */
const listening = (topic: string, count = 1) =>
  until(async () => (await listeners.count(topic)) === count);

describe('messageAdded', () => {
  it('delivers a message posted by another user, with its author resolved by the users subgraph', async () => {
    const admin = await signUp(url);
    const developer = await addUser(url, admin, 'DEVELOPER');
    const channel = await createChannel(url, admin, { memberIds: [developer.user.id] });
    const client = wsClient(url, bearerParams(admin));
    const subscription = collect(client, MessageAddedDocument, { channelId: channel.id });
    await listening('MESSAGE_ADDED');

    const posted = await post(url, developer, channel.id, 'Deploy of api 1.4.2 done 🚀');
    expect(await subscription.waitFor(1)).toEqual([
      {
        data: {
          messageAdded: {
            id: posted.id,
            cursor: posted.cursor,
            body: 'Deploy of api 1.4.2 done 🚀',
            author: {
              username: developer.user.username,
              displayName: developer.user.username,
            },
            channel: { name: channel.name },
          },
        },
        // The stream's position, on every event of a resumable stream (docs/subscriptions.md).
        extensions: { resumeCursor: posted.cursor },
      },
    ]);
    subscription.unsubscribe();
    await client.dispose();
  });

  it('shares one upstream subscription and one rest execution per event among 50 identical subscribers', async () => {
    const admin = await signUp(url);
    const channel = await createChannel(url, admin);
    const gateway = stack.gateways[0]!.service;
    const client = wsClient(url, bearerParams(admin));
    const subscribers = Array.from({ length: 50 }, () =>
      collect(client, MessageAddedDocument, { channelId: channel.id }),
    );
    await eventually(() => gateway.subscriptionStats().subscribers === 50);
    await listening('MESSAGE_ADDED');
    const before = gateway.subscriptionStats();
    expect(before).toMatchObject({ topics: 1, upstreamSubscriptions: 1 });

    const posted = await post(url, admin, channel.id, 'one event, fifty subscribers');
    const expected = {
      data: {
        messageAdded: {
          id: posted.id,
          cursor: posted.cursor,
          body: 'one event, fifty subscribers',
          author: { username: admin.user.username, displayName: admin.user.username },
          channel: { name: channel.name },
        },
      },
      extensions: { resumeCursor: posted.cursor },
    };
    for (const subscriber of subscribers) expect(await subscriber.waitFor(1)).toEqual([expected]);
    const after = gateway.subscriptionStats();
    expect(after.restExecutions - before.restExecutions).toBe(1);
    expect(after.eventsDelivered - before.eventsDelivered).toBe(50);
    expect(after.upstreamSubscriptions).toBe(1);

    subscribers.forEach((subscriber) => subscriber.unsubscribe());
    await eventually(() => gateway.subscriptionStats().upstreamSubscriptions === 0);
    await client.dispose();
  });
});

describe('messageChanged', () => {
  it('delivers edits and deletions, a deletion as a tombstone without its body', async () => {
    const admin = await signUp(url);
    const developer = await addUser(url, admin, 'DEVELOPER');
    const channel = await createChannel(url, admin, { memberIds: [developer.user.id] });
    const message = await post(url, developer, channel.id, 'first draft');
    const client = wsClient(url, bearerParams(admin));
    const subscription = collect(client, MessageChangedDocument, { channelId: channel.id });
    await listening('MESSAGE_CHANGED');

    const edited = await graphql(
      url,
      EditMessageDocument,
      { id: message.id, body: 'final text' },
      developer.headers,
    );
    expect(edited.errors).toBeUndefined();
    const deleted = await graphql(url, DeleteMessageDocument, { id: message.id }, admin.headers);
    expect(deleted.errors).toBeUndefined();
    const author = { username: developer.user.username };
    expect(await subscription.waitFor(2)).toEqual([
      {
        data: {
          messageChanged: {
            id: message.id,
            body: 'final text',
            editedAt: edited.data!.editMessage.editedAt,
            deleted: false,
            author,
          },
        },
        extensions: { resumeCursor: expect.any(String) },
      },
      {
        data: {
          messageChanged: {
            id: message.id,
            body: null,
            editedAt: edited.data!.editMessage.editedAt,
            deleted: true,
            author,
          },
        },
        extensions: { resumeCursor: expect.any(String) },
      },
    ]);
    subscription.unsubscribe();
    await client.dispose();
    await until(async () => (await listeners.count('MESSAGE_CHANGED')) === 0);
  });
});

interface Org {
  admin: SignedIn;
  developer: SignedIn;
  node: { id: string; name: string; region: string };
  agent: { token: string; headers: Record<string, string> };
}

async function organization(): Promise<Org> {
  const admin = await signUp(url);
  const developer = await addUser(url, admin, 'DEVELOPER');
  const registered = await registerNode(url, admin, { region: 'eu-central-2' });
  const session = await authenticateNode(url, registered);
  return { admin, developer, node: registered.node, agent: session };
}

describe('deployments', () => {
  it("streams an agent's progress live, with the node and who triggered it resolved elsewhere", async () => {
    const org = await organization();
    const client = wsClient(url, bearerParams(org.admin));
    const updates = collect(client, DeploymentUpdatedDocument, { nodeId: org.node.id });
    await listening('DEPLOYMENT_UPDATED');

    const deployment = await createDeployment(url, org.developer.headers, {
      nodeId: org.node.id,
      application: 'billing-api',
    });
    // The log view subscribes from the deployment's first event (the agent will not wait).
    const first = await graphql(
      url,
      `
        query ($id: ID!) {
          deployment(id: $id) {
            events(first: 1) {
              edges {
                cursor
              }
            }
          }
        }
      `,
      { id: deployment.id },
      org.admin.headers,
    );
    const firstCursor = first.data!.deployment.events.edges[0].cursor;
    const events = collect(client, DeploymentEventsStreamDocument, {
      deploymentId: deployment.id,
      after: firstCursor,
    });

    expect((await claim(url, org.agent.headers))?.id).toBe(deployment.id);
    await report(url, org.agent.headers, {
      deploymentId: deployment.id,
      logs: [{ message: 'Pulling image billing-api:1.0.0' }],
    });
    await report(url, org.agent.headers, {
      deploymentId: deployment.id,
      status: 'SUCCEEDED',
      logs: [{ level: 'WARN', message: 'Health check slow' }],
    });

    const node = { name: org.node.name, region: 'eu-central-2' };
    const triggeredBy = { username: org.developer.user.username };
    const update = (status: string) => ({
      data: {
        deploymentUpdated: {
          id: deployment.id,
          status,
          application: 'billing-api',
          node,
          triggeredBy,
        },
      },
      extensions: { resumeCursor: expect.any(String) },
    });
    expect(await updates.waitFor(3)).toEqual([
      update('QUEUED'),
      update('RUNNING'),
      update('SUCCEEDED'),
    ]);
    const event = (type: string, status: string | null, level: string, message: string) => ({
      data: {
        deploymentEvents: { cursor: expect.any(String), type, status, level, message },
      },
      extensions: { resumeCursor: expect.any(String) },
    });
    expect(await events.waitFor(4)).toEqual([
      event('STATUS_CHANGED', 'RUNNING', 'INFO', 'Claimed by the node agent.'),
      event('LOG', null, 'INFO', 'Pulling image billing-api:1.0.0'),
      event('LOG', null, 'WARN', 'Health check slow'),
      event('STATUS_CHANGED', 'SUCCEEDED', 'INFO', 'Status changed from RUNNING to SUCCEEDED.'),
    ]);
    // The cursors are the stored events' cursors: a reconnect resumes exactly after them.
    const stored = await graphql(
      url,
      `
        query ($id: ID!) {
          deployment(id: $id) {
            events(first: 10) {
              edges {
                cursor
              }
            }
          }
        }
      `,
      { id: deployment.id },
      org.admin.headers,
    );
    expect(events.results.map((r) => r.data!.deploymentEvents.cursor)).toEqual(
      stored.data!.deployment.events.edges.slice(1).map((edge: { cursor: string }) => edge.cursor),
    );
    for (const result of events.results)
      expect(result.extensions).toEqual({ resumeCursor: result.data!.deploymentEvents.cursor });
    updates.unsubscribe();
    events.unsubscribe();
    await client.dispose();
    await until(async () => (await listeners.count('DEPLOYMENT_UPDATED')) === 0);
  });

  it("lets a node agent follow its own node's new work, and nothing else", async () => {
    const org = await organization();
    const other = await registerNode(url, org.admin);
    const agent = wsClient(url, bearerParams(org.agent));
    const work = collect(agent, `subscription { deploymentUpdated { id status node { id } } }`);
    await listening('DEPLOYMENT_UPDATED');
    await createDeployment(url, org.developer.headers, { nodeId: other.node.id });
    const mine = await createDeployment(url, org.developer.headers, { nodeId: org.node.id });
    expect(await work.waitFor(1)).toEqual([
      {
        data: { deploymentUpdated: { id: mine.id, status: 'QUEUED', node: { id: org.node.id } } },
        extensions: { resumeCursor: expect.any(String) },
      },
    ]);

    const elsewhere = collect(agent, DeploymentUpdatedDocument, { nodeId: other.node.id });
    await elsewhere.ended();
    expect(elsewhere.results).toEqual([
      {
        data: null,
        errors: [
          expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
        ],
      },
    ]);
    expect(errorCodes({ status: 200, errors: elsewhere.results[0]!.errors as never })).toEqual([
      'FORBIDDEN',
    ]);
    work.unsubscribe();
    await agent.dispose();
    await until(async () => (await listeners.count('DEPLOYMENT_UPDATED')) === 0);
  });
});

describe('nodeStatusChanged', () => {
  it("delivers the organization's node status changes with fields of other subgraphs", async () => {
    const admin = await signUp(url);
    const client = wsClient(url, bearerParams(admin));
    const subscription = collect(client, NodeStatusChangedDocument, {});
    await listening('NODE_STATUS_CHANGED');
    const registered = await registerNode(url, admin);
    const session = await authenticateNode(url, registered);
    await heartbeat(url, session, { cpuPercent: 99 });
    await heartbeat(url, session, { cpuPercent: 5 });
    // Another organization's node changes too, unseen.
    const stranger = await signUp(url);
    await registerNode(url, stranger);

    const change = (status: string) => ({
      data: {
        nodeStatusChanged: {
          id: registered.node.id,
          name: registered.node.name,
          status,
          registeredBy: { username: admin.user.username },
        },
      },
      extensions: { resumeCursor: expect.any(String) },
    });
    expect(await subscription.waitFor(3)).toEqual([
      change('PENDING'),
      change('DEGRADED'),
      change('ONLINE'),
    ]);
    // One more of our own, to be sure the stranger's node never came through.
    await graphql(
      url,
      `
        mutation ($id: ID!) {
          decommissionNode(id: $id) {
            id
          }
        }
      `,
      { id: registered.node.id },
      admin.headers,
    );
    expect(await subscription.waitFor(4)).toEqual([
      change('PENDING'),
      change('DEGRADED'),
      change('ONLINE'),
      change('DECOMMISSIONED'),
    ]);
    subscription.unsubscribe();
    await client.dispose();
  });
});
