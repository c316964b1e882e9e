/**
 * The gateway's graphql-transport-ws protocol, which it serves itself (graphql-ws's server held
 * a suspended async function per subscription): each rule of the protocol spoken by a raw
 * socket against a real stack — the close codes for a wrong subprotocol, an invalid or
 * unexpected message, an id longer than the limit, a second `connection_init`, `subscribe`
 * before the acknowledgement and a reused id; nothing served once the socket is closing; pings
 * (an `id` beside them is no concern); errors that leave the socket open (an unknown Apollo hash
 * sent without its text is PERSISTED_QUERY_NOT_FOUND); only the variables the client gave sent
 * upstream; `complete` from the client freeing its id; and the server's own `error` and
 * `complete` when a stream ends (the session revoked).
 */
import { once } from 'node:events';
import { connect as connectTcp } from 'node:net';
import WebSocket from 'ws';
import { MAX_SUBSCRIPTION_ID_LENGTH } from '../gateway/subscriptions/server';
import { graphql } from './support/graphql';
import { createChannel, post } from './support/messages';
import { signUp, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';
import { eventually } from './support/subscriptions';

let stack: Stack;
let wsUrl: string;
let user: SignedIn;
let channelId: string;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users', 'messages'] });
  wsUrl = stack.gatewayUrl.replace(/^http/, 'ws');
  user = await signUp(stack.gatewayUrl);
  channelId = (await createChannel(stack.gatewayUrl, user)).id;
});
afterAll(() => stack?.stop());

const MESSAGE_ADDED = 'subscription ($c: ID!) { messageAdded(channelId: $c) { body } }';

/** A raw socket, the messages it receives, and the close code it ends with. */
async function connect(protocols: string[] = ['graphql-transport-ws']) {
  const socket = new WebSocket(wsUrl, protocols);
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data) =>
    messages.push(JSON.parse(String(data)) as Record<string, unknown>),
  );
  const closed = once(socket, 'close').then(([code]) => code as number);
  await once(socket, 'open');
  const send = (message: unknown) =>
    socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  /** Waits for the next message matching `match` that arrives from now on. */
  const next = async (match: (message: Record<string, unknown>) => boolean) => {
    const from = messages.length;
    await eventually(() => messages.slice(from).some(match));
    return messages.slice(from).find(match)!;
  };
  return { socket, messages, closed, send, next };
}

async function acknowledged(token = user.accessToken) {
  const client = await connect();
  client.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
  await client.next((message) => message.type === 'connection_ack');
  return client;
}

const subscribeMessage = (
  id: string,
  query = MESSAGE_ADDED,
  variables: object = { c: channelId },
) => ({
  id,
  type: 'subscribe',
  payload: { query, variables },
});

let posted = 0;

/** Posts until subscription `id` has an event (a subscription is live once its first arrives). */
async function firstEvent(client: Awaited<ReturnType<typeof connect>>, id: string) {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Each body new: the flood rule refuses a body posted again and again.
    await post(stack.gatewayUrl, user, channelId, `hello ${(posted += 1)}`);
    const event = client.messages.find((message) => message.id === id && message.type === 'next');
    if (event) return event;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no event for subscription ${id}`);
}

it('closes a socket without the graphql-transport-ws subprotocol with 4406', async () => {
  const client = await connect([]);
  expect(await client.closed).toBe(4406);
});

it.each([
  ['not JSON', 'hello'],
  ['an unknown type', { type: 'start', id: '1' }],
  ['a subscribe without an id', { type: 'subscribe', payload: { query: MESSAGE_ADDED } }],
  ['a message only a server sends', { type: 'next', id: '1', payload: { data: null } }],
  [
    `a subscribe whose id is longer than ${MAX_SUBSCRIPTION_ID_LENGTH} characters`,
    subscribeMessage('x'.repeat(MAX_SUBSCRIPTION_ID_LENGTH + 1)),
  ],
])('closes a socket that sends %s with 4400', async (_kind, message) => {
  const client = await connect();
  client.send(message);
  expect(await client.closed).toBe(4400);
});

/** A client frame (RFC 6455 §5.2: FIN, text, masked) holding `text`, under 64 KiB. */
function clientFrame(text: string) {
  const payload = Buffer.from(text);
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const mask = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([header, mask, payload.map((byte, i) => byte ^ mask[i % 4]!)]);
}

it('serves nothing more on a socket it closed, while the client has not answered the close', async () => {
  const gateway = stack.gateways[0]!.service;
  await eventually(() => gateway.subscriptionStats().byTransport.active['graphql-ws'] === 0);
  // A raw socket, which never answers the close: ws waits 30 s for it.
  const { hostname, port } = new URL(wsUrl);
  const socket = connectTcp(Number(port), hostname);
  let received = '';
  socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
  await once(socket, 'connect');
  socket.write(
    'GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
  );
  const init = {
    type: 'connection_init',
    payload: { authorization: `Bearer ${user.accessToken}` },
  };
  socket.write(clientFrame(JSON.stringify(init)));
  await eventually(() => received.includes('connection_ack'));
  socket.write(clientFrame('not JSON'));
  await eventually(() => received.includes('Invalid message received'));
  for (const id of ['1', '2', '3']) socket.write(clientFrame(JSON.stringify(subscribeMessage(id))));
  socket.write(clientFrame(JSON.stringify({ type: 'ping' })));
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(gateway.subscriptionStats().byTransport.active['graphql-ws']).toBe(0);
  expect(received).not.toContain('pong');
  socket.destroy();
});

it('closes a socket that subscribes before its connection_init is acknowledged with 4401', async () => {
  const client = await connect();
  client.send(subscribeMessage('1'));
  expect(await client.closed).toBe(4401);
});

it('closes a socket that sends connection_init twice with 4429', async () => {
  const client = await acknowledged();
  client.send({ type: 'connection_init', payload: {} });
  expect(await client.closed).toBe(4429);
});

it('closes a socket whose token is not valid with 4403', async () => {
  const client = await connect();
  client.send({ type: 'connection_init', payload: { authorization: 'Bearer forged' } });
  expect(await client.closed).toBe(4403);
});

it('answers a ping with a pong, echoing its payload', async () => {
  const client = await acknowledged();
  client.send({ type: 'ping', payload: { at: 1 } });
  expect(await client.next((message) => message.type === 'pong')).toEqual({
    type: 'pong',
    payload: { at: 1 },
  });
  client.send({ type: 'ping' });
  expect(await client.next((message) => message.type === 'pong')).toEqual({ type: 'pong' });
  client.socket.close();
});

it('answers a ping or connection_init that carries an id of another kind as if it had none', async () => {
  const client = await connect();
  client.send({ type: 'ping', id: null, payload: { at: 2 } });
  expect(await client.next((message) => message.type === 'pong')).toEqual({
    type: 'pong',
    payload: { at: 2 },
  });
  client.send({
    type: 'connection_init',
    id: null,
    payload: { authorization: `Bearer ${user.accessToken}` },
  });
  await client.next((message) => message.type === 'connection_ack');
  expect(client.socket.readyState).toBe(WebSocket.OPEN);
  client.socket.close();
});

it('sends upstream only the variables the client gave, whatever their names', async () => {
  const client = await acknowledged();
  // Not given, so null: `after` left out, the stream starts from now. Named like members of
  // every object's prototype, they must not be taken for given ones (`{}` is no String).
  for (const name of ['__proto__', 'constructor']) {
    client.send(
      subscribeMessage(
        name,
        `subscription ($c: ID!, $${name}: String) { messageAdded(channelId: $c, after: $${name}) { body } }`,
      ),
    );
    const event = await firstEvent(client, name);
    expect(event).toMatchObject({ payload: { data: { messageAdded: expect.any(Object) } } });
  }
  client.socket.close();
});

it('answers an Apollo persisted query hash it does not know, sent without its text, with PERSISTED_QUERY_NOT_FOUND', async () => {
  const client = await acknowledged();
  const extensions = { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } };
  client.send({
    id: 'apq',
    type: 'subscribe',
    payload: { query: '', variables: { c: channelId }, extensions },
  });
  expect(await client.next((message) => message.id === 'apq')).toEqual({
    id: 'apq',
    type: 'error',
    payload: [
      {
        message: 'PersistedQueryNotFound',
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
      },
    ],
  });
  // As Apollo's persisted query link then does: the text, with the hash.
  client.send({
    id: 'apq',
    type: 'subscribe',
    payload: { query: MESSAGE_ADDED, variables: { c: channelId }, extensions },
  });
  await firstEvent(client, 'apq');
  client.socket.close();
});

it('answers an operation it cannot run with an error for its id, and keeps the socket', async () => {
  const client = await acknowledged();
  client.send(subscribeMessage('bad', 'subscription { nope }'));
  const error = await client.next((message) => message.id === 'bad');
  expect(error).toMatchObject({
    type: 'error',
    payload: [expect.objectContaining({ extensions: expect.any(Object) })],
  });
  client.send(subscribeMessage('query', '{ me { id } }'));
  expect(await client.next((message) => message.id === 'query')).toMatchObject({ type: 'error' });
  expect(client.socket.readyState).toBe(WebSocket.OPEN);
  client.socket.close();
});

it('closes a socket that reuses the id of a running subscription with 4409', async () => {
  const client = await acknowledged();
  client.send(subscribeMessage('same'));
  await firstEvent(client, 'same');
  client.send(subscribeMessage('same'));
  expect(await client.closed).toBe(4409);
});

it('closes with 4409 a socket that reuses the longest id an id may be', async () => {
  const id = 'é'.repeat(MAX_SUBSCRIPTION_ID_LENGTH);
  const client = await acknowledged();
  client.send(subscribeMessage(id));
  await firstEvent(client, id);
  client.send(subscribeMessage(id));
  expect(await client.closed).toBe(4409);
});

it('stops a subscription the client completes, and frees its id for the next one', async () => {
  const client = await acknowledged();
  client.send(subscribeMessage('a'));
  await firstEvent(client, 'a');
  client.send({ id: 'a', type: 'complete' });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = client.messages.length;
  await post(stack.gatewayUrl, user, channelId, 'after complete');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(client.messages.slice(before)).toEqual([]);
  // The server sent no `complete` of its own for a subscription the client ended.
  expect(client.messages.filter((message) => message.type === 'complete')).toEqual([]);
  client.send(subscribeMessage('a'));
  await firstEvent(client, 'a');
  expect(client.socket.readyState).toBe(WebSocket.OPEN);
  client.socket.close();
});

it('tells the client how a stream it did not end ended: the reason, then complete', async () => {
  const session = await signUp(stack.gatewayUrl);
  const own = (await createChannel(stack.gatewayUrl, session)).id;
  const client = await acknowledged(session.accessToken);
  client.send(subscribeMessage('mine', MESSAGE_ADDED, { c: own }));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const out = await graphql(stack.gatewayUrl, 'mutation { logout }', {}, session.headers);
  expect(out.data).toEqual({ logout: true });
  await eventually(() =>
    client.messages.some((message) => message.id === 'mine' && message.type === 'complete'),
  );
  const frames = client.messages.filter((message) => message.id === 'mine');
  expect(frames.at(-1)).toEqual({ id: 'mine', type: 'complete' });
  expect(frames.at(-2)).toMatchObject({
    type: 'next',
    payload: {
      errors: [
        expect.objectContaining({
          extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }),
        }),
      ],
    },
  });
  expect(client.socket.readyState).toBe(WebSocket.OPEN);
  client.socket.close();
});
