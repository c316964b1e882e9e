/**
 * The gateway's hot path (known operations, the lean executor) must answer exactly as Apollo
 * Server's pipeline does. Each request below is sent three times: the first goes through the
 * pipeline, the next two through the hot path; status, content type and body must be identical
 * byte for byte, and /metrics must show which path answered. The subgraphs are made up for it:
 * an interface over two entity types, fields split across subgraphs, aliases, fragments,
 * variables, a subgraph error and a null where the schema forbids one.
 */
import { gzipSync } from 'node:zlib';
import { GraphQLError, parse } from 'graphql';
import { startComposedSubgraphs, type ComposedSubgraphs } from './fixtures/throwaway-subgraphs';
import { startGateway, testGatewayConfig, type Running } from './support/stack';
import { MAX_REMEMBERED_DOCUMENT_LENGTH } from '../gateway/operation-limits';
import type { Gateway } from '../gateway/server';

const LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

const items = [
  { __typename: 'Book', id: 'b1', title: 'Dune', author: { name: 'Herbert' } },
  { __typename: 'Film', id: 'f1', title: 'Stalker', minutes: 161 },
  { __typename: 'Book', id: 'b2', title: 'Solaris', author: null },
];

const shelf = {
  name: 'shelf',
  typeDefs: parse(`${LINK}
    interface Item { id: ID! title: String! }
    type Author { name: String! }
    type Book implements Item @key(fields: "id") { id: ID! title: String! author: Author }
    type Film implements Item @key(fields: "id") { id: ID! title: String! minutes: Int }
    type Query {
      items: [Item!]!
      item(id: ID!): Item
      failing: String
      broken: Book
    }`),
  resolvers: {
    Item: { __resolveType: (item: { __typename: string }) => item.__typename },
    Query: {
      items: () => items,
      item: (_: unknown, { id }: { id: string }) => items.find((item) => item.id === id) ?? null,
      failing: () => {
        throw new GraphQLError('The shelf is closed.', { extensions: { code: 'FORBIDDEN' } });
      },
      // A subgraph breaking its own schema: a non-null title that is null.
      broken: () => ({ id: 'b3', title: null }),
    },
  },
};

const reviews = {
  name: 'reviews',
  typeDefs: parse(`${LINK}
    type Review { stars: Int! text: String }
    type Book @key(fields: "id") { id: ID! reviews: [Review!]! }
    type Film @key(fields: "id") { id: ID! rating: Float }`),
  resolvers: {
    Book: {
      reviews: ({ id }: { id: string }) =>
        id === 'b1'
          ? [
              { stars: 5, text: 'Spice.' },
              { stars: 4, text: null },
            ]
          : [],
    },
    Film: { rating: ({ id }: { id: string }) => (id === 'f1' ? 8.1 : null) },
  },
};

let subgraphs: ComposedSubgraphs;
let gateway: Running<Gateway>;

beforeAll(async () => {
  subgraphs = await startComposedSubgraphs([shelf, reviews]);
  const config = testGatewayConfig({ supergraphPath: subgraphs.writeSupergraph() });
  // The stopped subgraph's breaker stays closed here, so every answer names the refused
  // connection (gateway-partial-availability.test.ts covers the open breaker).
  config.subgraphResilience.breaker.failures = 1_000;
  gateway = await startGateway(config);
});
afterAll(async () => {
  await gateway?.stop();
  await subgraphs?.stop();
});

async function operationPaths(): Promise<Record<string, number>> {
  const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
  const counts: Record<string, number> = { pipeline: 0, 'cached-plan': 0, lean: 0 };
  for (const match of text.matchAll(
    /^opsgraph_gateway_operations_total\{[^}]*path="([^"]+)"[^}]*\} (\d+)/gm,
  ))
    counts[match[1]!] = Number(match[2]);
  return counts;
}

async function send(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: await response.text(),
  };
}

/** Sends `body` three times; returns the answer and how the last two were served. */
async function sendThrice(body: unknown, headers?: Record<string, string>) {
  const first = await send(body, headers);
  const before = await operationPaths();
  const again = [await send(body, headers), await send(body, headers)];
  const after = await operationPaths();
  for (const answer of again) expect(answer).toEqual(first);
  const served = Object.fromEntries(
    Object.keys(after).map((path) => [path, after[path]! - before[path]!]),
  );
  return { answer: first, served };
}

const ITEMS = `{
  items {
    __typename
    id
    ... on Book { title reviews { stars text } author { name } }
    ... on Film { name: title rating minutes }
  }
}`;

it('answers a query spanning both subgraphs through interfaces, on the lean path', async () => {
  const { answer, served } = await sendThrice({ query: ITEMS });
  expect(served).toEqual({ pipeline: 0, 'cached-plan': 0, lean: 2 });
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body)).toEqual({
    data: {
      items: [
        {
          __typename: 'Book',
          id: 'b1',
          title: 'Dune',
          reviews: [
            { stars: 5, text: 'Spice.' },
            { stars: 4, text: null },
          ],
          author: { name: 'Herbert' },
        },
        { __typename: 'Film', id: 'f1', name: 'Stalker', rating: 8.1, minutes: 161 },
        { __typename: 'Book', id: 'b2', title: 'Solaris', reviews: [], author: null },
      ],
    },
  });
});

it('keeps aliases, named fragments, variables and operation names', async () => {
  const query = `
    query Pair($id: ID!, $other: ID!) {
      first: item(id: $id) { ...Described }
      second: item(id: $other) { kind: __typename id }
      missing: item(id: "none") { id }
    }
    query Unused { items { id } }
    fragment Described on Item { id label: title ... on Book { reviews { stars } } }`;
  const { answer, served } = await sendThrice({
    query,
    operationName: 'Pair',
    variables: { id: 'b1', other: 'f1' },
  });
  expect(served.lean).toBe(2);
  expect(JSON.parse(answer.body)).toEqual({
    data: {
      first: { id: 'b1', label: 'Dune', reviews: [{ stars: 5 }, { stars: 4 }] },
      second: { kind: 'Film', id: 'f1' },
      missing: null,
    },
  });
  // Other variables, same document: still the hot path, and their own answer.
  const other = await send({ query, operationName: 'Pair', variables: { id: 'b2', other: 'b1' } });
  expect(JSON.parse(other.body).data.first).toEqual({ id: 'b2', label: 'Solaris', reviews: [] });
});

it('answers a subgraph error exactly as Apollo does (Apollo’s executor, not the lean one)', async () => {
  const { answer, served } = await sendThrice({ query: '{ items { id } failing }' });
  expect(served).toEqual({ pipeline: 0, 'cached-plan': 2, lean: 0 });
  const body = JSON.parse(answer.body);
  expect(body.data.failing).toBeNull();
  expect(body.errors).toEqual([
    expect.objectContaining({ message: 'The shelf is closed.', path: ['failing'] }),
  ]);
});

it('answers a null the schema forbids exactly as Apollo does', async () => {
  const { answer, served } = await sendThrice({ query: '{ broken { id title } }' });
  expect(served['cached-plan']).toBe(2);
  expect(JSON.parse(answer.body).data).toEqual({ broken: null });
});

it('refuses an explicit null where the operation needs a value, on both paths, as the client’s mistake', async () => {
  // Validation lets a nullable variable with a default stand where a value is required; an
  // explicit null for it coerces, and failed only in execution, with a masked
  // INTERNAL_SERVER_ERROR: the whole answer for the `if` of @include or @skip (HTTP 400, no data,
  // on the hot path too), the field beside the others for an argument.
  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      'query ($yes: Boolean = true) { __typename @include(if: $yes) items { id } }',
      { yes: true },
      'yes',
      'Boolean!',
    ],
    ['query ($id: ID = "b1") { items { id } item(id: $id) { id } }', { id: 'b1' }, 'id', 'ID!'],
    [
      'query ($no: Boolean = false) { items { ...Titles } } fragment Titles on Item { title @skip(if: $no) }',
      { no: false },
      'no',
      'Boolean!',
    ],
  ];
  for (const [query, given, name, type] of cases) {
    // Remembered with a value: the hot path must leave the null to the pipeline's refusal.
    expect((await sendThrice({ query, variables: given })).served.pipeline).toBe(0);
    const { answer, served } = await sendThrice({ query, variables: { [name]: null } });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      errors: [
        {
          message: `Variable "$${name}" must not be null: it is used where a value of type "${type}" is required.`,
          locations: [{ line: 1, column: 8 }],
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
    });
    expect(served.pipeline).toBe(2);
  }
});

it('leaves to Apollo what it does not cover: bad variables, other media types, extensions', async () => {
  const query = 'query ($id: ID!) { item(id: $id) { id } }';
  await send({ query, variables: { id: 'b1' } });
  const wrong = await sendThrice({ query, variables: { id: { not: 'an id' } } });
  expect(wrong.served).toEqual({ pipeline: 2, 'cached-plan': 0, lean: 0 });
  expect(JSON.parse(wrong.answer.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');

  const strict = await sendThrice(
    { query: ITEMS },
    { accept: 'application/graphql-response+json' },
  );
  expect(strict.served.lean).toBe(2);
  expect(strict.answer.contentType).toBe('application/graphql-response+json; charset=utf-8');

  const persisted = await sendThrice({ query: ITEMS, extensions: { persistedQuery: {} } });
  expect(persisted.served).toEqual({ pipeline: 2, 'cached-plan': 0, lean: 0 });
});

it('serves an Accept header naming a charset on both paths, as Apollo negotiates it', async () => {
  // Apollo offers its media types with `charset=utf-8`; the operation guard offered them bare,
  // which Negotiator does not match to an Accept entry with a charset: the pipeline answered 406
  // and the hot path 200.
  for (const [accept, contentType] of [
    ['application/json; charset=utf-8', 'application/json; charset=utf-8'],
    ['application/json;charset=UTF-8', 'application/json; charset=utf-8'],
    [
      'application/graphql-response+json; charset=utf-8',
      'application/graphql-response+json; charset=utf-8',
    ],
  ]) {
    const { answer, served } = await sendThrice(
      { query: `query Charset { items { id } } # ${accept}` },
      { accept: accept! },
    );
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe(contentType);
    expect(served.lean).toBe(2);
    expect(JSON.parse(answer.body)).toEqual({
      data: { items: [{ id: 'b1' }, { id: 'f1' }, { id: 'b2' }] },
    });
  }
  // A charset the gateway does not answer in is refused on both paths, as Apollo refuses it.
  const latin1 = await sendThrice(
    { query: 'query Latin1 { items { id } }' },
    { accept: 'application/json; charset=iso-8859-1' },
  );
  expect(latin1.served).toEqual({ pipeline: 2, 'cached-plan': 0, lean: 0 });
  expect(latin1.answer.status).toBe(406);
});

it('reads a body as JSON by its media type, in any case, and only when it is JSON', async () => {
  // Media types are case-insensitive (RFC 9110): this one was read as text and refused.
  const upper = await sendThrice(
    { query: 'query UpperCase { items { id } }' },
    { 'content-type': 'Application/JSON; Charset=UTF-8' },
  );
  expect(upper.answer.status).toBe(200);
  expect(upper.served.lean).toBe(2);
  // A type that only contains the words is not JSON: it was parsed and run.
  for (const type of ['application/jsonx', 'text/x-application/json']) {
    const answer = await send(
      { query: 'query UpperCase { items { id } }' },
      { 'content-type': type },
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).errors[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'BAD_REQUEST',
    });
  }
});

it('refuses a compressed body with 415, on a remembered document too, rather than read it as it came', async () => {
  const query = 'query Compressed { items { id } }';
  expect((await sendThrice({ query })).served.lean).toBe(2);
  const refusal = {
    errors: [
      {
        message: 'Request bodies are taken uncompressed: Content-Encoding gzip is not supported.',
        extensions: { code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST' },
      },
    ],
  };
  // Compressed, it was refused as invalid JSON (400); with a header that lies, it ran.
  for (const body of [gzipSync(JSON.stringify({ query })), JSON.stringify({ query })]) {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual(refusal);
  }
});

it(`leaves documents longer than ${MAX_REMEMBERED_DOCUMENT_LENGTH} characters to Apollo: ever new long ones cannot make the gateway grow`, async () => {
  const long = await sendThrice({
    query: `# ${'x'.repeat(MAX_REMEMBERED_DOCUMENT_LENGTH)}\n${ITEMS}`,
  });
  expect(long.served).toEqual({ pipeline: 2, 'cached-plan': 0, lean: 0 });
  const short = await sendThrice({ query: ITEMS });
  expect(short.served.lean).toBe(2);
  expect(short.answer).toEqual(long.answer);
});

it('names a stopped subgraph with SUBGRAPH_UNAVAILABLE on both paths (last: it stops one)', async () => {
  const query = '{ items { id ... on Film { rating } } }';
  const up = await send({ query });
  expect(JSON.parse(up.body).errors).toBeUndefined();
  await subgraphs.stopOne('reviews');

  const expected = {
    message: 'Subgraph reviews is unreachable.',
    extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reviews' },
  };
  // Remembered: the hot path (the lean run falls back to Apollo's executor).
  const { answer, served } = await sendThrice({ query });
  expect(served.pipeline).toBe(0);
  const body = JSON.parse(answer.body);
  expect(body.errors).toEqual([expected]);
  expect(body.data.items[1]).toEqual({ id: 'f1', rating: null });
  // Never seen: Apollo Server's pipeline says the same.
  const fresh = JSON.parse(
    (await send({ query: '{ item(id: "f1") { ... on Film { rating } } }' })).body,
  );
  expect(fresh.errors).toEqual([expected]);
});
