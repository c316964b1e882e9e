/**
 * The subgraphs' fast path for queries (subgraphs/kit/lean-queries.ts) against Apollo Server's
 * pipeline, which answers everything else. A gateway whose subgraphs sit behind loopback proxies
 * records every request it sends them while two organizations are seeded, the permission
 * matrix's queries and mutations run for every caller, and the example operations load; then
 * each recorded query, and generated variants of it (variables swapped for other ids, cursors,
 * type names, page sizes; representation lists shuffled, cut, doubled, mixed; now and then a
 * value of the wrong type, an input field left out or one added), is sent to its
 * subgraph twice: as the gateway sends it, which the fast path takes when it can, and with
 * `Accept: application/json`, which it leaves to Apollo. Status, headers and body must be the
 * same, and the fast path must have answered exactly the requests Apollo answered without
 * errors. The seed is printed; TEST_SEED=<seed> replays a run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { concatAST, getOperationAST, parse, print, separateOperations } from 'graphql';
import { request } from 'undici';
import { graphql } from './support/graphql';
import { login, signUp } from './support/seed';
import {
  CALLERS,
  MATRIX,
  seedOrganization,
  type Caller,
  type Organization,
} from './support/security-matrix';
import { startGateway, startStack, type Running, type Stack } from './support/stack';
import type { Gateway } from '../gateway/server';
import { Random } from './faults/schedule';

const SEED = Number(process.env.TEST_SEED || Math.floor(Math.random() * 2 ** 31));
const VARIANTS_PER_QUERY = 3;

interface Recorded {
  subgraph: string;
  headers: Record<string, string>;
  body: string;
}

/** Headers a replay sends again: the gateway's own, not the connection's. */
const replayed = (headers: IncomingHttpHeaders): Record<string, string> => {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (['host', 'connection', 'content-length', 'keep-alive'].includes(name)) continue;
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
};

/** A proxy in front of a subgraph that records each GraphQL request passing through. */
async function recordingProxy(subgraph: string, target: string, into: Recorded[]) {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = replayed(req.headers);
      if (req.method === 'POST') into.push({ subgraph, headers, body });
      const answer = await request(new URL(req.url ?? '/', target), {
        method: req.method as 'GET' | 'POST',
        headers,
        body: req.method === 'POST' ? body : undefined,
      });
      const answered = Buffer.from(await answer.body.arrayBuffer());
      res.writeHead(answer.statusCode, {
        'content-type': String(answer.headers['content-type'] ?? 'application/json'),
      });
      res.end(answered);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

let stack: Stack;
let gateway: Running<Gateway>;
let proxies: Server[] = [];
const recorded: Recorded[] = [];

beforeAll(async () => {
  stack = await startStack();
  const proxied = await Promise.all(
    Object.entries(stack.subgraphs).map(async ([name, subgraph]) => {
      const proxy = await recordingProxy(name, subgraph.url, recorded);
      return [name, proxy] as const;
    }),
  );
  proxies = proxied.map(([, proxy]) => proxy.server);
  gateway = await startGateway({
    ...stack.gatewayConfig,
    subgraphUrls: Object.fromEntries(proxied.map(([name, proxy]) => [name, proxy.url])),
  });
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  for (const proxy of proxies) proxy.close();
  await stack?.stop();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every string and object found in the recorded variables: what variants draw from. */
function collectPools(variables: Json[]) {
  const strings = new Set<string>(['', 'not-an-id', '00000000-0000-4000-8000-000000000000']);
  const objects: Json[] = [];
  const walk = (value: Json) => {
    if (typeof value === 'string') strings.add(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      objects.push(value);
      Object.values(value).forEach(walk);
    }
  };
  variables.forEach(walk);
  return { strings: [...strings], objects };
}

/** Values of every JSON type, for a variable or input field given one it does not take. */
const MISTYPED: Json[] = [null, true, 0, 1.5, '7', 'x', [], ['x'], {}, { id: 1 }];

/** The variables with some values swapped for others of the run, or for odd ones. */
function vary(value: Json, rand: Random, pools: ReturnType<typeof collectPools>): Json {
  if (rand.next() < 0.05) return rand.pick(MISTYPED);
  if (typeof value === 'number') return rand.pick([-1, 0, 1, 2, 3, 50, 100, 101, 5000]);
  if (typeof value === 'string') return rand.next() < 0.4 ? rand.pick(pools.strings) : value;
  if (Array.isArray(value)) {
    const items = value.map((item) => vary(item, rand, pools));
    switch (rand.pick(['keep', 'shuffle', 'cut', 'double', 'mix'] as const)) {
      case 'shuffle':
        return rand.shuffle(items);
      case 'cut':
        return items.slice(0, Math.floor(rand.next() * items.length));
      case 'double':
        return [...items, ...items];
      case 'mix':
        return [...items, rand.pick(pools.objects)];
      default:
        return items;
    }
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(() => rand.next() >= 0.05) // now and then a field left out
      .map(([key, item]): [string, Json] => [
        key,
        rand.next() < 0.5 ? vary(item, rand, pools) : item,
      ]);
    if (rand.next() < 0.05) entries.push(['unknownField', 1]);
    return Object.fromEntries(entries);
  }
  return value;
}

/** The named query of examples/operations with the fragments it uses. */
function exampleQuery(name: string): string {
  const folder = join(__dirname, '..', 'examples', 'operations');
  const documents = readdirSync(folder)
    .filter((file) => file.endsWith('.graphql'))
    .map((file) => parse(readFileSync(join(folder, file), 'utf8')));
  return print(separateOperations(concatAST(documents))[name]!);
}

async function leanAnswered(subgraphUrl: string): Promise<number> {
  const metrics = await (await fetch(subgraphUrl.replace('/graphql', '/metrics'))).text();
  return Number(/^opsgraph_lean_queries_total(?:{[^}]*})? (\d+)$/m.exec(metrics)?.[1] ?? NaN);
}

async function send(url: string, headers: Record<string, string>, body: string) {
  const response = await request(url, { method: 'POST', headers, body });
  // Every header but those of the moment and the connection.
  const {
    date: _date,
    connection: _connection,
    'keep-alive': _keepAlive,
    ...rest
  } = response.headers;
  return { status: response.statusCode, headers: rest, body: await response.body.text() };
}

it('answers every query as Apollo Server does, and takes exactly the ones without errors', async () => {
  console.log(`subgraph-lean-queries seed: ${SEED} (TEST_SEED=${SEED} replays it)`);
  const url = gateway.url;
  const own: Organization = await seedOrganization(url, await signUp(url));
  const other: Organization = await seedOrganization(url, await signUp(url));
  const headersOf = (caller: Caller) =>
    caller === 'anonymous'
      ? {}
      : caller === 'node'
        ? own.nodeSession.headers
        : own.users[caller].headers;
  for (const c of MATRIX.filter((c) => !c.field.startsWith('Subscription.'))) {
    for (const caller of CALLERS) {
      for (const target of [own, other]) {
        const variables = c.variables ? await c.variables(target, caller) : {};
        let headers = headersOf(caller);
        if (c.freshSession && caller !== 'anonymous' && caller !== 'node')
          headers = (await login(url, own.users[caller].user.username)).headers;
        await graphql(url, c.document, variables, headers);
      }
    }
  }
  const admin = (await login(url, own.users.ADMIN.user.username)).headers;
  await graphql(url, exampleQuery('Me'), {}, admin);
  await graphql(url, exampleQuery('Dashboard'), {}, admin);
  await graphql(url, exampleQuery('ChatChannel'), { id: own.channel.id }, admin);
  await graphql(url, exampleQuery('DeploymentLog'), { id: own.running.id }, admin);

  const queries = recorded.filter(({ body }) => {
    const { query, operationName } = JSON.parse(body) as { query: string; operationName?: string };
    return getOperationAST(parse(query), operationName)?.operation === 'query';
  });
  const parsed = queries.map(({ body }) => JSON.parse(body) as { variables?: Json });
  const pools = collectPools(parsed.map(({ variables }) => variables ?? null));
  const rand = new Random(SEED);
  const cases: Recorded[] = queries.flatMap((query, i) => [
    query,
    ...Array.from({ length: parsed[i]!.variables ? VARIANTS_PER_QUERY : 0 }, () => ({
      ...query,
      body: JSON.stringify({
        ...parsed[i],
        variables: vary(parsed[i]!.variables!, rand, pools),
      }),
    })),
  ]);

  const leanBySubgraph: Record<string, number> = {};
  let lean = 0;
  let withErrors = 0;
  const mismatches: unknown[] = [];
  for (const { subgraph, headers, body } of cases) {
    const subgraphUrl = stack.subgraphs[subgraph]!.url;
    const before = await leanAnswered(subgraphUrl);
    const fast = await send(subgraphUrl, headers, body);
    const tookLeanPath = (await leanAnswered(subgraphUrl)) - before === 1;
    const apollo = await send(subgraphUrl, { ...headers, accept: 'application/json' }, body);
    const clean =
      apollo.status === 200 && !(JSON.parse(apollo.body) as { errors?: unknown }).errors;
    if (tookLeanPath) {
      lean += 1;
      leanBySubgraph[subgraph] = (leanBySubgraph[subgraph] ?? 0) + 1;
    }
    if (!clean) withErrors += 1;
    if (JSON.stringify(fast) !== JSON.stringify(apollo) || tookLeanPath !== clean)
      mismatches.push({ subgraph, body, fast, apollo, tookLeanPath });
  }
  console.log(
    `subgraph-lean-queries: ${cases.length} queries (${queries.length} recorded), ` +
      `${lean} on the fast path ${JSON.stringify(leanBySubgraph)}, ${withErrors} with errors (Apollo's)`,
  );
  expect(mismatches.slice(0, 3)).toEqual([]);
  // The run covers both sides: many answered fast, many with errors left to Apollo.
  expect(lean).toBeGreaterThan(100);
  expect(withErrors).toBeGreaterThan(50);
  expect(Object.keys(leanBySubgraph).sort()).toEqual(Object.keys(stack.subgraphs).sort());
}, 300_000);

it('answers a fragment spread both under @skip/@include and without as Apollo Server does, from the first request to the compiled ones', async () => {
  const admin = await signUp(gateway.url);
  const headers = { 'content-type': 'application/json', ...admin.headers };
  const documents: [string, Record<string, boolean>][] = [
    [
      'query ($a: Boolean!) { x: me { ...F @include(if: $a) } y: me { ...F } } fragment F on User { username }',
      { a: false },
    ],
    [
      'query ($s: Boolean!) { me { organization { ...O } ...U @skip(if: $s) } } fragment U on User { organization { ...O } } fragment O on Organization { name slug }',
      { s: true },
    ],
    [
      'query ($a: Boolean!) { me { ...U @include(if: $a) organization { name } } other: me { ...U } } fragment U on User { id username displayName }',
      { a: false },
    ],
  ];
  const url = stack.subgraphs.users!.url;
  for (const [query, variables] of documents) {
    const body = JSON.stringify({ query, variables });
    const apollo = await send(url, { ...headers, accept: 'application/json' }, body);
    for (let request = 1; request <= 3; request++)
      expect({ request, ...(await send(url, headers, body)) }).toEqual({ request, ...apollo });
  }
});
