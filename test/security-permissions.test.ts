/**
 * The permission matrix (test/support/security-matrix.ts), generated from the schema: every root
 * field of every subgraph, for every kind of caller, against its own and another organization,
 * through the gateway. Then a representative subset straight against each subgraph with bad
 * credentials, federation references across organizations and for node agents, and
 * docs/security.md against the matrix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { createTokenSigner, generateSigningKey, type TokenSigner } from '../platform/tokens';
import { errorCodes, graphql, type GraphQLResponse } from './support/graphql';
import {
  CALLERS,
  MATRIX,
  renderMatrix,
  schemaRootFields,
  seedOrganization,
  type Caller,
  type MatrixCase,
  type Organization,
  type Outcome,
} from './support/security-matrix';
import {
  DeleteMessageDocument,
  EditMessageDocument,
  UpdateUserRoleDocument,
} from './__generated__/graphql';
import { createApiKey } from './support/agent';
import { createChannel, join as joinChannel, post } from './support/messages';
import { addUser, login, signUp, unique } from './support/seed';
import { startStack, type Stack } from './support/stack';
import { collect, wsClient } from './support/subscriptions';

let stack: Stack;
let own: Organization;
let other: Organization;

beforeAll(async () => {
  stack = await startStack();
  const url = stack.gatewayUrl;
  own = await seedOrganization(url, await signUp(url));
  other = await seedOrganization(url, await signUp(url));
}, 120_000);
afterAll(() => stack?.stop());

function headersOf(caller: Caller): Record<string, string> {
  if (caller === 'anonymous') return {};
  if (caller === 'node') return own.nodeSession.headers;
  return own.users[caller].headers;
}

function outcomeOf(response: { errors?: readonly { extensions?: Record<string, unknown> }[] }) {
  const code = response.errors?.[0]?.extensions?.code;
  return (code ?? 'ok') as Outcome | string;
}

/** Subscribes; an authorization failure arrives at once, a granted subscription stays open. */
async function subscribeOutcome(
  document: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<string> {
  const client: Client = wsClient(stack.gatewayUrl, headers);
  const collected = collect(client, document, variables);
  try {
    await collected.ended(1500).catch(() => undefined);
    const first = collected.results[0];
    if (first?.errors) return outcomeOf(first);
    if (Array.isArray(collected.error)) return outcomeOf({ errors: collected.error });
    if (collected.error) return `transport error: ${String(collected.error)}`;
    return 'ok';
  } finally {
    collected.unsubscribe();
    await client.dispose();
  }
}

async function run(c: MatrixCase, caller: Caller, target: Organization): Promise<string> {
  const variables = c.variables ? await c.variables(target, caller) : {};
  let headers = headersOf(caller);
  if (c.freshSession && caller !== 'anonymous' && caller !== 'node') {
    headers = (await login(stack.gatewayUrl, own.users[caller].user.username)).headers;
  }
  if (c.field.startsWith('Subscription.')) return subscribeOutcome(c.document, variables, headers);
  return outcomeOf(await graphql(stack.gatewayUrl, c.document, variables, headers));
}

test('the matrix lists every root field of every subgraph, and nothing else', () => {
  const listed = MATRIX.map((c) => c.field).sort();
  expect(listed).toEqual(schemaRootFields().sort());
});

describe('through the gateway', () => {
  test.each(MATRIX.map((c) => [c.field, c] as const))('%s', async (_field, c) => {
    const expected: Record<string, [Outcome, Outcome]> = {};
    const actual: Record<string, [string, string]> = {};
    const both = async (caller: Caller) => {
      const e = c.expect[caller];
      expected[caller] = typeof e === 'string' ? [e, e] : e;
      actual[caller] = [await run(c, caller, own), await run(c, caller, other)];
    };
    // Granted subscriptions are told apart by staying open a while: wait for them all at once.
    if (c.field.startsWith('Subscription.')) await Promise.all(CALLERS.map(both));
    else for (const caller of CALLERS) await both(caller);
    expect(actual).toEqual(expected);
  });
});

describe('straight to a subgraph', () => {
  let signer: TokenSigner;
  let wrongKey: TokenSigner;
  beforeAll(async () => {
    signer = await createTokenSigner(stack.shared.signingKey);
    // Same key id, different key: a token a forger signed.
    wrongKey = await createTokenSigner(generateSigningKey(stack.shared.signingKey.kid));
  });

  const principalOf = () => ({
    kind: 'user' as const,
    userId: own.users.ADMIN.user.id,
    organizationId: own.users.ADMIN.user.organization.id,
    role: 'ADMIN' as const,
    sessionId: '00000000-0000-4000-8000-000000000000',
  });

  /** One protected query per subgraph. */
  const PROBES: Record<string, string> = {
    users: '{ users(first: 1) { edges { node { id } } } }',
    nodes: '{ nodes(first: 1) { edges { node { id } } } }',
    messages: '{ channels(first: 1) { edges { node { id } } } }',
    deployments: '{ deploymentStats { queued } }',
  };

  test.each(Object.keys(PROBES))(
    '%s refuses no token, a forged, an expired and a wrongly signed token',
    async (name) => {
      const url = stack.subgraphs[name]!.url;
      const probe = PROBES[name]!;
      const expired = (await signer.sign(principalOf(), -60)).token;
      const wrong = (await wrongKey.sign(principalOf(), 300)).token;
      const forged = `${Buffer.from('{"alg":"none","kid":"x"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({ sub: own.users.ADMIN.user.id, role: 'ADMIN', typ: 'access' }),
      ).toString('base64url')}.`;
      const results: Record<string, unknown> = {};
      for (const [label, token] of [
        ['none', null],
        ['forged', forged],
        ['expired', expired],
        ['wrong key', wrong],
      ] as const) {
        const response = await graphql(
          url,
          probe,
          {},
          token ? { authorization: `Bearer ${token}` } : {},
        );
        results[label] = { data: response.data ?? null, codes: errorCodes(response) };
      }
      expect(results).toEqual({
        none: { data: null, codes: ['UNAUTHENTICATED'] },
        forged: { data: null, codes: ['UNAUTHENTICATED'] },
        expired: { data: null, codes: ['UNAUTHENTICATED'] },
        'wrong key': { data: null, codes: ['UNAUTHENTICATED'] },
      });
    },
  );

  test('a valid token goes through, as through the gateway', async () => {
    const response = await graphql(
      stack.subgraphs.deployments!.url,
      '{ deploymentStats { queued } }',
      {},
      own.users.VIEWER.headers,
    );
    expect(response.errors).toBeUndefined();
  });
});

test('a read-only key or a demoted user cannot edit or delete what its user wrote', async () => {
  const url = stack.gatewayUrl;
  const admin = own.users.ADMIN;
  const writer = await addUser(url, admin, 'DEVELOPER');
  const channel = await createChannel(url, admin, { kind: 'PUBLIC' });
  await joinChannel(url, writer, channel.id);
  const byAdmin = await post(url, admin, channel.id, unique('by the admin '));
  const byWriter = await post(url, writer, channel.id, unique('by the writer '));
  const demoted = await graphql(
    url,
    UpdateUserRoleDocument,
    { id: writer.user.id, role: 'VIEWER' },
    admin.headers,
  );
  expect(demoted.errors).toBeUndefined();
  const attempts = [
    { id: byAdmin.id, headers: { 'x-api-key': await createApiKey(url, admin, 'VIEWER') } },
    { id: byWriter.id, headers: (await login(url, writer.user.username)).headers },
  ];
  for (const { id, headers } of attempts) {
    const edited = await graphql(url, EditMessageDocument, { id, body: 'rewritten' }, headers);
    const deleted = await graphql(url, DeleteMessageDocument, { id }, headers);
    expect([errorCodes(edited), errorCodes(deleted)]).toEqual([['FORBIDDEN'], ['FORBIDDEN']]);
  }
});

describe('federation references', () => {
  const FRAGMENTS: Record<string, string> = {
    users: '... on User { id } ... on Organization { id }',
    nodes: '... on Node { id }',
    messages: '... on Channel { id } ... on Message { id }',
    deployments: '... on Deployment { id }',
  };
  const entitiesQuery = (name: string) =>
    `query ($representations: [_Any!]!) { _entities(representations: $representations) { __typename ${FRAGMENTS[name]} } }`;

  /** Representations of one organization's things, by the subgraph that owns them. */
  const representationsOf = (org: Organization): Record<string, unknown[]> => ({
    users: [
      { __typename: 'User', id: org.users.VIEWER.user.id },
      { __typename: 'Organization', id: org.users.ADMIN.user.organization.id },
    ],
    nodes: [{ __typename: 'Node', id: org.node.node.id }],
    messages: [
      { __typename: 'Channel', id: org.channel.id },
      { __typename: 'Message', id: org.message.id },
    ],
    deployments: [{ __typename: 'Deployment', id: org.deployment.id }],
  });

  /**
   * What a node agent gets for its own organization's representations (representationsOf): its
   * node and that node's deployments, nothing else — no user, no organization, no chat.
   */
  const nodeAgentSees = (org: Organization): Record<string, (string | null)[]> => ({
    users: [null, null],
    nodes: [org.node.node.id],
    messages: [null, null],
    deployments: [org.deployment.id],
  });

  test.each(['users', 'nodes', 'messages', 'deployments'])(
    '%s resolves its own organization’s references, nulls for another’s, and a node agent’s only',
    async (name) => {
      const url = stack.subgraphs[name]!.url;
      const headers = own.users.ADMIN.headers;
      const mine: GraphQLResponse = await graphql(
        url,
        entitiesQuery(name),
        { representations: representationsOf(own)[name] },
        headers,
      );
      expect(mine.errors).toBeUndefined();
      const entities = mine.data!._entities as ({ id: string } | null)[];
      expect(entities.map((e) => e?.id)).toEqual(
        representationsOf(own)[name]!.map((r) => (r as { id: string }).id),
      );

      const theirs = await graphql(
        url,
        entitiesQuery(name),
        { representations: representationsOf(other)[name] },
        headers,
      );
      expect(theirs.errors).toBeUndefined();
      expect(theirs.data!._entities).toEqual(representationsOf(other)[name]!.map(() => null));

      const anonymous = await graphql(url, entitiesQuery(name), {
        representations: representationsOf(own)[name],
      });
      expect((anonymous.data?._entities as unknown[] | undefined)?.every((e) => e === null)).toBe(
        true,
      );

      const nodeAgent = await graphql(
        url,
        entitiesQuery(name),
        { representations: representationsOf(own)[name] },
        own.nodeSession.headers,
      );
      expect(nodeAgent.errors).toBeUndefined();
      expect(
        (nodeAgent.data!._entities as ({ id: string } | null)[]).map((e) => e?.id ?? null),
      ).toEqual(nodeAgentSees(own)[name]);
    },
  );

  test('a node agent reads no user through the gateway, as it reads none with user(id)', async () => {
    const admin = own.users.ADMIN.user;
    const user = 'id username email role';
    const viaNode = await graphql(
      stack.gatewayUrl,
      `query ($id: ID!) { node(id: $id) { id registeredBy { ${user} } } }`,
      { id: own.node.node.id },
      own.nodeSession.headers,
    );
    expect(viaNode.data).toEqual({ node: { id: own.node.node.id, registeredBy: null } });
    // `triggeredBy` cannot be null: the whole answer is withheld with it (the log line is stored).
    const viaDeployment = await graphql(
      stack.gatewayUrl,
      `mutation ($input: ReportDeploymentProgressInput!) {
        reportDeploymentProgress(input: $input) { id triggeredBy { ${user} } }
      }`,
      { input: { deploymentId: own.running.id, logs: [{ level: 'INFO', message: 'step' }] } },
      own.nodeSession.headers,
    );
    expect(viaDeployment.data).toBeNull();
    for (const answer of [viaNode, viaDeployment]) {
      expect(JSON.stringify(answer)).not.toContain(admin.email);
    }
  });

  test('_service still serves the SDL to anyone', async () => {
    const response = await graphql(stack.subgraphs.nodes!.url, '{ _service { sdl } }');
    expect(response.errors).toBeUndefined();
    expect(response.data!._service.sdl).toContain('type Node');
  });
});

test('docs/security.md carries the permission matrix', () => {
  const docs = readFileSync(join(__dirname, '..', 'docs', 'security.md'), 'utf8');
  const start = docs.indexOf('<!-- permission-matrix:start -->');
  const end = docs.indexOf('<!-- permission-matrix:end -->');
  expect(start).toBeGreaterThan(-1);
  // Compared cell by cell: Prettier pads Markdown tables.
  const cells = (table: string) =>
    table
      .trim()
      .split('\n')
      .map((row) =>
        row
          .split('|')
          .map((cell) => cell.trim().replace(/^-+$/, '---'))
          .join('|'),
      );
  expect(cells(docs.slice(start, end).split('\n').slice(1).join('\n'))).toEqual(
    cells(renderMatrix()),
  );
});
