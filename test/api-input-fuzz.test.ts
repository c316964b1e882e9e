/**
 * Every root field of the client-facing schema (schema/api.graphql), queries, mutations and
 * subscriptions (over SSE and multipart), called through the gateway with generated arguments at
 * every level of the selection: boundary numbers, empty, long, NUL-bearing and lone-surrogate
 * strings, ids of the caller's organization, of another organization, of another type and made up,
 * real cursors and forged ones (each part of a real cursor replaced), odd dates, long lists, fields
 * left out, null or of the wrong type; by the field's usual caller or, now and then, another role,
 * an API key, a node or nobody. Whatever a client sends, the answer is data or GraphQL errors with
 * documented codes — never INTERNAL_SERVER_ERROR, never a subgraph reported unavailable, never a
 * 5xx — its data holds nothing of the other organization, a query sent twice (Apollo's pipeline,
 * then the gateway's hot path) and a subscription sent over both transports are answered alike, and
 * every service is healthy afterwards.
 *
 * The arguments are generated from a printed seed (TEST_SEED=<seed> replays them).
 */
import { randomUUID } from 'node:crypto';
import {
  astFromValue,
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  print,
} from 'graphql';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { ErrorCode } from '../platform/errors';
import { Random } from './faults/schedule';
import { createApiKey } from './support/agent';
import { createDeployment, report, claim } from './support/deployments';
import { graphql } from './support/graphql';
import { createChannel, post } from './support/messages';
import {
  authenticateNode,
  registerNode,
  signedAuthInput,
  type RegisteredNode,
} from './support/nodes';
import { addUser, signUp, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';

const SEED = Number(process.env.TEST_SEED || Math.floor(Math.random() * 2 ** 31));
const CASES_PER_FIELD = 40;
const CASES_PER_SUBSCRIPTION = 15;
const SCHEMA = buildSchema(readFileSync(join(__dirname, '..', 'schema', 'api.graphql'), 'utf8'));

/** Answers no client input may cause. */
const FORBIDDEN_CODES = new Set<string>([
  ErrorCode.INTERNAL_SERVER_ERROR,
  ErrorCode.SUBGRAPH_UNAVAILABLE,
]);
const DOCUMENTED = new Set<string>(Object.values(ErrorCode));

/** Fields that would end the run's own session: not called. */
const SESSION_ENDING = new Set(['logout']);
/** Fields a node agent calls with its node token; everything else is called by an ADMIN. */
const NODE_FIELDS = new Set(['heartbeat', 'claimDeployment', 'reportDeploymentProgress']);
/** Fields anyone may call without credentials. */
const ANONYMOUS_FIELDS = new Set(['signUp', 'login', 'refreshSession', 'authenticateNode']);

const STRINGS = [
  '',
  ' ',
  'x',
  'web-1',
  'production',
  '1.0.0',
  'a'.repeat(256),
  'a'.repeat(4_001),
  'a'.repeat(70_000),
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  '😀'.repeat(300),
  'İı ß ﬃ',
  '\u200B\u202E',
  ' padded ',
  'line\nbreak\ttab\r',
  "' OR 1=1 --",
  '%_\\',
  '<script>alert(1)</script>',
  'null',
  '0',
  '-1',
  '1e999',
  'https://example.com/a https://example.com/b',
  'user@example.com',
];

const INTS = [0, 1, -1, 2, 20, 100, 500, 501, 1_000_000, 2_147_483_647, -2_147_483_648];
const FLOATS = [0, -0.5, 50, 89.99, 90, 95, 100, 100.5, 1e308, -1e308, 5e-324];
const DATES = [
  '2026-12-03T00:00:00.000Z',
  '1970-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
];

/** What the seeded organization holds, for arguments that hit real rows. */
interface Pools {
  ids: string[];
  cursors: string[];
  refreshTokens: string[];
  publicKeys: string[];
}

/** A cursor's JSON parts, each replaced in turn by a value of the wrong sort. */
function forgedCursors(cursor: string, random: Random): string[] {
  let parts: unknown[];
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
  } catch {
    return [];
  }
  const replacements: unknown[] = [
    -1,
    1.5,
    2 ** 53,
    1e308,
    '',
    '\u0000',
    'x',
    randomUUID(),
    '0001-01-01T00:00:00.000Z',
    '+275760-09-13T00:00:00.000Z',
    null,
    [],
    {},
  ];
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const forged = parts.map((_, index) => {
    const copy = [...parts];
    copy[index] = random.pick(replacements);
    return encode(copy);
  });
  return [...forged, encode([...parts, 1]), encode(parts.slice(0, -1)), cursor.slice(0, -2)];
}

/**
 * An operation being generated: its variables' definitions and values. Most operations have
 * only values of the right types, which reach the resolvers; in the others (`misfit` > 0) some
 * values are of the wrong type, missing or unknown, which coercion must refuse.
 */
interface Draft {
  random: Random;
  misfit: number;
  definitions: string[];
  variables: Record<string, unknown>;
}

function valueFor(type: GraphQLInputType, name: string, draft: Draft): unknown {
  if (isNonNullType(type)) {
    return draft.random.next() < draft.misfit ? null : someValue(type.ofType, name, draft);
  }
  return draft.random.next() < 0.1 ? null : someValue(type, name, draft);
}

/** A value of the nullable `type` (or, in a misfit operation, now and then of another). */
function someValue(type: GraphQLInputType, name: string, draft: Draft): unknown {
  const { random, misfit } = draft;
  if (random.next() < misfit) return random.pick([{}, [], 'x', 1, true, 1.5, '2026-13-01']);
  if (isListType(type)) {
    const length = random.pick([0, 1, 3, 1_000]);
    const item = valueFor(type.ofType, name, draft);
    return Array.from({ length }, (_, i) =>
      i === 0 || random.next() < 0.5 ? item : valueFor(type.ofType, name, draft),
    );
  }
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (!isNonNullType(field.type) && random.next() < 0.3) continue;
      value[field.name] = valueFor(field.type, field.name, draft);
    }
    if (random.next() < misfit) value.unknownField = 'x';
    return value;
  }
  if (isEnumType(type)) {
    return random.next() < misfit ? 'NOT_A_VALUE' : random.pick(type.getValues()).value;
  }
  switch (type.name) {
    case 'ID':
      return random.next() < 0.6
        ? random.pick(pools.ids)
        : random.pick([...STRINGS, randomUUID(), randomUUID().toUpperCase()]);
    case 'Int':
      return random.pick(INTS);
    case 'Float':
      return random.pick(FLOATS);
    case 'Boolean':
      return random.next() < 0.5;
    case 'DateTime':
      return random.pick(DATES);
    case 'String':
      if (/after|before|cursor/i.test(name) && random.next() < 0.7) {
        const real = random.pick(pools.cursors);
        return random.next() < 0.3 ? real : random.pick(forgedCursors(real, random));
      }
      if (name === 'refreshToken' && random.next() < 0.5) return random.pick(pools.refreshTokens);
      if (name === 'publicKey' && random.next() < 0.5) return random.pick(pools.publicKeys);
      if (name === 'timestamp' && random.next() < 0.5)
        return String(Date.now() + random.pick([0, -1, 1, -600_000, 600_000, 1e15]));
      return random.pick(STRINGS);
    default:
      throw new Error(`no values for scalar ${type.name}`);
  }
}

/** `value` as a literal of `type`, or null when it has none (a misfit may be of another type). */
function literalOf(value: unknown, type: GraphQLInputType) {
  try {
    return astFromValue(value, type);
  } catch {
    return null;
  }
}

/**
 * `field`'s arguments with generated values: every required one, half of the optional ones (the
 * others keep their defaults); most as variables, some written into the document as literals
 * (the gateway forwards those in the subgraphs' documents instead of their variables).
 */
function argumentsOf(field: GraphQLField<unknown, unknown>, draft: Draft): string {
  const args: string[] = [];
  for (const arg of field.args) {
    if (!isNonNullType(arg.type) && draft.random.next() < 0.5) continue;
    const value = valueFor(arg.type, arg.name, draft);
    const literal = draft.random.next() < 0.3 ? literalOf(value, arg.type) : null;
    if (literal) {
      args.push(`${arg.name}: ${print(literal)}`);
      continue;
    }
    const variable = `v${draft.definitions.length}`;
    draft.definitions.push(`$${variable}: ${String(arg.type)}`);
    draft.variables[variable] = value;
    args.push(`${arg.name}: $${variable}`);
  }
  return args.length > 0 ? `(${args.join(', ')})` : '';
}

/** Every leaf, and the objects down to `depth` levels, each field with generated arguments. */
function selection(type: GraphQLObjectType, depth: number, draft: Draft): string {
  const parts = ['__typename'];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    if (!isLeafType(named) && !(isObjectType(named) && depth > 0)) continue;
    const args = argumentsOf(field, draft);
    parts.push(
      isObjectType(named)
        ? `${field.name}${args} ${selection(named, depth - 1, draft)}`
        : `${field.name}${args}`,
    );
  }
  return `{ ${parts.join(' ')} }`;
}

function operationFor(
  kind: 'query' | 'mutation' | 'subscription',
  field: GraphQLField<unknown, unknown>,
  random: Random,
): { query: string; variables: Record<string, unknown> } {
  const draft: Draft = {
    random,
    misfit: random.next() < 0.2 ? 0.05 : 0,
    definitions: [],
    variables: {},
  };
  const args = argumentsOf(field, draft);
  const named = getNamedType(field.type);
  const selected = isObjectType(named) ? ` ${selection(named, 2, draft)}` : '';
  const definitions = draft.definitions.length > 0 ? `(${draft.definitions.join(', ')})` : '';
  return {
    query: `${kind} Fuzz${definitions} { ${field.name}${args}${selected} }`,
    variables: draft.variables,
  };
}

function outcomeOf(body: { data?: unknown; errors?: { extensions?: { code?: string } }[] }) {
  if (body.data) return body.errors ? 'data with errors' : 'data';
  return body.errors?.[0]?.extensions?.code ?? 'accepted subscription';
}

/** Why an answer breaks the rule, or null when a client could be given it. */
function violation(
  status: number,
  body: { data?: unknown; errors?: { extensions?: { code?: string } }[] },
) {
  if (status >= 500) return `HTTP ${status}`;
  // Callers of the first organization: nothing of the other's may come back, whatever they send.
  const data = JSON.stringify(body.data ?? null);
  const leaked = foreignIds.find((id) => data.includes(id));
  if (leaked) return `data holds ${leaked}, of another organization`;
  const codes = (body.errors ?? []).map((error) => error.extensions?.code);
  const bad = codes.filter((code) => !code || !DOCUMENTED.has(code) || FORBIDDEN_CODES.has(code));
  return bad.length > 0 ? `codes ${JSON.stringify(codes)}` : null;
}

let stack: Stack;
let admin: SignedIn;
let agentNode: RegisteredNode;
/** The headers of each kind of caller. */
let callers: Record<
  'admin' | 'developer' | 'viewer' | 'apiKey' | 'node' | 'anonymous',
  Record<string, string>
>;
let pools: Pools;
/** The ids of the other organization's rows. */
let foreignIds: string[];
/** A channel of the admin's and a message of theirs in it. */
let mine: { channelId: string; messageId: string };

beforeAll(async () => {
  stack = await startStack();
  const url = stack.gatewayUrl;
  admin = await signUp(url);
  const other = await signUp(url);
  const developer = await addUser(url, admin, 'DEVELOPER');
  const viewer = await addUser(url, admin, 'VIEWER');

  // The agent's node is called by its own token; its id stays out of the pools so that a
  // generated decommissionNode cannot take the node agent's fields away from the run.
  agentNode = await registerNode(url, admin);
  const nodeHeaders = (await authenticateNode(url, agentNode)).headers;
  const node = await registerNode(url, admin);
  const otherNode = await registerNode(url, other);
  const running = await createDeployment(url, admin.headers, { nodeId: agentNode.node.id });
  await claim(url, nodeHeaders);
  await report(url, nodeHeaders, { deploymentId: running.id, logs: [{ message: 'started' }] });
  const queued = await createDeployment(url, admin.headers, { nodeId: node.node.id });
  const foreign = await createDeployment(url, other.headers, { nodeId: otherNode.node.id });
  const channel = await createChannel(url, admin);
  const secret = await createChannel(url, admin, { kind: 'PRIVATE' });
  const foreignChannel = await createChannel(url, other);
  const messages = [
    await post(url, admin, channel.id, 'hello'),
    await post(url, admin, secret.id, 'hi'),
  ];
  const foreignMessage = await post(url, other, foreignChannel.id, 'elsewhere');

  const cursors: string[] = messages.map((message) => message.cursor);
  const pages = await graphql(
    url,
    `
      {
        deployments {
          edges {
            cursor
          }
        }
        nodes {
          edges {
            cursor
          }
        }
        users {
          edges {
            cursor
          }
        }
        channels {
          edges {
            cursor
          }
        }
        deploymentUpdatedHead
        nodeStatusChangedHead
      }
    `,
    {},
    admin.headers,
  );
  const data = pages.data!;
  for (const list of ['deployments', 'nodes', 'users', 'channels'])
    for (const edge of data[list].edges as { cursor: string }[]) cursors.push(edge.cursor);
  cursors.push(data.deploymentUpdatedHead as string, data.nodeStatusChangedHead as string);
  const events = await graphql(
    url,
    `
      query ($id: ID!) {
        deployment(id: $id) {
          events {
            edges {
              cursor
            }
          }
        }
      }
    `,
    { id: running.id },
    admin.headers,
  );
  for (const edge of events.data!.deployment.events.edges as { cursor: string }[])
    cursors.push(edge.cursor);

  foreignIds = [
    other.user.id,
    other.user.organization.id,
    otherNode.node.id,
    foreign.id,
    foreignChannel.id,
    foreignMessage.id,
  ];
  mine = { channelId: channel.id, messageId: messages[0]!.id };
  callers = {
    admin: admin.headers,
    developer: developer.headers,
    viewer: viewer.headers,
    node: nodeHeaders,
    anonymous: {},
    apiKey: { 'x-api-key': await createApiKey(url, admin, 'DEVELOPER') },
  };
  pools = {
    ids: [
      developer.user.id,
      viewer.user.id,
      other.user.id,
      node.node.id,
      otherNode.node.id,
      running.id,
      queued.id,
      foreign.id,
      channel.id,
      secret.id,
      foreignChannel.id,
      ...messages.map((message) => message.id),
      foreignMessage.id,
      admin.user.organization.id,
    ],
    cursors,
    refreshTokens: [developer.refreshToken, viewer.refreshToken],
    publicKeys: [agentNode.keys.publicKey, node.keys.publicKey],
  };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

type Answer = { status: number; text: string };

async function ask(query: string, variables: unknown, headers: Record<string, string>) {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, text: await response.text() };
}

/** How each HTTP transport asks for a stream, and finds its first result in what arrived. */
const TRANSPORTS = {
  sse: {
    accept: 'text/event-stream',
    first(received: string): string | 'ended' | null {
      const next = /event: next\ndata: (.*)\n/.exec(received);
      if (next) return next[1]!;
      return received.includes('event: complete') ? 'ended' : null;
    },
  },
  multipart: {
    accept: 'multipart/mixed;subscriptionSpec="1.0", application/json',
    first(received: string): string | 'ended' | null {
      // Parts are JSON after their headers: `{}` keeps the connection alive, `{ payload }`
      // carries a result, `{ payload: null, errors }` a transport-level error.
      for (const part of received.split('--graphql').slice(1)) {
        const body = part.slice(part.indexOf('\r\n\r\n') + 4).trim();
        if (!body.endsWith('}')) continue;
        const { payload, errors } = JSON.parse(body) as { payload?: unknown; errors?: unknown };
        if (payload) return JSON.stringify(payload);
        if (errors) return JSON.stringify({ errors });
      }
      return received.includes('--graphql--') ? 'ended' : null;
    },
  },
};

/** What `subscribe` answers for a stream still open and quiet after a moment (it was accepted). */
const QUIET = '{}';

/**
 * A subscription over one HTTP transport, until its first result: its JSON, or QUIET when the
 * stream is still open and quiet after a moment or ended without one.
 */
async function subscribe(
  transport: keyof typeof TRANSPORTS,
  query: string,
  variables: unknown,
  headers: Record<string, string>,
): Promise<Answer> {
  const { accept, first } = TRANSPORTS[transport];
  const abort = new AbortController();
  const quiet = setTimeout(() => abort.abort(), 300);
  try {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, ...headers },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    });
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') && !type.startsWith('multipart/mixed')) {
      return { status: response.status, text: await response.text() };
    }
    let received = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      received += decoder.decode(chunk as Uint8Array, { stream: true });
      const result = first(received);
      if (result === 'ended') break;
      if (result !== null) return { status: response.status, text: result };
    }
    return { status: response.status, text: QUIET };
  } catch (error) {
    if (abort.signal.aborted) return { status: 200, text: QUIET };
    throw error;
  } finally {
    clearTimeout(quiet);
    abort.abort();
  }
}

/** What a client reads of an answer: its data, and each error's message and code. */
function asRead(text: string) {
  const { data, errors } = JSON.parse(text) as {
    data?: unknown;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  return { data, errors: errors?.map(({ message, extensions }) => [message, extensions?.code]) };
}

it(`answers generated arguments to every root field with data or documented errors (seed ${SEED})`, async () => {
  console.log(`api-input-fuzz seed: ${SEED} (TEST_SEED=${SEED} replays it)`);
  const random = new Random(SEED);
  const roots = [
    ['query', SCHEMA.getQueryType()!, CASES_PER_FIELD],
    ['mutation', SCHEMA.getMutationType()!, CASES_PER_FIELD],
    ['subscription', SCHEMA.getSubscriptionType()!, CASES_PER_SUBSCRIPTION],
  ] as const;
  const problems: string[] = [];
  const outcomes: Record<string, number> = {};
  let requests = 0;
  for (const [kind, root, cases] of roots) {
    for (const field of Object.values(root.getFields())) {
      if (SESSION_ENDING.has(field.name)) continue;
      const usual = NODE_FIELDS.has(field.name)
        ? callers.node
        : ANONYMOUS_FIELDS.has(field.name)
          ? callers.anonymous
          : callers.admin;
      for (let i = 0; i < (field.args.length === 0 ? 3 : cases); i++) {
        const { query, variables } = operationFor(kind, field, random);
        if (field.name === 'authenticateNode' && random.next() < 0.3) {
          variables.v0 = signedAuthInput(agentNode.keys, agentNode.node.id);
        }
        // Now and then someone else calls: another role, an API key, a node, nobody.
        const headers = random.next() < 0.2 ? random.pick(Object.values(callers)) : usual;
        const answer: Answer =
          kind === 'subscription'
            ? await subscribe('sse', query, variables, headers)
            : await ask(query, variables, headers);
        requests++;
        if (kind === 'subscription') {
          // The same subscription over Apollo's multipart protocol: the same first result, when
          // both gave one within the moment (a stream still quiet says nothing yet).
          const multipart = await subscribe('multipart', query, variables, headers);
          requests++;
          let same: boolean;
          try {
            same = isDeepStrictEqual(asRead(multipart.text), asRead(answer.text));
          } catch {
            same = false;
          }
          if (!same && multipart.text !== QUIET && answer.text !== QUIET) {
            problems.push(
              `${field.name}: ${answer.text.slice(0, 300)} over SSE, ` +
                `${multipart.text.slice(0, 300)} over multipart, in ${query}`,
            );
          }
          let problem: string | null;
          try {
            problem = violation(multipart.status, JSON.parse(multipart.text) as never);
          } catch {
            problem = `HTTP ${multipart.status} without JSON: ${multipart.text.slice(0, 200)}`;
          }
          if (problem) problems.push(`${field.name} over multipart: ${problem} in ${query}`);
        }
        if (kind === 'query') {
          // The same request again: now the gateway knows the document and answers it on its
          // hot path (gateway/known-operations.ts), which must answer exactly as Apollo's
          // pipeline did the first time.
          const again = await ask(query, variables, headers);
          requests++;
          if (again.status !== answer.status || again.text !== answer.text) {
            problems.push(
              `${field.name}: answered ${answer.status} ${answer.text.slice(0, 300)} the first ` +
                `time, ${again.status} ${again.text.slice(0, 300)} the second, in ${query}`,
            );
          }
        }
        let body: {
          data?: unknown;
          errors?: { message?: string; extensions?: { code?: string } }[];
        };
        try {
          body = JSON.parse(answer.text) as typeof body;
        } catch {
          problems.push(
            `${field.name}: HTTP ${answer.status} without JSON: ${answer.text.slice(0, 200)}`,
          );
          continue;
        }
        const outcome = outcomeOf(body);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        const problem = violation(answer.status, body);
        if (problem) {
          const shown = JSON.stringify(variables, (_, value: unknown) =>
            typeof value === 'string' && value.length > 80
              ? `${value.slice(0, 20)}…(${value.length})`
              : value,
          ).slice(0, 600);
          problems.push(
            `${field.name}: ${problem} ${JSON.stringify(body.errors?.[0]?.message)} in ${query} with ${shown}`,
          );
        }
      }
    }
  }
  // How deep the run went: answers with data came from resolvers, refusals from anywhere.
  console.log(`api-input-fuzz: ${requests} requests, answered:`, outcomes);
  expect(problems).toEqual([]);
  for (const running of [...Object.values(stack.subgraphs), ...stack.gateways]) {
    expect((await fetch(running.url.replace('/graphql', '/readyz'))).status).toBe(200);
  }
  const me = await graphql(stack.gatewayUrl, '{ me { id } }', {}, admin.headers);
  expect(me.data).toEqual({ me: { id: admin.user.id } });
}, 300_000);

it('refuses text PostgreSQL cannot store as sent in any argument, naming it', async () => {
  const url = stack.gatewayUrl;
  const refusals: [string, Record<string, unknown>, Record<string, string>, string][] = [
    [
      'query ($f: NodeFilter) { nodes(filter: $f) { edges { cursor } } }',
      { f: { region: 'eu\u0000west' } },
      callers.admin,
      'filter.region',
    ],
    [
      'mutation ($i: HeartbeatInput!) { heartbeat(input: $i) { id } }',
      { i: { cpuPercent: 1, memoryPercent: 1, diskPercent: 1, version: '1.0\u0000' } },
      callers.node,
      'version',
    ],
    [
      'mutation ($i: RegisterNodeInput!) { registerNode(input: $i) { id } }',
      {
        i: {
          name: 'web-9',
          kind: 'VM',
          region: 'eu-west-1',
          labels: ['web', 'lone \uD800'],
          publicKey: pools.publicKeys[1],
        },
      },
      callers.admin,
      'labels.1',
    ],
    [
      'mutation ($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id } }',
      { id: mine.messageId, body: 'a\u0000b' },
      callers.admin,
      'body',
    ],
  ];
  const answers = [];
  for (const [query, variables, headers] of refusals) {
    const response = await graphql(url, query, variables, headers);
    answers.push({ query, extensions: response.errors?.[0]?.extensions });
  }
  const subscription = await subscribe(
    'sse',
    'subscription ($channelId: ID!) { messageAdded(channelId: $channelId) { id } }',
    { channelId: `${mine.channelId}\u0000` },
    callers.admin,
  );
  answers.push({
    query: 'messageAdded',
    extensions: (JSON.parse(subscription.text) as { errors?: { extensions?: unknown }[] })
      .errors?.[0]?.extensions,
  });
  expect(answers).toEqual(
    [...refusals.map(([query, , , field]) => [query, field]), ['messageAdded', 'channelId']].map(
      ([query, field]) => ({
        query,
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }),
      }),
    ),
  );
});

it("refuses another list's cursor and forged timestamps in `after`, naming it", async () => {
  const channels = await graphql(
    stack.gatewayUrl,
    '{ channels(first: 1) { edges { cursor } } }',
    {},
    admin.headers,
  );
  const channelCursor = channels.data!.channels.edges[0].cursor as string;
  const forged = (parts: unknown[]) =>
    Buffer.from(JSON.stringify(['v1', ...parts])).toString('base64url');
  const cursors = [
    channelCursor,
    forged(['', randomUUID()]),
    forged(['2026-12-03', randomUUID()]),
    forged(['+275760-09-13T00:00:00.000Z', randomUUID()]),
    forged([new Date().toISOString(), 'not-a-uuid']),
  ];
  const answers = [];
  for (const list of ['users', 'nodes', 'deployments']) {
    for (const after of cursors) {
      const response = await graphql(
        stack.gatewayUrl,
        `query ($after: String) { ${list}(after: $after) { edges { cursor } } }`,
        { after },
        admin.headers,
      );
      answers.push({ list, after, extensions: response.errors?.[0]?.extensions });
    }
  }
  expect(answers).toEqual(
    answers.map(({ list, after }) => ({
      list,
      after,
      extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }),
    })),
  );
});
