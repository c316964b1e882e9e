/**
 * Federated subscriptions executed by the gateway, over a supergraph that is not opsgraph: the
 * executor is generic. Events carry fields owned by another subgraph, identical subscriptions
 * share one upstream subscription, credentials reach the owning subgraph, and a subscription the
 * owning subgraph refuses for a passing reason is subscribed again.
 */
import { MAX_REMEMBERED_DOCUMENT_LENGTH } from '../gateway/operation-limits';
import type { Gateway } from '../gateway/server';
import { LIBRARIAN, startThrowawaySubgraphs, type Throwaway } from './fixtures/throwaway-subgraphs';
import { graphql } from './support/graphql';
import { startGateway, testGatewayConfig, type Running } from './support/stack';
import { collect, eventually, wsClient } from './support/subscriptions';

let throwaway: Throwaway;
let gateway: Running<Gateway>;

beforeAll(async () => {
  throwaway = await startThrowawaySubgraphs();
  const supergraphPath = throwaway.writeSupergraph();
  gateway = await startGateway(testGatewayConfig({ supergraphPath }));
});
afterAll(async () => {
  await gateway?.stop();
  await throwaway?.stop();
});

const BOOK_ADDED = `subscription { bookAdded { isbn title onLoan } }`;
const addBook = (isbn: string, title: string) =>
  graphql(
    gateway.url,
    `
      mutation ($isbn: ID!, $title: String!) {
        addBook(isbn: $isbn, title: $title) {
          isbn
        }
      }
    `,
    { isbn, title },
  );

it('delivers events with fields resolved by another subgraph', async () => {
  const client = wsClient(gateway.url, { authorization: LIBRARIAN });
  const subscription = collect(client, BOOK_ADDED);
  await eventually(() => throwaway.liveSubscriptions() === 1);
  await addBook('978-1', 'Solaris, again');
  await addBook('978-9', 'Roadside Picnic');
  const results = await subscription.waitFor(2);
  expect(results).toEqual([
    { data: { bookAdded: { isbn: '978-1', title: 'Solaris, again', onLoan: true } } },
    { data: { bookAdded: { isbn: '978-9', title: 'Roadside Picnic', onLoan: false } } },
  ]);
  subscription.unsubscribe();
  await eventually(
    () =>
      gateway.service.subscriptionStats().upstreamSubscriptions === 0 &&
      throwaway.liveSubscriptions() === 0,
  );
  await client.dispose();
});

it('shares one upstream subscription and one rest execution per event among identical subscribers', async () => {
  const client = wsClient(gateway.url, { authorization: LIBRARIAN });
  const subscribers = Array.from({ length: 50 }, () => collect(client, BOOK_ADDED));
  await eventually(
    () =>
      gateway.service.subscriptionStats().subscribers === 50 && throwaway.liveSubscriptions() === 1,
  );
  const before = gateway.service.subscriptionStats();
  expect(before.upstreamSubscriptions).toBe(1);
  expect(before.topics).toBe(1);

  await addBook('978-2', 'Hyperion');
  for (const subscriber of subscribers) {
    expect(await subscriber.waitFor(1)).toEqual([
      { data: { bookAdded: { isbn: '978-2', title: 'Hyperion', onLoan: false } } },
    ]);
  }
  const after = gateway.service.subscriptionStats();
  expect(after.restExecutions - before.restExecutions).toBe(1);
  expect(after.eventsDelivered - before.eventsDelivered).toBe(50);

  // Different variables make a different subscription upstream.
  const other = collect(client, `subscription { bookAdded(titlePrefix: "H") { isbn } }`);
  await eventually(
    () =>
      gateway.service.subscriptionStats().upstreamSubscriptions === 2 &&
      throwaway.liveSubscriptions() === 2,
  );
  other.unsubscribe();
  subscribers.forEach((s) => s.unsubscribe());
  await eventually(
    () =>
      gateway.service.subscriptionStats().upstreamSubscriptions === 0 &&
      throwaway.liveSubscriptions() === 0,
  );
  await client.dispose();
});

it('shares one topic among subscriptions that differ only in variables their operation does not declare', async () => {
  const client = wsClient(gateway.url, { authorization: LIBRARIAN });
  // Extra variables are ignored, as over HTTP; the gateway does not keep them either.
  const subscribers = ['', 'x', 'y'.repeat(100_000)].map((unused) =>
    collect(client, BOOK_ADDED, unused ? { unused } : {}),
  );
  await eventually(() => gateway.service.subscriptionStats().subscribers === 3);
  expect(gateway.service.subscriptionStats()).toMatchObject({
    topics: 1,
    upstreamSubscriptions: 1,
  });
  subscribers.forEach((s) => s.unsubscribe());
  await eventually(() => gateway.service.subscriptionStats().upstreamSubscriptions === 0);
  await client.dispose();
});

it(`refuses a subscription document longer than ${MAX_REMEMBERED_DOCUMENT_LENGTH} characters, which it would hold for the subscription's life`, async () => {
  const client = wsClient(gateway.url, { authorization: LIBRARIAN });
  const padded = collect(client, `# ${'x'.repeat(MAX_REMEMBERED_DOCUMENT_LENGTH)}\n${BOOK_ADDED}`);
  await padded.ended();
  expect(padded.error).toEqual([
    {
      message: `A subscription's document may be at most ${MAX_REMEMBERED_DOCUMENT_LENGTH} characters long.`,
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'maxSubscriptionDocumentLength' },
    },
  ]);
  await client.dispose();
});

it("forwards the caller's credentials to the owning subgraph", async () => {
  const client = wsClient(gateway.url, { authorization: 'Bearer someone-else' });
  const subscription = collect(client, BOOK_ADDED);
  await subscription.ended();
  expect(subscription.results).toEqual([
    {
      data: null,
      errors: [
        expect.objectContaining({
          message: 'Librarians only.',
          extensions: { code: 'UNAUTHENTICATED', serviceName: 'catalogue' },
        }),
      ],
    },
  ]);
  await client.dispose();
});

it('refuses invalid documents and operations that are not subscriptions', async () => {
  const client = wsClient(gateway.url, { authorization: LIBRARIAN });
  const invalid = collect(client, `subscription { nope }`);
  await invalid.ended();
  expect(invalid.error).toEqual([
    expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
  ]);
  const query = collect(client, `{ books { isbn } }`);
  await query.ended();
  expect(query.error).toEqual([
    expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }),
  ]);
  await client.dispose();
});

it.each(['SUBGRAPH_UNAVAILABLE', 'INTERNAL_SERVER_ERROR'])(
  'subscribes again, unseen by the client, while the owning subgraph refuses with %s',
  async (code) => {
    throwaway.refuseSubscriptions(3, code);
    const client = wsClient(gateway.url, { authorization: LIBRARIAN });
    const subscription = collect(client, BOOK_ADDED);
    await eventually(() => throwaway.liveSubscriptions() === 1);
    await addBook('978-2', 'The Invincible');
    expect(await subscription.waitFor(1)).toEqual([
      { data: { bookAdded: { isbn: '978-2', title: 'The Invincible', onLoan: false } } },
    ]);
    expect(subscription.completed).toBe(false);
    expect(subscription.error).toBeUndefined();
    subscription.unsubscribe();
    await eventually(() => throwaway.liveSubscriptions() === 0);
    await client.dispose();
  },
);

it('ends with a retryable SUBGRAPH_UNAVAILABLE naming the subgraph when the refusals go on', async () => {
  throwaway.refuseSubscriptions(Number.MAX_SAFE_INTEGER, 'INTERNAL_SERVER_ERROR');
  const client = wsClient(gateway.url, { authorization: LIBRARIAN });
  const subscription = collect(client, BOOK_ADDED);
  try {
    await subscription.ended(20_000);
  } finally {
    throwaway.refuseSubscriptions(0, '');
  }
  expect(subscription.results).toEqual([
    {
      data: null,
      errors: [
        {
          message: 'Subgraph catalogue is unavailable; resubscribe after extensions.lastCursor.',
          extensions: {
            code: 'SUBGRAPH_UNAVAILABLE',
            serviceName: 'catalogue',
            retryable: true,
            lastCursor: null,
          },
        },
      ],
    },
  ]);
  expect(subscription.completed).toBe(true);
  await client.dispose();
});

it('answers a subscription sent over HTTP without a streaming Accept with 406 and the transports', async () => {
  const response = await graphql(gateway.url, BOOK_ADDED, {}, { authorization: LIBRARIAN });
  expect(response.status).toBe(406);
  expect(response.errors).toEqual([
    expect.objectContaining({
      message:
        'Subscriptions are served at this same URL over WebSocket (graphql-ws), or over HTTP ' +
        'with `Accept: text/event-stream` (GraphQL over SSE) or ' +
        '`Accept: multipart/mixed;subscriptionSpec=1.0` (multipart).',
      extensions: { code: 'BAD_USER_INPUT' },
    }),
  ]);
});

it('frames events of every WebSocket length class intact (7-bit, 16-bit and 64-bit lengths)', async () => {
  // Events go out as one frame built per event and written to every socket as is.
  const client = wsClient(gateway.url, { authorization: LIBRARIAN });
  const subscription = collect(client, BOOK_ADDED);
  await eventually(() => throwaway.liveSubscriptions() === 1);
  const titles = ['short', 'é'.repeat(200), 'x'.repeat(70_000)];
  for (const [i, title] of titles.entries()) await addBook(`978-len-${i}`, title);
  const results = await subscription.waitFor(3);
  expect(
    results.map((result) => (result.data as { bookAdded: { title: string } }).bookAdded.title),
  ).toEqual(titles);
  subscription.unsubscribe();
  await client.dispose();
});
