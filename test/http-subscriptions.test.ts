/**
 * Subscriptions over plain HTTP — GraphQL over SSE (graphql-sse's distinct connections mode)
 * and Apollo's multipart protocol — at the gateway and at a subgraph, with the real clients
 * (graphql-sse, Apollo Client's HttpLink) against real services: federated events, resume from
 * a cursor, the same limits, credentials, revocation and cleanup as graphql-ws, the refusals a
 * query gets (bad variables, no operation to choose), and the three transports delivering
 * identical payloads.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { GraphQLFormattedError } from 'graphql';
import { closeHttpServer } from '../platform/shutdown';
import { createApiKeyWithId } from './support/agent';
import { graphql } from './support/graphql';
import {
  MULTIPART_ACCEPT,
  multipartSubscribe,
  SSE_ACCEPT,
  sseSubscribe,
} from './support/http-subscriptions';
import { createChannel, post } from './support/messages';
import { signUp, type SignedIn } from './support/seed';
import { startGateway, startStack, type Stack } from './support/stack';
import { MESSAGE_ADDED } from './support/subscription-streams';
import {
  collect,
  deliveredMessages,
  eventually,
  wsClient,
  type Collected,
} from './support/subscriptions';

let stack: Stack;
let admin: SignedIn;

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'messages'],
    config: { messages: { floodMaxRepeats: 1000 } },
  });
  admin = await signUp(stack.gatewayUrl);
});
afterAll(() => stack?.stop());

const stats = () => stack.gateways[0]!.service.subscriptionStats();

const TRANSPORTS = {
  sse: sseSubscribe,
  multipart: multipartSubscribe,
} as const;

/** A channel with one message, whose cursor a subscriber starts from (so nothing races it). */
async function channelWithStart() {
  const channel = await createChannel(stack.gatewayUrl, admin);
  const start = await post(stack.gatewayUrl, admin, channel.id, 'start');
  return { channel, start };
}

/** Ids of what a multipart subscription delivered (Apollo Client keeps extensions aside). */
const multipartIds = (subscription: Collected) =>
  subscription.results.map((result) => {
    expect(result.errors).toBeUndefined();
    expect(result.data.messageAdded.author).toEqual({
      username: admin.user.username,
      displayName: expect.any(String),
    });
    return result.data.messageAdded.id as string;
  });

describe.each(Object.keys(TRANSPORTS) as (keyof typeof TRANSPORTS)[])('over %s', (transport) => {
  const subscribe = TRANSPORTS[transport];
  const ids = (subscription: Collected) =>
    transport === 'sse'
      ? deliveredMessages(subscription, admin.user.username)
      : multipartIds(subscription);

  it('delivers federated messageAdded events and resumes after a cursor with exactly the missed ones', async () => {
    const { channel, start } = await channelWithStart();
    const first = subscribe(stack.gatewayUrl, admin.headers, MESSAGE_ADDED, {
      channelId: channel.id,
      after: start.cursor,
    });
    const posted = [];
    for (let i = 0; i < 3; i++)
      posted.push(await post(stack.gatewayUrl, admin, channel.id, `m${i}`));
    await first.waitFor(3);
    expect(ids(first)).toEqual(posted.map((m) => m.id));
    first.unsubscribe();
    await eventually(() => stats().byTransport.active[transport] === 0);

    // Missed while away: exactly these come on resuming after the last cursor seen.
    const missed = [];
    for (let i = 0; i < 4; i++)
      missed.push(await post(stack.gatewayUrl, admin, channel.id, `x${i}`));
    const second = subscribe(stack.gatewayUrl, admin.headers, MESSAGE_ADDED, {
      channelId: channel.id,
      after: posted.at(-1)!.cursor,
    });
    await second.waitFor(4);
    const live = await post(stack.gatewayUrl, admin, channel.id, 'live');
    await second.waitFor(5);
    expect(ids(second)).toEqual([...missed, live].map((m) => m.id));
    second.unsubscribe();
  });

  it('returns the upstream subscription when the client goes away', async () => {
    const { channel, start } = await channelWithStart();
    const before = stats().upstreamSubscriptions;
    const subscription = subscribe(stack.gatewayUrl, admin.headers, MESSAGE_ADDED, {
      channelId: channel.id,
      after: start.cursor,
    });
    await eventually(
      () =>
        stats().byTransport.active[transport] === 1 && stats().upstreamSubscriptions === before + 1,
    );
    subscription.unsubscribe();
    await eventually(
      () => stats().byTransport.active[transport] === 0 && stats().upstreamSubscriptions === before,
    );
  });

  it('ends the stream with UNAUTHENTICATED when the session is revoked (logout)', async () => {
    const user = await signUp(stack.gatewayUrl);
    const channel = await createChannel(stack.gatewayUrl, user);
    const subscription = subscribe(stack.gatewayUrl, user.headers, MESSAGE_ADDED, {
      channelId: channel.id,
    });
    await eventually(() => stats().byTransport.active[transport] === 1);
    const out = await graphql(stack.gatewayUrl, 'mutation { logout }', {}, user.headers);
    expect(out.data).toEqual({ logout: true });
    await subscription.ended();
    expect(subscription.error).toBeUndefined();
    expect(subscription.results).toEqual([
      expect.objectContaining({
        data: null,
        errors: [
          expect.objectContaining({
            message: 'This session has ended; sign in again.',
            extensions: { code: 'UNAUTHENTICATED' },
          }),
        ],
      }),
    ]);
  });
});

const ACCEPT = { sse: SSE_ACCEPT, multipart: MULTIPART_ACCEPT } as const;

const send = (
  accept: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = admin.headers,
) =>
  fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...headers },
    body: JSON.stringify({ query, variables }),
  });

// Whether or not the Accept takes JSON, the answer names the transports to ask for: one that
// takes neither a stream nor JSON (a multipart Accept without its subscriptionSpec, SSE at
// q=0) was refused by Apollo Server with a word about JSON only.
it.each(['application/json', 'multipart/mixed', 'text/event-stream;q=0', 'text/*'])(
  'answers 406 naming the transports to a subscription that asks for no stream (Accept: %s)',
  async (accept) => {
    const response = await send(accept, MESSAGE_ADDED, { channelId: randomUUID() });
    expect(response.status).toBe(406);
    expect(await response.json()).toEqual({
      errors: [
        expect.objectContaining({
          message: expect.stringContaining('text/event-stream'),
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ],
    });
  },
);

it('refuses a bad token with the 401 a query gets', async () => {
  const bad = { authorization: 'Bearer forged' };
  const query = await send('application/json', '{ me { id } }', {}, bad);
  for (const accept of Object.values(ACCEPT)) {
    const response = await send(accept, MESSAGE_ADDED, { channelId: randomUUID() }, bad);
    expect(response.status).toBe(401);
    expect(response.status).toBe(query.status);
    expect(await response.json()).toEqual(await query.clone().json());
  }
});

it('refuses operations beyond the limits with the code HTTP requests get', async () => {
  const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: id`).join(' ');
  const tooManyAliases = `subscription ($channelId: ID!) { messageAdded(channelId: $channelId) { ${aliases} } }`;
  const asQuery = await graphql(stack.gatewayUrl, `{ me { ${aliases} } }`, {}, admin.headers);
  expect(asQuery.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');

  const multipart = await send(MULTIPART_ACCEPT, tooManyAliases, { channelId: randomUUID() });
  expect(multipart.status).toBe(400);
  const body = (await multipart.json()) as { errors: { extensions: { code: string } }[] };
  expect(body.errors.map((error) => error.extensions.code)).toEqual(['QUERY_TOO_COMPLEX']);

  // GraphQL over SSE reports it in the accepted event stream, as its protocol requires.
  const sse = sseSubscribe(stack.gatewayUrl, admin.headers, tooManyAliases, {
    channelId: randomUUID(),
  });
  await sse.ended();
  expect(sse.results.map((result) => result.errors?.[0]?.extensions?.code)).toEqual([
    'QUERY_TOO_COMPLEX',
  ]);
});

it('keeps serving queries to clients that accept event streams or multipart', async () => {
  const response = await send(`${MULTIPART_ACCEPT}`, '{ me { username } }');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ data: { me: { username: admin.user.username } } });
});

it('refuses a query or mutation that takes only a stream with 406 before it runs, at the gateway and at a subgraph', async () => {
  const createChannel =
    'mutation ($input: CreateChannelInput!) { createChannel(input: $input) { id } }';
  const names: string[] = [];
  for (const url of [stack.gatewayUrl, stack.subgraphs.messages!.url])
    for (const accept of [SSE_ACCEPT, 'multipart/mixed;subscriptionSpec=1.0']) {
      const name = `refused-${randomUUID()}`;
      names.push(name);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, ...admin.headers },
        body: JSON.stringify({ query: createChannel, variables: { input: { name } } }),
      });
      expect(response.status).toBe(406);
      expect(await response.json()).toEqual({
        errors: [
          expect.objectContaining({
            message: expect.stringContaining('application/json'),
            extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
          }),
        ],
      });
    }
  // Told "not acceptable", the client had nothing done.
  const channels = await graphql(
    stack.gatewayUrl,
    '{ channels(first: 500) { edges { node { name } } } }',
    {},
    admin.headers,
  );
  const created = channels.data!.channels.edges.map(
    (edge: { node: { name: string } }) => edge.node.name,
  );
  expect(created.filter((name: string) => names.includes(name))).toEqual([]);
});

it("serves SSE at a subgraph, with the gateway's forwarded credential headers", async () => {
  const { channel, start } = await channelWithStart();
  const forwarded = {
    authorization: `Bearer ${admin.accessToken}`,
    'x-request-id': randomUUID(),
    'x-forwarded-for': '203.0.113.7',
  };
  const subscription = sseSubscribe(
    stack.subgraphs.messages!.url,
    forwarded,
    `subscription ($channelId: ID!, $after: String) {
      messageAdded(channelId: $channelId, after: $after) { id cursor author { id } }
    }`,
    { channelId: channel.id, after: start.cursor },
  );
  const message = await post(stack.gatewayUrl, admin, channel.id, 'to the subgraph');
  await subscription.waitFor(1);
  expect(subscription.results).toEqual([
    {
      data: {
        messageAdded: { id: message.id, cursor: message.cursor, author: { id: admin.user.id } },
      },
      extensions: { resumeCursor: message.cursor },
    },
  ]);
  subscription.unsubscribe();

  // Without credentials the subgraph refuses, as it does a query.
  const refused = await fetch(stack.subgraphs.messages!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: SSE_ACCEPT, authorization: 'Bearer no' },
    body: JSON.stringify({ query: 'subscription { messageAdded(channelId: "x") { id } }' }),
  });
  expect(refused.status).toBe(401);
});

it('ends HTTP streams cleanly when the gateway shuts down', async () => {
  const { channel, start } = await channelWithStart();
  const other = await startGateway(stack.gatewayConfig);
  const streams = (Object.keys(TRANSPORTS) as (keyof typeof TRANSPORTS)[]).map((transport) =>
    TRANSPORTS[transport](other.url, admin.headers, MESSAGE_ADDED, {
      channelId: channel.id,
      after: start.cursor,
    }),
  );
  await eventually(() => other.service.subscriptionStats().subscribers === 2);
  await closeHttpServer(other.service.httpServer);
  await other.service.close();
  for (const stream of streams) {
    await stream.ended();
    expect(stream.error).toBeUndefined();
    expect(stream.completed).toBe(true);
  }
});

it('closes the connection of a stream ended by shutdown, so that a resubscription goes elsewhere', async () => {
  const { channel, start } = await channelWithStart();
  const body = JSON.stringify({
    query: MESSAGE_ADDED,
    variables: { channelId: channel.id, after: start.cursor },
  });
  for (const accept of [SSE_ACCEPT, MULTIPART_ACCEPT]) {
    const other = await startGateway(stack.gatewayConfig);
    // As fetch and the real clients do: one keep-alive connection, reused for the next request.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let socket: Socket | undefined;
    const subscribe = () =>
      new Promise<string>((resolve, reject) => {
        const request = httpRequest(other.url, {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', accept, ...admin.headers },
        });
        request.on('error', reject);
        request.on('socket', (used) => (socket = used));
        request.on('response', (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve(text));
        });
        request.end(body);
      });
    try {
      const stream = subscribe();
      await eventually(() => other.service.subscriptionStats().subscribers === 1);
      const closed = closeHttpServer(other.service.httpServer);
      expect(await stream).toMatch(/(event: complete\ndata:\n\n|--graphql--\r\n)$/);
      // The connection closes with the stream (not when its keep-alive runs out, 5 s later)…
      await Promise.race([
        new Promise((resolve) => socket!.once('close', resolve)),
        new Promise((resolve) => setTimeout(resolve, 2_000)),
      ]);
      // …so subscribing again, as a clean end asks, goes elsewhere: here, nowhere.
      await expect(subscribe()).rejects.toThrow(/ECONNREFUSED/);
      await closed;
    } finally {
      agent.destroy();
      await other.service.close();
    }
  }
});

/**
 * A server in front of the users subgraph (`target`, its origin) that answers its API key
 * lookups `delayMs` late, as a busy users subgraph would.
 */
async function lateKeyLookups(target: string, delayMs: number) {
  const server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () =>
      setTimeout(async () => {
        const answer = await fetch(target + req.url, {
          method: 'POST',
          headers: { 'content-type': String(req.headers['content-type']) },
          body: Buffer.concat(body),
        });
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type')! });
        res.end(Buffer.from(await answer.arrayBuffer()));
      }, delayMs),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

it('opens nothing, upstream included, for a client that left while its credentials were checked', async () => {
  const { channel, start } = await channelWithStart();
  const { secret } = await createApiKeyWithId(stack.gatewayUrl, admin, 'VIEWER');
  const introspection = new URL(stack.gatewayConfig.apiKeyIntrospectionUrl!);
  const lookups = await lateKeyLookups(introspection.origin, 600);
  const gateway = await startGateway({
    ...stack.gatewayConfig,
    apiKeyIntrospectionUrl: lookups.url + introspection.pathname,
  });
  try {
    const body = JSON.stringify({
      query: MESSAGE_ADDED,
      variables: { channelId: channel.id, after: start.cursor },
    });
    for (const accept of [SSE_ACCEPT, MULTIPART_ACCEPT]) {
      const request = httpRequest(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, 'x-api-key': secret },
      });
      request.on('error', () => undefined);
      request.end(body);
      await new Promise((resolve) => setTimeout(resolve, 200));
      request.destroy(); // gone while the gateway still waits for the key's lookup
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the lookups have answered
    const { byTransport, subscribers, upstreamSubscriptions } = gateway.service.subscriptionStats();
    expect({ active: byTransport.active, subscribers, upstreamSubscriptions }).toEqual({
      active: { 'graphql-ws': 0, sse: 0, multipart: 0 },
      subscribers: 0,
      upstreamSubscriptions: 0,
    });
  } finally {
    await gateway.stop();
    lookups.server.close();
  }
});

/** Reads a streamed response body as it comes; `text()` is everything so far. */
function readAll(response: Response) {
  let text = '';
  const done = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) text += decoder.decode(chunk, { stream: true });
  })();
  return { text: () => text, done };
}

it('frames events, heartbeats and the clean end exactly as each protocol says', async () => {
  const { channel, start } = await channelWithStart();
  const other = await startGateway({ ...stack.gatewayConfig, subscriptionKeepAliveMs: 100 });
  const variables = { channelId: channel.id, after: start.cursor };
  const query = `subscription ($channelId: ID!, $after: String) {
    messageAdded(channelId: $channelId, after: $after) { id body }
  }`;
  const open = (accept: string) =>
    fetch(other.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, ...admin.headers },
      body: JSON.stringify({ query, variables }),
    });
  const [sse, multipart] = await Promise.all([open(SSE_ACCEPT), open(MULTIPART_ACCEPT)]);
  expect(sse.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  expect(multipart.headers.get('content-type')).toBe(
    'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"',
  );
  const bodies = { sse: readAll(sse), multipart: readAll(multipart) };
  const message = await post(stack.gatewayUrl, admin, channel.id, 'framed "quotes"\nand lines');
  const result = JSON.stringify({
    data: { messageAdded: { id: message.id, body: message.body } },
    extensions: { resumeCursor: message.cursor },
  });
  const part = (json: string) => `\r\ncontent-type: application/json\r\n\r\n${json}\r\n--graphql`;
  await eventually(
    () =>
      bodies.sse.text().includes(`event: next\ndata: ${result}\n\n:\n\n`) &&
      bodies.multipart
        .text()
        .includes(`${part(JSON.stringify({ payload: JSON.parse(result) }))}${part('{}')}`),
  );
  await closeHttpServer(other.service.httpServer);
  await other.service.close();
  await Promise.all([bodies.sse.done, bodies.multipart.done]);
  expect(bodies.sse.text()).toMatch(/^:\n\n(:\n\n)*event: next\n/);
  expect(bodies.sse.text()).toMatch(/\n\n(:\n\n)*event: complete\ndata:\n\n$/);
  expect(bodies.multipart.text()).toMatch(
    /^\r\n--graphql\r\ncontent-type: application\/json\r\n\r\n/,
  );
  expect(bodies.multipart.text()).toMatch(/\r\n--graphql--\r\n$/);
});

it('serves a subscription sent with GET only when a browser would have preflighted it', async () => {
  const { channel, start } = await channelWithStart();
  const search = new URLSearchParams({
    query: MESSAGE_ADDED,
    variables: JSON.stringify({ channelId: channel.id, after: start.cursor }),
  });
  const url = `${stack.gatewayUrl}?${search}`;
  // A simple request (no custom header) is what a cross-site page can make: refused as CSRF.
  const simple = await fetch(url, { headers: { accept: SSE_ACCEPT, ...admin.headers } });
  expect(simple.status).toBe(400);
  expect(await simple.json()).toEqual({
    errors: [expect.objectContaining({ message: expect.stringContaining('CSRF') })],
  });

  const abort = new AbortController();
  const preflighted = await fetch(url, {
    headers: { accept: SSE_ACCEPT, 'apollo-require-preflight': 'true', ...admin.headers },
    signal: abort.signal,
  });
  expect(preflighted.status).toBe(200);
  const body = readAll(preflighted);
  const message = await post(stack.gatewayUrl, admin, channel.id, 'over GET');
  await eventually(() => body.text().includes(`"id":"${message.id}"`));
  abort.abort();
  await body.done.catch(() => undefined);
  await eventually(() => stats().byTransport.active.sse === 0);
});

it('delivers identical payloads over graphql-ws, SSE and multipart', async () => {
  const { channel, start } = await channelWithStart();
  const variables = { channelId: channel.id, after: start.cursor };
  const ws = wsClient(stack.gatewayUrl, { authorization: `Bearer ${admin.accessToken}` });
  const subscriptions = {
    'graphql-ws': collect(ws, MESSAGE_ADDED, variables),
    sse: sseSubscribe(stack.gatewayUrl, admin.headers, MESSAGE_ADDED, variables),
    multipart: multipartSubscribe(stack.gatewayUrl, admin.headers, MESSAGE_ADDED, variables),
  };
  // Generated bodies: JSON and SSE/multipart framing characters, unicode, newlines, lengths.
  const alphabet = ['a', ' ', '"', '\\', '\n', '\r\n', 'data: ', '--graphql', 'é', '🚀', '{}', ':'];
  const bodies = Array.from({ length: 40 }, (_, i) => {
    const bytes = randomBytes(1 + (i % 13));
    return [...bytes].map((b) => alphabet[b % alphabet.length]).join('') + ` #${i}`;
  });
  for (const body of bodies) await post(stack.gatewayUrl, admin, channel.id, body);
  for (const subscription of Object.values(subscriptions))
    await subscription.waitFor(bodies.length);
  const ws_ = subscriptions['graphql-ws'].results;
  expect(ws_.map((result) => result.data.messageAdded.body)).toEqual(bodies);
  expect(subscriptions.sse.results).toEqual(ws_);
  // Apollo Client hands `data` on and keeps extensions to itself.
  expect(subscriptions.multipart.results.map((result) => result.data)).toEqual(
    ws_.map((result) => result.data),
  );
  Object.values(subscriptions).forEach((subscription) => subscription.unsubscribe());
  await ws.dispose();
});

/** What a subscription is refused with over `transport` at `url`: its errors, as a client gets them. */
async function refusal(
  transport: 'graphql-ws' | 'sse' | 'multipart',
  url: string,
  request: { query: string; variables: Record<string, unknown>; operationName?: string },
): Promise<unknown> {
  if (transport === 'graphql-ws') {
    const client = wsClient(url, { authorization: `Bearer ${admin.accessToken}` });
    try {
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('not refused within 5 s')), 5000);
        const refused = (errors: unknown) => {
          clearTimeout(timer);
          resolve(errors);
        };
        client.subscribe(request, {
          next: (result) => refused(result.errors),
          // An error message's errors, or the close that ended the connection instead.
          error: (error) =>
            refused(Array.isArray(error) ? error : `closed ${(error as { code: number }).code}`),
          complete: () => undefined,
        });
      });
    } finally {
      await client.dispose();
    }
  }
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: transport === 'sse' ? SSE_ACCEPT : MULTIPART_ACCEPT,
      ...admin.headers,
    },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  if (transport === 'multipart') {
    // Refused before streaming: a 400 with the errors; once streaming: a part with its payload.
    if (response.status === 400) return (JSON.parse(text) as { errors: unknown }).errors;
    const part = /^\{"payload":.*$/m.exec(text)?.[0];
    if (!part) return `${response.status}: ${text}`;
    return (JSON.parse(part) as { payload: { errors: unknown } }).payload.errors;
  }
  // GraphQL over SSE: the refusal is the stream's one `next` event, then `complete`.
  const events = [...text.matchAll(/^event: (\w+)\ndata: ?(.*)$/gm)];
  expect(events.map(([, event]) => event)).toEqual(['next', 'complete']);
  return (JSON.parse(events[0]![2]!) as { errors: unknown }).errors;
}

/** Where a subscription is served, and over which transports. */
const endpoints = () =>
  [
    ['gateway', stack.gatewayUrl, ['graphql-ws', 'sse', 'multipart']],
    ['subgraph', stack.subgraphs.messages!.url, ['graphql-ws', 'sse']],
  ] as const;

/** What each endpoint and transport refuses `request` with: message and code, or what went wrong. */
const refusals = async (request: {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
}) => {
  const seen: Record<string, unknown> = {};
  for (const [where, url, transports] of endpoints())
    for (const transport of transports) {
      seen[`${where} ${transport}`] = await refusal(transport, url, request).then(
        (errors) =>
          Array.isArray(errors)
            ? (errors as GraphQLFormattedError[]).map(({ message, extensions }) => ({
                message,
                code: extensions?.code,
              }))
            : errors,
        (error: Error) => error.message,
      );
    }
  return seen;
};

it('refuses variables that do not coerce and operations it cannot choose as a query is refused: at once, over every transport, at the gateway and at a subgraph', async () => {
  const subscription = (name: string, type = 'ID!') =>
    `subscription ${name}($channelId: ${type}) { messageAdded(channelId: $channelId) { id } }`;
  const query = (name: string, type = 'ID!') =>
    `query ${name}($channelId: ${type}) { channel(id: $channelId) { id } }`;
  const refused: {
    names: string[];
    variables: Record<string, unknown>;
    operationName?: string;
    /** The variable's declared type. */
    type?: string;
  }[] = [
    { names: [''], variables: {} },
    { names: [''], variables: { channelId: { not: 'an id' } } },
    { names: [''], variables: { channelId: null } },
    // Nullable with a default, so validation lets it stand for an ID!: an explicit null coerces,
    // and failed only in execution, as an internal error.
    { names: [''], variables: { channelId: null }, type: `ID = "${randomUUID()}"` },
    { names: ['A', 'B'], variables: { channelId: randomUUID() } },
    { names: ['A', 'B'], variables: { channelId: randomUUID() }, operationName: 'C' },
  ];
  for (const { names, variables, operationName, type } of refused) {
    const asQuery = (await (
      await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin.headers },
        body: JSON.stringify({
          query: names.map((name) => query(name, type)).join(' '),
          variables,
          operationName,
        }),
      })
    ).json()) as { errors: GraphQLFormattedError[] };
    // The message and code HTTP gives a query with the same variables and operations (the
    // locations differ with the text).
    const expected = asQuery.errors.map(({ message, extensions }) => ({
      message,
      code: extensions?.code,
    }));
    expect(expected).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT' })]);
    const request = {
      query: names.map((name) => subscription(name, type)).join(' '),
      variables,
      operationName,
    };
    const seen = await refusals(request);
    expect({ request, seen }).toEqual({
      request,
      seen: Object.fromEntries(Object.keys(seen).map((key) => [key, expected])),
    });
  }
  // Variables beyond the operation's are ignored, as over HTTP: this one subscribes, and is
  // refused only by the subgraph's resolver (no such channel).
  const extra = await refusals({
    query: subscription(''),
    variables: { channelId: randomUUID(), unused: 1 },
  });
  expect(Object.values(extra)).toEqual(
    Object.keys(extra).map(() => [{ message: 'Channel not found.', code: 'NOT_FOUND' }]),
  );
});

it('refuses a document that does not parse with its syntax error, as HTTP does: over every transport, at the gateway and at a subgraph', async () => {
  for (const query of [
    'subscription ($c: ID!) { messageAdded(channelId: $c) { id }',
    'subscription { messageAdded(channelId: "\uD800") { id } }',
    'subscribe { messageAdded }',
  ]) {
    const request = { query, variables: { c: randomUUID() } };
    const asQuery = (await (
      await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin.headers },
        body: JSON.stringify(request),
      })
    ).json()) as { errors: GraphQLFormattedError[] };
    const expected = asQuery.errors.map(({ message, extensions }) => ({
      message,
      code: extensions?.code,
    }));
    expect(expected).toEqual([
      { message: expect.stringMatching(/^Syntax Error: /), code: 'BAD_USER_INPUT' },
    ]);
    // Over SSE the document used to go to Apollo Server, which refused the Accept header (406).
    const seen = await refusals(request);
    expect({ query, seen }).toEqual({
      query,
      seen: Object.fromEntries(Object.keys(seen).map((key) => [key, expected])),
    });
  }
});

it('refuses @skip and @include in the top level selection of a subscription, as the GraphQL spec does: over every transport, at the gateway and at a subgraph', async () => {
  const forbidden = (subscription: string) => [
    {
      message: `${subscription} must not use \`@skip\` or \`@include\` directives in the top level selection.`,
      code: 'BAD_USER_INPUT',
    },
  ];
  const documents = [
    [
      'subscription ($c: ID!) { messageAdded(channelId: $c) @skip(if: true) { id } }',
      'Anonymous Subscription',
    ],
    [
      'subscription ($c: ID!, $i: Boolean = true) { messageAdded(channelId: $c) @include(if: $i) { id } }',
      'Anonymous Subscription',
    ],
    [
      'subscription ($c: ID!) { ... @include(if: false) { messageAdded(channelId: $c) { id } } }',
      'Anonymous Subscription',
    ],
    [
      'subscription Named($c: ID!) { ...F } fragment F on Subscription { messageAdded(channelId: $c) @skip(if: false) { id } }',
      'Subscription "Named"',
    ],
  ];
  for (const [query, subscription] of documents) {
    const request = { query: query!, variables: { c: randomUUID() } };
    const seen = await refusals(request);
    // Sent as a plain HTTP request too: graphql-js's validation throws on such a document when
    // the directive takes a variable, which Apollo Server answered with a 500.
    for (const [where, url] of endpoints()) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin.headers },
        body: JSON.stringify(request),
      });
      const { errors } = (await response.json()) as { errors: GraphQLFormattedError[] };
      seen[`${where} HTTP`] = [
        response.status,
        errors.map(({ message, extensions }) => ({ message, code: extensions?.code })),
      ];
    }
    expect({ query, seen }).toEqual({
      query,
      seen: Object.fromEntries(
        Object.keys(seen).map((key) => [
          key,
          key.endsWith('HTTP') ? [400, forbidden(subscription!)] : forbidden(subscription!),
        ]),
      ),
    });
  }
  // Below the top level they are allowed: this one subscribes (and is refused by the resolver).
  const nested = await refusals({
    query: 'subscription ($c: ID!) { messageAdded(channelId: $c) { id body @skip(if: true) } }',
    variables: { c: randomUUID() },
  });
  expect(Object.values(nested)).toEqual(
    Object.keys(nested).map(() => [{ message: 'Channel not found.', code: 'NOT_FOUND' }]),
  );
});
