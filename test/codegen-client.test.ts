/**
 * Client repositories generate typed operations with graphql-codegen. This test is such a
 * repository: it writes the `codegen.yml` the README shows into a temporary directory, runs the
 * codegen CLI there against a running gateway (introspection) and against the committed
 * schema/api.graphql, and compiles a small client using the result with tsc. Then it sends the
 * committed example documents (examples/__generated__) to the gateway and checks what comes back.
 */
import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { parse as parseYaml } from 'yaml';
import {
  ChatChannelDocument,
  ChatMessageAddedDocument,
  DashboardDocument,
  DeploymentLogDocument,
  DeploymentLogEventsDocument,
  LoginDocument,
  RefreshSessionDocument,
  type ChatMessageAddedSubscription,
  type DeploymentLogEventsSubscription,
} from '../examples/__generated__/graphql';
import {
  clientRepository as codegenRepository,
  generate,
  generated,
  readmeCodegenConfig,
  ROOT,
  tool,
} from './support/codegen';
import { graphql } from './support/graphql';
import { post, createChannel } from './support/messages';
import { CANCEL, createDeployment } from './support/deployments';
import { registerNode } from './support/nodes';
import { PASSWORD, signUp, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';
import { collect, wsClient } from './support/subscriptions';

const GENERATED = join(ROOT, 'examples', '__generated__');
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

/** Every operation in examples/operations, by the name of its generated document. */
const DOCUMENTS = [
  'ChatChannelDocument',
  'ChatMessageAddedDocument',
  'DashboardDocument',
  'DeploymentLogDocument',
  'DeploymentLogEventsDocument',
  'LoginDocument',
  'RefreshSessionDocument',
];

let stack: Stack;
let url: string;
const directories: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  url = stack.gatewayUrl;
});
afterAll(async () => {
  await Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true })));
  await stack?.stop();
});

/** The README's client repository, with a small client of the generated documents to compile. */
async function clientRepository(schema: string): Promise<string> {
  const dir = await codegenRepository(schema);
  directories.push(dir);
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(CLIENT_TSCONFIG, null, 2));
  await writeFile(join(dir, 'src', 'client.ts'), CLIENT_SOURCE);
  return dir;
}

const compile = (dir: string) => tool(dir, 'typescript/bin/tsc', ['-p', '.']);

const CLIENT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023', 'DOM'],
    module: 'ESNext',
    moduleResolution: 'Bundler',
    strict: true,
    noUncheckedIndexedAccess: true,
    noUnusedLocals: true,
    noEmit: true,
    types: [],
  },
  include: ['src'],
};

/**
 * A client using the generated documents. It compiles only if results and variables are typed:
 * the `@ts-expect-error` lines must be errors.
 */
const CLIENT_SOURCE = `
import type { ResultOf, TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import {
  DashboardDocument,
  DeploymentLogEventsDocument,
  LoginDocument,
  type DeploymentStatus,
} from './__generated__/graphql';

async function execute<Result, Variables>(
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<Result> {
  const response = await fetch('http://localhost:4000/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return ((await response.json()) as { data: Result }).data;
}

export async function dashboardLines(): Promise<string[]> {
  const { deployments } = await execute(DashboardDocument, { after: null });
  return deployments.edges.map(({ node }) => {
    const status: DeploymentStatus = node.status;
    const latest = node.events.edges.at(-1)?.node.message ?? '';
    // @ts-expect-error: the dashboard does not select the node's public key
    void node.node.publicKey;
    return \`\${node.application} \${node.node.name} \${node.node.region} \${node.triggeredBy.username} \${status} \${latest}\`;
  });
}

export async function signIn(usernameOrEmail: string, password: string): Promise<string> {
  const { login } = await execute(LoginDocument, { input: { usernameOrEmail, password } });
  return login.accessToken;
}

/** What a log view remembers of each live event: where to resume after a reconnect. */
export const resumeCursor = (event: ResultOf<typeof DeploymentLogEventsDocument>): string =>
  event.deploymentEvents.cursor;

// @ts-expect-error: LoginInput has no \`username\` field
export const wrongVariables = () => execute(LoginDocument, { input: { username: 'x', password: 'y' } });
// @ts-expect-error: not a DeploymentStatus
export const notAStatus: DeploymentStatus = 'DONE';
`;

describe('a client repository running graphql-codegen', () => {
  it('uses the same settings as the committed examples', async () => {
    const client = parseYaml(await readmeCodegenConfig());
    const ours = parseYaml(await readFile(join(ROOT, 'codegen.yml'), 'utf8'));
    const { schema: _s, documents: _d, ...settings } = ours.generates['examples/__generated__/'];
    expect(client.generates['src/__generated__/']).toEqual(settings);
  });

  it('generates and compiles typed operations from a running gateway', async () => {
    const dir = await clientRepository(url);
    await generate(dir);
    const types = await generated(dir, 'graphql.ts');
    for (const document of DOCUMENTS) expect(types).toContain(`export const ${document} =`);
    expect(types).toContain('export type DashboardQuery = ');
    expect(types).toContain('export type DashboardQueryVariables = ');
    expect(types).toContain('export type LoginMutation = ');
    await compile(dir);
    // Introspection of the gateway yields the committed client-facing schema: same output.
    expect(types).toBe(await readFile(join(GENERATED, 'graphql.ts'), 'utf8'));
  }, 120_000);

  it('generates and compiles the same from the committed schema/api.graphql', async () => {
    const dir = await clientRepository('opsgraph-api.graphql');
    await copyFile(join(ROOT, 'schema', 'api.graphql'), join(dir, 'opsgraph-api.graphql'));
    await generate(dir);
    for (const file of await readdir(GENERATED))
      expect(await generated(dir, file)).toBe(await readFile(join(GENERATED, file), 'utf8'));
    await compile(dir);
  }, 120_000);
});

describe('the committed example documents, through the gateway', () => {
  let admin: SignedIn;

  async function execute<Result, Variables>(
    document: TypedDocumentNode<Result, Variables>,
    variables: Variables,
    headers: Record<string, string> = admin.headers,
  ): Promise<Result> {
    const response = await graphql<Result>(
      url,
      print(document),
      variables as Record<string, unknown>,
      headers,
    );
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  /** The first `count` events of a typed subscription, over graphql-ws through the gateway. */
  async function subscribe<Result, Variables>(
    document: TypedDocumentNode<Result, Variables>,
    variables: Variables,
    count: number,
  ): Promise<Result[]> {
    const client = wsClient(url, { authorization: admin.headers.authorization });
    try {
      const subscription = collect(client, print(document), variables as Record<string, unknown>);
      const results = await subscription.waitFor(count);
      subscription.unsubscribe();
      for (const result of results) expect(result.errors).toBeUndefined();
      return results.map((result) => result.data as Result);
    } finally {
      await client.dispose();
    }
  }

  beforeAll(async () => {
    admin = await signUp(url);
  });

  it('signs in and refreshes the session', async () => {
    const { login } = await execute(
      LoginDocument,
      { input: { usernameOrEmail: admin.user.username, password: PASSWORD } },
      {},
    );
    const user = {
      id: admin.user.id,
      username: admin.user.username,
      displayName: admin.user.username,
      role: 'ADMIN',
      organization: expect.objectContaining({ id: admin.user.organization.id }),
    };
    expect(login).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresAt: ISO,
      user,
    });
    const { refreshSession } = await execute(
      RefreshSessionDocument,
      { refreshToken: login.refreshToken },
      {},
    );
    expect(refreshSession).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.not.stringMatching(login.refreshToken),
      expiresAt: ISO,
      user,
    });
  });

  it('loads the dashboard and a deployment log', async () => {
    const { node } = await registerNode(url, admin, { region: 'eu-west-3' });
    const deployment = await createDeployment(url, admin.headers, {
      nodeId: node.id,
      application: 'billing-api',
      version: '1.4.2',
    });
    const event = {
      id: expect.any(String),
      cursor: expect.any(String),
      type: 'STATUS_CHANGED',
      status: 'QUEUED',
      level: 'INFO',
      message: 'Queued billing-api 1.4.2 for production.',
      createdAt: ISO,
    };
    const summary = {
      id: deployment.id,
      application: 'billing-api',
      version: '1.4.2',
      environment: 'production',
      status: 'QUEUED',
    };
    expect(await execute(DashboardDocument, {})).toEqual({
      deployments: {
        edges: [
          {
            cursor: expect.any(String),
            node: {
              ...summary,
              createdAt: ISO,
              finishedAt: null,
              node: { id: node.id, name: node.name, region: 'eu-west-3', status: 'PENDING' },
              triggeredBy: { id: admin.user.id, username: admin.user.username },
              events: { edges: [{ node: event }] },
            },
          },
        ],
        pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
      },
    });
    expect(await execute(DeploymentLogDocument, { id: deployment.id })).toEqual({
      deployment: {
        ...summary,
        node: { id: node.id, name: node.name, region: 'eu-west-3' },
        events: {
          edges: [{ node: event }],
          pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
        },
      },
    });
  });

  it('resumes a deployment log from the cursor of the last event shown', async () => {
    const { node } = await registerNode(url, admin);
    const deployment = await createDeployment(url, admin.headers, { nodeId: node.id });
    const log = await execute(DeploymentLogDocument, { id: deployment.id });
    const shown = log.deployment!.events.edges.at(-1)!.node;
    expect(
      (await graphql(url, CANCEL, { id: deployment.id }, admin.headers)).errors,
    ).toBeUndefined();
    const events: DeploymentLogEventsSubscription[] = await subscribe(
      DeploymentLogEventsDocument,
      { deploymentId: deployment.id, after: shown.cursor },
      1,
    );
    expect(events).toEqual([
      {
        deploymentEvents: {
          id: expect.any(String),
          cursor: expect.any(String),
          type: 'STATUS_CHANGED',
          status: 'CANCELLED',
          level: expect.any(String),
          message: expect.any(String),
          createdAt: ISO,
        },
      },
    ]);
    expect(events[0]!.deploymentEvents.cursor).not.toBe(shown.cursor);
  });

  it('loads a chat channel with its latest messages and their authors', async () => {
    const channel = await createChannel(url, admin, { topic: 'Releases' });
    const first = await post(url, admin, channel.id, 'Deploying billing-api 1.4.2');
    const second = await post(url, admin, channel.id, 'Done.');
    const author = {
      id: admin.user.id,
      username: admin.user.username,
      displayName: admin.user.username,
    };
    const message = (sent: { id: string; cursor: string }, body: string) => ({
      id: sent.id,
      cursor: sent.cursor,
      body,
      createdAt: ISO,
      editedAt: null,
      deleted: false,
      author,
    });
    expect(await execute(ChatChannelDocument, { id: channel.id })).toEqual({
      channel: {
        id: channel.id,
        name: channel.name,
        topic: 'Releases',
        messages: {
          edges: [
            { node: message(first, 'Deploying billing-api 1.4.2') },
            { node: message(second, 'Done.') },
          ],
          pageInfo: { hasPreviousPage: false, startCursor: first.cursor },
        },
      },
    });
  });

  it('resumes a chat from the cursor of the last message shown', async () => {
    const channel = await createChannel(url, admin);
    const shown = await post(url, admin, channel.id, 'seen before the reconnect');
    const missed = await post(url, admin, channel.id, 'posted while offline');
    const messages: ChatMessageAddedSubscription[] = await subscribe(
      ChatMessageAddedDocument,
      { channelId: channel.id, after: shown.cursor },
      1,
    );
    expect(messages).toEqual([
      {
        messageAdded: {
          id: missed.id,
          cursor: missed.cursor,
          body: 'posted while offline',
          createdAt: ISO,
          editedAt: null,
          deleted: false,
          author: {
            id: admin.user.id,
            username: admin.user.username,
            displayName: admin.user.username,
          },
        },
      },
    ]);
  });
});
