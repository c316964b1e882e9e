/**
 * opsgraph's subgraphs behind a standard federation router. Hive Gateway (its runtime, as a
 * library) serves the committed schema/supergraph.graphql — the subgraph URLs rewritten to this
 * test's ports, nothing else changed — configured only to forward the caller's credentials, as
 * docs/operations.md ("Behind another federation router") tells operators to. It must answer a
 * federated query and deliver a federated subscription event with its default subgraph
 * subscription transport (GraphQL over SSE: a GET with `Accept: text/event-stream`).
 *
 * The subgraphs also take credentials the ways routers send them over graphql-ws: a `headers`
 * object in `connection_init`, the payload itself, or the upgrade request's headers.
 */
import { createServer, type RequestListener } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { listen } from '../platform/listen';
import { closeHttpServer } from '../platform/shutdown';
import { graphql } from './support/graphql';
import { createChannel, post } from './support/messages';
import { signUp, type SignedIn } from './support/seed';
import { startStack, SUPERGRAPH_PATH, type Stack } from './support/stack';
import { MESSAGE_ADDED } from './support/subscription-streams';
import { collect, wsClient } from './support/subscriptions';

/**
 * The part of @graphql-hive/gateway-runtime this test uses. It is loaded without its typings:
 * they widen graphql's GraphQLErrorExtensions for the whole program (Yoga's `http` extension),
 * which the gateway's own Apollo errors then no longer type-check against.
 */
interface HiveRuntime {
  createGatewayRuntime(config: {
    supergraph: string;
    logging: boolean;
    propagateHeaders: {
      fromClientToSubgraphs(payload: { request: Request }): Record<string, string | null>;
    };
  }): RequestListener & { dispose(): Promise<void> };
}
const { createGatewayRuntime } = createRequire(__filename)(
  '@graphql-hive/gateway-runtime',
) as HiveRuntime;

let stack: Stack;
let admin: SignedIn;

beforeAll(async () => {
  stack = await startStack();
  admin = await signUp(stack.gatewayUrl);
});
afterAll(async () => {
  await stack?.stop();
});

/** The committed supergraph with each subgraph's URL pointed at this test's subgraph. */
async function supergraphForTest(): Promise<string> {
  const committed = await readFile(SUPERGRAPH_PATH, 'utf8');
  const rewritten = committed.replace(
    /@join__graph\(name: "(\w+)", url: "[^"]*"\)/g,
    (_, name: string) => `@join__graph(name: "${name}", url: "${stack.subgraphs[name]!.url}")`,
  );
  expect(rewritten).not.toBe(committed);
  return rewritten;
}

/** The events of a GraphQL over SSE response, parsed as they arrive. */
function sseEvents(response: Response) {
  const events: { event: string; data: any }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reading = (async () => {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event) events.push({ event, data: data ? JSON.parse(data) : undefined });
      }
    }
  })().catch(() => undefined);
  return {
    events,
    async waitFor(count: number, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.filter((e) => e.event === 'next').length < count) {
        if (Date.now() > deadline)
          throw new Error(`timed out; events so far: ${JSON.stringify(events)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return events.filter((e) => e.event === 'next').map((e) => e.data);
    },
    reading,
  };
}

describe('Hive Gateway over the committed supergraph', () => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const hive = createGatewayRuntime({
      supergraph: await supergraphForTest(),
      logging: false,
      // The one thing an operator configures: forward the caller's credentials.
      propagateHeaders: {
        fromClientToSubgraphs: ({ request }) => ({
          authorization: request.headers.get('authorization'),
          'x-api-key': request.headers.get('x-api-key'),
        }),
      },
    });
    const server = createServer(hive);
    url = await listen(server, '127.0.0.1', 0);
    close = async () => {
      server.closeAllConnections();
      await closeHttpServer(server);
      await hive.dispose();
    };
  });
  afterAll(async () => {
    await close?.();
  });

  it('answers a federated query with the caller forwarded', async () => {
    const channel = await createChannel(stack.gatewayUrl, admin);
    await post(stack.gatewayUrl, admin, channel.id, 'through hive');
    const query = `query ($id: ID!) {
      me { username organization { id } }
      channel(id: $id) { name messages(last: 5) { edges { node { body author { username } } } } }
    }`;
    const response = await graphql(url, query, { id: channel.id }, admin.headers);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      me: { username: admin.user.username, organization: { id: admin.user.organization.id } },
      channel: {
        name: channel.name,
        messages: {
          edges: [{ node: { body: 'through hive', author: { username: admin.user.username } } }],
        },
      },
    });
    // Without credentials the subgraphs themselves refuse: nothing depends on the router.
    expect((await graphql(url, query, { id: channel.id })).data?.me).toBeNull();
  });

  it('delivers a federated messageAdded event over its default subgraph transport', async () => {
    const channel = await createChannel(stack.gatewayUrl, admin);
    const first = await post(stack.gatewayUrl, admin, channel.id, 'before');
    await post(stack.gatewayUrl, admin, channel.id, 'replayed');
    const abort = new AbortController();
    const response = await fetch(url, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...admin.headers,
      },
      body: JSON.stringify({
        query: MESSAGE_ADDED,
        variables: { channelId: channel.id, after: first.cursor },
      }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const stream = sseEvents(response);
    try {
      const [replayed] = await stream.waitFor(1);
      expect(replayed.errors).toBeUndefined();
      expect(replayed.data.messageAdded).toMatchObject({
        body: 'replayed',
        author: { username: admin.user.username },
      });
      await post(stack.gatewayUrl, admin, channel.id, 'live');
      const [, live] = await stream.waitFor(2);
      expect(live.data.messageAdded).toMatchObject({
        body: 'live',
        author: { username: admin.user.username },
      });
    } finally {
      abort.abort();
      await stream.reading;
    }
  });
});

describe('a subgraph taking graphql-ws credentials the ways routers send them', () => {
  const SUBSCRIPTION = `subscription ($channelId: ID!, $after: String) {
    messageAdded(channelId: $channelId, after: $after) { body author { id } }
  }`;

  /** The first event of messageAdded, straight from the messages subgraph. */
  async function firstEvent(client: ReturnType<typeof createClient>) {
    const channel = await createChannel(stack.gatewayUrl, admin);
    const first = await post(stack.gatewayUrl, admin, channel.id, `before ${channel.id}`);
    await post(stack.gatewayUrl, admin, channel.id, `after ${channel.id}`);
    const subscription = collect(client, SUBSCRIPTION, {
      channelId: channel.id,
      after: first.cursor,
    });
    try {
      await subscription.waitFor(1);
      return { channel, event: subscription.results[0] ?? { error: subscription.error } };
    } finally {
      subscription.unsubscribe();
      await client.dispose();
    }
  }

  const delivered = (channelId: string) => ({
    data: { messageAdded: { body: `after ${channelId}`, author: { id: admin.user.id } } },
  });
  const messagesUrl = () => stack.subgraphs.messages!.url;
  const token = () => admin.headers.authorization!;

  it.each([
    ['a headers object in connection_init', () => ({ headers: { authorization: token() } })],
    ['capitalized header names', () => ({ headers: { Authorization: token() } })],
    ['the connection_init payload itself', () => ({ authorization: token() })],
  ])('accepts %s', async (_, params) => {
    const { channel, event } = await firstEvent(wsClient(messagesUrl(), params()));
    expect(event).toMatchObject(delivered(channel.id));
  });

  it("accepts the upgrade request's headers", async () => {
    const authorization = token();
    class WithHeaders extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { authorization } });
      }
    }
    const client = createClient({
      url: messagesUrl().replace(/^http/, 'ws'),
      webSocketImpl: WithHeaders,
      retryAttempts: 0,
      lazy: true,
    });
    const { channel, event } = await firstEvent(client);
    expect(event).toMatchObject(delivered(channel.id));
  });

  it('refuses the same subscription without credentials', async () => {
    const { event } = await firstEvent(wsClient(messagesUrl(), { headers: {} }));
    expect(JSON.stringify(event)).toContain('UNAUTHENTICATED');
  });
});

describe("a subgraph's CSRF prevention, with routers' plain GETs", () => {
  it('still refuses a plain GET query or mutation, whatever it accepts', async () => {
    // The messages subgraph: it serves subscriptions over SSE, so a GET asking for a stream is
    // looked at by that path first, which must leave queries and mutations to Apollo's check.
    for (const query of ['{ __typename }', 'mutation { leaveChannel(id: "x") }'])
      for (const accept of ['application/json', 'text/event-stream']) {
        const search = new URLSearchParams({ query });
        const response = await fetch(`${stack.subgraphs.messages!.url}?${search}`, {
          headers: { accept, ...admin.headers },
        });
        expect({ query, accept, status: response.status }).toEqual({ query, accept, status: 400 });
        expect(await response.text()).toContain('Cross-Site Request Forgery');
      }
  });
});
