/**
 * Who may subscribe to what, at subscribe time and for every event, through the gateway with
 * real graphql-ws clients: anonymous callers are refused, other organizations' channels,
 * deployments and nodes do not exist for the caller, their events are never delivered, and a
 * member who leaves a private channel stops receiving it.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { CloseCode } from '../gateway/subscriptions/server';
import { createApiKeyWithId } from './support/agent';
import { createDeployment } from './support/deployments';
import { graphql } from './support/graphql';
import {
  DeploymentEventsStreamDocument,
  DeploymentUpdatedDocument,
  LeaveChannelDocument,
  MessageAddedIdsDocument,
  MessageChangedDocument,
  NodeStatusChangedDocument,
  RevokeApiKeyDocument,
} from './__generated__/graphql';
import { createChannel, post } from './support/messages';
import { authenticateNode, registerNode } from './support/nodes';
import { addUser, signUp } from './support/seed';
import { startGateway, startStack, type Stack } from './support/stack';
import { topicListeners, until } from './support/subscription-streams';
import { collect, eventually, wsClient, type Collected } from './support/subscriptions';

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

const bearerParams = (token: string) => ({ authorization: `Bearer ${token}` });

/** The codes a subscription ended with, once it ended having delivered nothing else. */
async function refusal(subscription: Collected): Promise<unknown[]> {
  await subscription.ended();
  expect(subscription.results.every((result) => result.data == null)).toBe(true);
  return subscription.results.flatMap((result) =>
    (result.errors ?? []).map((error) => error.extensions?.code),
  );
}

const ANY_ID = '2f1f4c55-7a8a-4c1e-9a55-0d4b8d5b6c11';

it('refuses every subscription without credentials', async () => {
  const client = wsClient(url);
  const attempts = [
    collect(client, MessageAddedIdsDocument, { channelId: ANY_ID }),
    collect(client, MessageChangedDocument, { channelId: ANY_ID }),
    collect(client, DeploymentUpdatedDocument, {}),
    collect(client, DeploymentEventsStreamDocument, { deploymentId: ANY_ID }),
    collect(client, NodeStatusChangedDocument, {}),
  ];
  for (const attempt of attempts) expect(await refusal(attempt)).toEqual(['UNAUTHENTICATED']);
  await client.dispose();
});

it('reads credentials named as HTTP headers are: in any case, at the top or under headers', async () => {
  const admin = await signUp(url);
  const channel = await createChannel(url, admin);
  const { secret } = await createApiKeyWithId(url, admin, 'VIEWER');
  const token = admin.headers.authorization!;
  const payloads = [
    { Authorization: token },
    { AUTHORIZATION: token },
    { 'X-API-Key': secret },
    { headers: { 'X-Api-Key': secret } },
    { headers: { authorization: token } },
  ];
  // From a cursor, so that each gets the message however soon it listens.
  const before = await post(url, admin, channel.id, 'before');
  const subscriptions = payloads.map((payload) =>
    collect(wsClient(url, payload), MessageAddedIdsDocument, {
      channelId: channel.id,
      after: before.cursor,
    }),
  );
  const message = await post(url, admin, channel.id, 'for every way of naming them');
  for (const subscription of subscriptions) {
    const [first] = await subscription.waitFor(1);
    expect(first).toMatchObject({ data: { messageAdded: { id: message.id } } });
    subscription.unsubscribe();
  }
});

it("treats another organization's channel, deployment and node as not found", async () => {
  const owner = await signUp(url);
  const channel = await createChannel(url, owner);
  const registered = await registerNode(url, owner);
  const deployment = await createDeployment(url, owner.headers, { nodeId: registered.node.id });
  const stranger = await signUp(url);
  const client = wsClient(url, bearerParams(stranger.accessToken));
  const attempts = [
    collect(client, MessageAddedIdsDocument, { channelId: channel.id }),
    collect(client, MessageChangedDocument, { channelId: channel.id }),
    collect(client, DeploymentUpdatedDocument, { id: deployment.id }),
    collect(client, DeploymentEventsStreamDocument, { deploymentId: deployment.id }),
    collect(client, NodeStatusChangedDocument, { nodeId: registered.node.id }),
    // Ill-formed ids name nothing either.
    collect(client, MessageAddedIdsDocument, { channelId: 'not-an-id' }),
    collect(client, DeploymentEventsStreamDocument, { deploymentId: '1; drop table x' }),
  ];
  for (const attempt of attempts) expect(await refusal(attempt)).toEqual(['NOT_FOUND']);
  // Nor may anyone follow a private channel they are not in, in their own organization.
  const outsider = await addUser(url, owner, 'DEVELOPER');
  const privateChannel = await createChannel(url, owner, { kind: 'PRIVATE' });
  const outsiderClient = wsClient(url, bearerParams(outsider.accessToken));
  expect(
    await refusal(
      collect(outsiderClient, MessageAddedIdsDocument, { channelId: privateChannel.id }),
    ),
  ).toEqual(['NOT_FOUND']);
  await Promise.all([client.dispose(), outsiderClient.dispose()]);
});

it('refuses bad cursors and node agents on user streams', async () => {
  const admin = await signUp(url);
  const channel = await createChannel(url, admin);
  const registered = await registerNode(url, admin);
  const session = await authenticateNode(url, registered);
  const client = wsClient(url, bearerParams(admin.accessToken));
  expect(
    await refusal(
      collect(client, MessageAddedIdsDocument, { channelId: channel.id, after: 'bogus' }),
    ),
  ).toEqual(['BAD_USER_INPUT']);
  const agent = wsClient(url, bearerParams(session.token));
  expect(await refusal(collect(agent, MessageAddedIdsDocument, { channelId: channel.id }))).toEqual(
    ['FORBIDDEN'],
  );
  expect(await refusal(collect(agent, NodeStatusChangedDocument, {}))).toEqual(['FORBIDDEN']);
  await Promise.all([client.dispose(), agent.dispose()]);
});

/**
 * A member of a private channel following both of its streams, who has received a message, then
 * leaves it.
 */
async function memberLeaving() {
  const admin = await signUp(url);
  const member = await addUser(url, admin, 'DEVELOPER');
  const channel = await createChannel(url, admin, {
    kind: 'PRIVATE',
    memberIds: [member.user.id],
  });
  const first = await post(url, admin, channel.id, 'welcome');
  const client = wsClient(url, bearerParams(member.accessToken));
  // From a cursor, so that no message can slip by before the stream is live.
  const variables = { channelId: channel.id, after: first.cursor };
  const added = collect(client, MessageAddedIdsDocument, variables);
  const changed = collect(client, MessageChangedDocument, { channelId: channel.id });
  await until(async () => (await listeners.count('MESSAGE_CHANGED')) === 1);
  const before = await post(url, admin, channel.id, 'still among us');
  await added.waitFor(1);

  const left = await graphql(url, LeaveChannelDocument, { id: channel.id }, member.headers);
  expect(left.data).toEqual({ leaveChannel: true });
  return { admin, channel, client, variables, added, changed, before };
}

it('ends the stream with FORBIDDEN once a member has left a private channel', async () => {
  const { admin, channel, client, added, changed, before } = await memberLeaving();
  const after = await post(url, admin, channel.id, 'after you left');
  await graphql(
    url,
    `
      mutation ($id: ID!, $body: String!) {
        editMessage(id: $id, body: $body) {
          id
        }
      }
    `,
    { id: after.id, body: 'edited after you left' },
    admin.headers,
  );
  await added.ended();
  await changed.ended();
  const forbidden = {
    data: null,
    errors: [
      expect.objectContaining({
        message: 'You are no longer a member of this channel.',
        extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
      }),
    ],
  };
  expect(added.results).toEqual([
    {
      data: { messageAdded: { id: before.id, cursor: before.cursor } },
      extensions: { resumeCursor: before.cursor },
    },
    forbidden,
  ]);
  expect(changed.results).toEqual([forbidden]);
  await client.dispose();
});

it("ends a private channel's streams as soon as the member leaves, before any new message, so that subscribing again with them is refused", async () => {
  const { client, variables, added, changed, before } = await memberLeaving();
  // Nothing is posted: leaving alone ends both streams.
  await added.ended();
  await changed.ended();
  expect(added.results.at(-1)?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(changed.results.at(-1)?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  // The same subscription again (same token and cursor) shares nothing at the gateway now: the
  // channel is gone for them, and not one message of it is delivered.
  const again = collect(client, MessageAddedIdsDocument, variables);
  expect(await refusal(again)).toEqual(['NOT_FOUND']);
  expect(added.results[0]?.data?.messageAdded?.id).toBe(before.id);
  await client.dispose();
});

it("never delivers another organization's deployments", async () => {
  const orgs = await Promise.all([signUp(url), signUp(url)]);
  const nodes = await Promise.all(orgs.map((admin) => registerNode(url, admin)));
  const clients = orgs.map((admin) => wsClient(url, bearerParams(admin.accessToken)));
  const all = clients.map((client) => collect(client, DeploymentUpdatedDocument, {}));
  // Naming another organization's node is no way in, as with `deployments(filter: {nodeId})`.
  const prying = collect(clients[1]!, DeploymentUpdatedDocument, { nodeId: nodes[0]!.node.id });
  const created: string[][] = [[], []];
  const deploy = async (i: number) => {
    const { id } = await createDeployment(url, orgs[i]!.headers, { nodeId: nodes[i]!.node.id });
    created[i]!.push(id);
    return id;
  };
  const received = (i: number) =>
    all[i]!.results.map((result) => result.data!.deploymentUpdated.id as string);
  // Deploy until each stream has seen something: then both are surely live.
  await until(async () => {
    await Promise.all([deploy(0), deploy(1)]);
    return all.every((subscription) => subscription.results.length > 0);
  });
  const last = await Promise.all([deploy(0), deploy(1)]);
  await eventually(() => received(0).includes(last[0]) && received(1).includes(last[1]));

  for (const i of [0, 1]) {
    for (const id of received(i)) expect(created[i]).toContain(id);
  }
  expect(prying.results).toEqual([]);
  await Promise.all(clients.map((client) => client.dispose()));
});

it('ends the subscriptions of a session that logs out, with UNAUTHENTICATED', async () => {
  const admin = await signUp(url);
  const channel = await createChannel(url, admin, { kind: 'PUBLIC' });
  const client = wsClient(url, bearerParams(admin.accessToken));
  const subscription = collect(client, MessageAddedIdsDocument, { channelId: channel.id });
  await until(async () => (await listeners.count('MESSAGE_ADDED')) > 0);
  await post(url, admin, channel.id, 'before logout');
  await subscription.waitFor(1);

  // The revocation reaches every replica through Redis, and ends the live subscription.
  const out = await graphql(
    url,
    `
      mutation {
        logout
      }
    `,
    {},
    admin.headers,
  );
  expect(out.data).toEqual({ logout: true });
  await subscription.ended();
  expect(subscription.results.at(-1)).toEqual({
    data: null,
    errors: [
      {
        message: 'This session has ended; sign in again.',
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ],
  });
  await client.dispose();
});

it('ends the subscriptions of an API key that is revoked, with UNAUTHENTICATED', async () => {
  const admin = await signUp(url);
  const channel = await createChannel(url, admin, { kind: 'PUBLIC' });
  const { id: apiKeyId, secret } = await createApiKeyWithId(url, admin, 'VIEWER');
  const client = wsClient(url, { 'x-api-key': secret });
  const subscription = collect(client, MessageAddedIdsDocument, { channelId: channel.id });
  await until(async () => (await listeners.count('MESSAGE_ADDED')) > 0);
  await post(url, admin, channel.id, 'before the revocation');
  await subscription.waitFor(1);

  const revoked = await graphql(url, RevokeApiKeyDocument, { id: apiKeyId }, admin.headers);
  expect(revoked.data?.revokeApiKey.id).toBe(apiKeyId);
  await subscription.ended();
  await post(url, admin, channel.id, 'after the revocation');
  expect(subscription.results).toHaveLength(2);
  expect(subscription.results.at(-1)).toEqual({
    data: null,
    errors: [
      { message: 'This API key has been revoked.', extensions: { code: 'UNAUTHENTICATED' } },
    ],
  });
  await client.dispose();
});

/** Opens a graphql-transport-ws socket with `params` in its connection_init: acked, or closed. */
async function admission(params: Record<string, unknown>, gatewayUrl = url) {
  const socket = new WebSocket(gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  socket.on('open', () =>
    socket.send(JSON.stringify({ type: 'connection_init', payload: params })),
  );
  const outcome = await new Promise<string | number>((resolve) => {
    socket.once('message', (data) => resolve(JSON.parse(String(data)).type));
    socket.once('close', resolve);
  });
  return { outcome, socket };
}

it('closes a socket with a made-up or revoked API key with 4403, as one with a forged token', async () => {
  const admin = await signUp(url);
  const { id, secret } = await createApiKeyWithId(url, admin, 'VIEWER');
  const outcomes = async () => ({
    forged: (await admission({ authorization: 'Bearer forged' })).outcome,
    madeUp: (await admission({ 'x-api-key': randomBytes(24).toString('base64url') })).outcome,
    key: (await admission({ 'x-api-key': secret })).outcome,
  });
  expect(await outcomes()).toEqual({ forged: 4403, madeUp: 4403, key: 'connection_ack' });
  await graphql(url, RevokeApiKeyDocument, { id }, admin.headers);
  expect(await outcomes()).toEqual({ forged: 4403, madeUp: 4403, key: 4403 });
});

it('bounds the connections of each API key, verified, as those of a token', async () => {
  const admin = await signUp(url);
  const [first, second] = await Promise.all([
    createApiKeyWithId(url, admin, 'VIEWER'),
    createApiKeyWithId(url, admin, 'VIEWER'),
  ]);
  const gateway = await startGateway({
    ...stack.gatewayConfig,
    subscriptionLimits: { ...stack.gatewayConfig.subscriptionLimits, connectionsPerCredential: 2 },
  });
  const sockets: WebSocket[] = [];
  const open = async (secret: string) => {
    const { outcome, socket } = await admission({ 'x-api-key': secret }, gateway.url);
    sockets.push(socket);
    return outcome;
  };
  try {
    expect([await open(first.secret), await open(first.secret), await open(first.secret)]).toEqual([
      'connection_ack',
      'connection_ack',
      CloseCode.TooManyConnections,
    ]);
    expect(await open(second.secret)).toBe('connection_ack');
  } finally {
    sockets.forEach((socket) => socket.terminate());
    await gateway.stop();
  }
});
