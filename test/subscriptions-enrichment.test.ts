/**
 * An event whose fields from another subgraph cannot be fetched is never skipped: while the
 * users subgraph restarts, a chat subscription's events wait and are retried, and arrive whole
 * once it is back; when it stays down, the stream ends with a retryable SUBGRAPH_UNAVAILABLE
 * naming the last cursor delivered, from which a new subscription resumes without a gap. And a
 * replay is enriched in merged entity fetches, not one per event (counted by a proxy in front of
 * the users subgraph).
 */
import { MessageAddedDocument } from './__generated__/graphql';
import { createServer, type Server } from 'node:http';
import type { Gateway } from '../gateway/server';
import { serveWhileStarting } from '../platform/dependencies';
import { listen } from '../platform/listen';
import { closeHttpServer } from '../platform/shutdown';
import { graphql } from './support/graphql';
import { createChannel, pageAll, post } from './support/messages';
import { signUp, type SignedIn } from './support/seed';
import { startGateway, startStack, type Running, type Stack } from './support/stack';

import { clientsFor, collect, deliveredMessages, type Collected } from './support/subscriptions';

let stack: Stack;
let admin: SignedIn;
const clients = clientsFor(() => ({ authorization: `Bearer ${admin.accessToken}` }));
const client = (url: string) => clients.open(url);

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'messages'],
    config: { messages: { floodMaxRepeats: 1000 } },
  });
  admin = await signUp(stack.gatewayUrl);
});
afterEach(() => clients.disposeAll());
afterAll(() => stack?.stop());

/** Posts without selecting anything of the users subgraph, so it works while that one is down. */
async function postBare(url: string, channelId: string, body: string): Promise<string> {
  const response = await graphql(
    url,
    'mutation ($input: PostMessageInput!) { postMessage(input: $input) { id cursor } }',
    { input: { channelId, body } },
    admin.headers,
  );
  if (!response.data?.postMessage) throw new Error(JSON.stringify(response.errors));
  return response.data.postMessage.cursor as string;
}

const messages = (subscription: Collected) => deliveredMessages(subscription, admin.user.username);

async function channelWithStart(url: string) {
  const channel = await createChannel(url, admin);
  const start = await post(url, admin, channel.id, 'start');
  return { channelId: channel.id, after: start.cursor };
}

it('events wait while the users subgraph restarts, and arrive whole, in order, once it is back', async () => {
  const url = stack.gatewayUrl;
  const variables = await channelWithStart(url);
  const live = collect(client(url), MessageAddedDocument, variables);
  for (const body of ['one', 'two']) await postBare(url, variables.channelId, body);
  await live.waitFor(2);

  await stack.stopSubgraph('users');
  for (const body of ['three', 'four', 'five']) await postBare(url, variables.channelId, body);
  // Long enough for the gateway to try and fail a few times, well inside its retry budget.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(live.results).toHaveLength(2);
  await stack.restartSubgraph('users');
  await postBare(url, variables.channelId, 'six');

  await live.waitFor(6);
  const all = (await pageAll(url, admin, variables.channelId, 'forward', 100, variables.after)).ids;
  expect(messages(live)).toEqual(all);
  expect(live.completed).toBe(false);
});

it('events wait while the users subgraph is starting (503, SUBGRAPH_UNAVAILABLE), and arrive whole', async () => {
  const url = stack.gatewayUrl;
  const variables = await channelWithStart(url);
  const live = collect(client(url), MessageAddedDocument, variables);
  await postBare(url, variables.channelId, 'one');
  await live.waitFor(1);

  // What a restarted subgraph answers until its dependencies are up: the stand-in's GraphQL error.
  await stack.stopSubgraph('users');
  const port = Number(new URL(stack.subgraphs.users!.url).port);
  const starting = await serveWhileStarting('127.0.0.1', port, {
    code: 'SUBGRAPH_UNAVAILABLE',
    subgraph: 'users',
  });
  try {
    await postBare(url, variables.channelId, 'two');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(live.results).toHaveLength(1);
  } finally {
    await starting.close();
    await stack.restartSubgraph('users');
  }

  await live.waitFor(2);
  expect(live.results.every((result) => result.errors === undefined)).toBe(true);
  const all = (await pageAll(url, admin, variables.channelId, 'forward', 100, variables.after)).ids;
  expect(messages(live)).toEqual(all);
});

it('a stream whose event cannot be completed ends with a retryable error naming the last cursor delivered', async () => {
  const url = stack.gatewayUrl;
  const variables = await channelWithStart(url);
  const first = collect(client(url), MessageAddedDocument, variables);
  await postBare(url, variables.channelId, 'delivered');
  await first.waitFor(1);
  const delivered = first.results[0]!.data!.messageAdded.cursor as string;

  await stack.stopSubgraph('users');
  try {
    await postBare(url, variables.channelId, 'stuck');
    await first.ended(30_000); // the gateway retries for 10 s first
    expect(first.results).toHaveLength(2);
    expect(first.results[1]).toEqual({
      data: null,
      errors: [
        {
          message: 'Subgraph users is unavailable; resubscribe after extensions.lastCursor.',
          extensions: {
            code: 'SUBGRAPH_UNAVAILABLE',
            serviceName: 'users',
            retryable: true,
            lastCursor: delivered,
          },
        },
      ],
    });
    expect(first.completed).toBe(true);
  } finally {
    await stack.restartSubgraph('users');
  }

  // Resuming from that cursor delivers the event that could not be completed, then the rest.
  const resumed = collect(client(url), MessageAddedDocument, { ...variables, after: delivered });
  await postBare(url, variables.channelId, 'later');
  await resumed.waitFor(2);
  const all = (await pageAll(url, admin, variables.channelId, 'forward', 100, variables.after)).ids;
  expect([
    ...messages({ ...first, results: first.results.slice(0, 1) }),
    ...messages(resumed),
  ]).toEqual(all);
});

/**
 * An HTTP proxy in front of a subgraph that counts the `_entities` requests passing through, and
 * holds each for `delayMs` — a slow subgraph, so that a replay's events arrive while the first
 * fetch is out whatever the machine's speed.
 */
async function countingProxy(target: string, delayMs: number) {
  let entityRequests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const entities = body.includes('_entities');
      if (entities) entityRequests += 1;
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([name]) => !['host', 'connection', 'content-length'].includes(name),
        ),
      ) as Record<string, string>;
      new Promise((resolve) => setTimeout(resolve, entities ? delayMs : 0))
        .then(() =>
          fetch(new URL(req.url ?? '/', target), {
            method: req.method,
            headers,
            ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
          }),
        )
        .then(async (response) => {
          res.writeHead(response.status, {
            'content-type': response.headers.get('content-type') ?? 'application/json',
          });
          res.end(Buffer.from(await response.arrayBuffer()));
        })
        .catch(() => res.destroy());
    });
  });
  const url = await listen(server, '127.0.0.1', 0);
  return {
    url,
    entityRequests: () => entityRequests,
    close: () => closeHttpServer(server),
  };
}

it('a replay is enriched in merged entity fetches, delivered in order', async () => {
  const proxy = await countingProxy(stack.subgraphs.users!.url, 200);
  let gateway: Running<Gateway> | null = null;
  try {
    gateway = await startGateway({
      ...stack.gatewayConfig,
      subgraphUrls: { ...stack.gatewayConfig.subgraphUrls, users: proxy.url },
    });
    const url = gateway.url;
    const variables = await channelWithStart(url);
    const REPLAYED = 60;
    for (let i = 0; i < REPLAYED; i++) await postBare(url, variables.channelId, `m${i}`);
    const before = proxy.entityRequests();
    const replay = collect(client(url), MessageAddedDocument, variables);
    await replay.waitFor(REPLAYED, 30_000); // one fetch per event would take 12 s
    // One fetch per event was 60 requests; merged, a few: events that arrive while a fetch is
    // out go together in the next one.
    expect(proxy.entityRequests() - before).toBeLessThanOrEqual(10);
    const all = (await pageAll(url, admin, variables.channelId, 'forward', 100, variables.after))
      .ids;
    expect(messages(replay)).toEqual(all);
  } finally {
    await clients.disposeAll();
    await gateway?.stop();
    await proxy.close();
  }
});
