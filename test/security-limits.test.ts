/**
 * Operation limits at the gateway, each with a request just under and just over it; batching,
 * automatic persisted queries, introspection and field suggestions by mode.
 */
import { createHash } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import type { GatewayConfig } from '../gateway/env';
import { errorCodes, graphql, type GraphQLResponse } from './support/graphql';
import { sseSubscribe } from './support/http-subscriptions';
import { signUp } from './support/seed';
import { collect, wsClient } from './support/subscriptions';
import { startGateway, startStack, type Running, type Stack } from './support/stack';
import type { Gateway } from '../gateway/server';

let stack: Stack;
let gateway: Running<Gateway>;
let production: Running<Gateway>;
let headers: Record<string, string>;

const LIMITS = {
  maxDepth: 4,
  maxAliases: 3,
  maxRootFields: 3,
  maxDirectives: 3,
  maxTokens: 60,
  maxCost: 100,
  fieldSuggestions: true,
};

const config = (overrides: Partial<GatewayConfig>): GatewayConfig => ({
  ...stack.gatewayConfig,
  maxBodyBytes: 2000,
  operationLimits: LIMITS,
  ...overrides,
});

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users'] });
  gateway = await startGateway(config({}));
  // Signed up through the stack's own gateway: the limits below are far tighter than the
  // support module's sign-up operation needs.
  headers = (await signUp(stack.gatewayUrl)).headers;
  production = await startGateway(
    config({
      production: true,
      introspection: false,
      operationLimits: { ...LIMITS, fieldSuggestions: false },
    }),
  );
});
afterAll(async () => {
  await gateway?.stop();
  await production?.stop();
  await stack?.stop();
});

const refusal = (response: GraphQLResponse) =>
  response.errors?.map((e) => [e.extensions?.code, e.extensions?.limit]) ?? [];

async function underAndOver(under: string, over: string, limit: string) {
  const ok = await graphql(gateway.url, under, {}, headers);
  expect(ok.errors).toBeUndefined();
  const refused = await graphql(gateway.url, over, {}, headers);
  expect(refused.status).toBe(400);
  expect(refused.data ?? null).toBeNull();
  expect(refusal(refused)).toContainEqual(['QUERY_TOO_COMPLEX', limit]);
  expect(refused.errors!.find((e) => e.extensions?.limit === limit)!.message).toMatch(/limit/i);
}

test('depth', () =>
  underAndOver(
    '{ users { edges { node { id } } } }',
    '{ users { edges { node { organization { id } } } } }',
    'maxDepth',
  ));

test('aliases', () =>
  underAndOver('{ me { a: id b: id c: id } }', '{ me { a: id b: id c: id d: id } }', 'maxAliases'));

test('root fields', () =>
  underAndOver(
    '{ me { id } users { pageInfo { hasNextPage } } __typename }',
    '{ me { id } users { pageInfo { hasNextPage } } __typename other: __typename }',
    'maxRootFields',
  ));

test('directives', () =>
  underAndOver(
    '{ me @include(if: true) { id @include(if: true) username @skip(if: false) } }',
    '{ me @include(if: true) { id @include(if: true) username @skip(if: false) email @skip(if: false) } }',
    'maxDirectives',
  ));

test('tokens', () =>
  // `{ me { id … } }`: 4 tokens plus one per field.
  underAndOver(`{ me { ${'id '.repeat(55)}} }`, `{ me { ${'id '.repeat(57)}} }`, 'maxTokens'));

test('cost: a list costs its page size times what it selects, literal or variable', async () => {
  // users(first: n) { edges { node { id } } } costs 1 + 3n.
  await underAndOver(
    '{ users(first: 33) { edges { node { id } } } }',
    '{ users(first: 34) { edges { node { id } } } }',
    'maxCost',
  );
  const query = 'query ($n: Int) { users(first: $n) { edges { node { id } } } }';
  expect((await graphql(gateway.url, query, { n: 33 }, headers)).errors).toBeUndefined();
  expect(refusal(await graphql(gateway.url, query, { n: 34 }, headers))).toEqual([
    ['QUERY_TOO_COMPLEX', 'maxCost'],
  ]);
});

test('cost: a page size left out, null or by a variable default costs what the subgraph serves', async () => {
  // A variable's default is what execution uses; `first` left out or null pages by the field's
  // default, or 20 where it declares none (messages), never 1.
  const byDefault = (n: number) =>
    `query ($n: Int = ${n}) { users(first: $n) { edges { node { id } } } }`;
  expect((await graphql(gateway.url, byDefault(33), {}, headers)).errors).toBeUndefined();
  expect(refusal(await graphql(gateway.url, byDefault(34), {}, headers))).toEqual([
    ['QUERY_TOO_COMPLEX', 'maxCost'],
  ]);
  // messages declares no default: 20 of them cost 1 + 3 × 20, so two channels' cost 127.
  const deeper = await startGateway(config({ operationLimits: { ...LIMITS, maxDepth: 10 } }));
  try {
    for (const [declared, messages] of [
      ['', 'messages'],
      ['', 'messages(first: null)'],
      ['($n: Int)', 'messages(first: $n)'],
    ]) {
      const query = `query ${declared} { channels(first: 2) { edges { node { ${messages} { edges { node { id } } } } } } }`;
      expect(refusal(await graphql(deeper.url, query, {}, headers))).toEqual([
        ['QUERY_TOO_COMPLEX', 'maxCost'],
      ]);
    }
  } finally {
    await deeper.stop();
  }
});

async function post(url: string, body: string, contentType = 'application/json') {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse };
}

test('request body size', async () => {
  const sized = (bytes: number) => {
    const base = JSON.stringify({ query: '{ __typename }' });
    return base.replace('{ __typename }', `{ __typename }${' '.repeat(bytes - base.length)}`);
  };
  expect(Buffer.byteLength(sized(2000))).toBe(2000);
  expect((await post(gateway.url, sized(2000))).status).toBe(200);
  const over = await post(gateway.url, sized(2001));
  expect(over.status).toBe(413);
  expect(errorCodes(over.body as GraphQLResponse)).toEqual(['BAD_USER_INPUT']);
});

test('batched requests are refused', async () => {
  const response = await post(
    gateway.url,
    JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
  );
  expect(response.status).toBe(400);
  expect(errorCodes(response.body as GraphQLResponse)).toEqual(['BAD_USER_INPUT']);
});

test('automatic persisted queries', async () => {
  const query = '{ me { id } }';
  const extensions = {
    persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') },
  };
  const unknown = await post(gateway.url, JSON.stringify({ extensions }));
  // The code Apollo's and urql's persisted query clients look for before resending the text.
  expect((unknown.body.errors ?? []).map((e) => e.extensions?.code)).toEqual([
    'PERSISTED_QUERY_NOT_FOUND',
  ]);
  expect((await post(gateway.url, JSON.stringify({ query, extensions }))).body).toEqual({
    data: { me: null },
  });
  expect((await post(gateway.url, JSON.stringify({ extensions }))).body).toEqual({
    data: { me: null },
  });
});

test('introspection and field suggestions: on in development, off in production', async () => {
  const introspect = '{ __schema { queryType { name } } }';
  expect((await graphql(gateway.url, introspect)).data).toEqual({
    __schema: { queryType: { name: 'Query' } },
  });
  const refused = await graphql(production.url, introspect);
  expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);

  const typo = '{ mee { id } }';
  expect((await graphql(gateway.url, typo)).errors![0]!.message).toMatch(/Did you mean "me"/);
  const hidden = await graphql(production.url, typo);
  expect(errorCodes(hidden)).toEqual(['BAD_USER_INPUT']);
  expect(hidden.errors![0]!.message).not.toMatch(/Did you mean/);

  // Subscriptions are refused with the same messages, on every transport.
  const misspelled = 'subscription { messageAdde(channelId: "x") { id } }';
  const refusals = async (url: string) => {
    const client = wsClient(url, headers);
    const overWs = collect(client, misspelled);
    const overSse = sseSubscribe(url, headers, misspelled);
    await Promise.all([overWs.ended(), overSse.ended()]);
    void client.dispose();
    overSse.unsubscribe();
    return [overWs, overSse].map((refused) => {
      const errors = refused.results[0]?.errors ?? (refused.error as GraphQLError[]);
      return errors[0]!.message;
    });
  };
  for (const message of await refusals(gateway.url)) expect(message).toMatch(/Did you mean/);
  for (const message of await refusals(production.url)) {
    expect(message).toMatch(/^Cannot query field "messageAdde"/);
    expect(message).not.toMatch(/Did you mean/);
  }
});
