/**
 * The permission matrix: for every root field of every subgraph, what each kind of caller gets
 * when the target belongs to its own organization and when it belongs to another one. The
 * permission test runs it through the gateway, and docs/security.md is checked against it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse } from 'graphql';
import { createChannel, post } from './messages';
import { createDeployment } from './deployments';
import { bearer, graphql } from './graphql';
import {
  generateNodeKeys,
  registerNode,
  signedAuthInput,
  type NodeSession,
  type RegisteredNode,
} from './nodes';
import { addUser, login, unique, type SignedIn } from './seed';

export const CALLERS = ['anonymous', 'VIEWER', 'DEVELOPER', 'OPERATOR', 'ADMIN', 'node'] as const;
export type Caller = (typeof CALLERS)[number];

/** `ok`: no error (data may be null, e.g. `me` for an anonymous caller); else the error code. */
export type Outcome =
  'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'BAD_USER_INPUT';

/** Everything one organization holds for the matrix. */
export interface Organization {
  url: string;
  users: Record<Exclude<Caller, 'anonymous' | 'node'>, SignedIn>;
  node: RegisteredNode;
  nodeSession: NodeSession;
  /** A public channel every user of the organization is a member of. */
  channel: { id: string };
  /** A message of the ADMIN in `channel`. */
  message: { id: string };
  /** A QUEUED deployment on `node`. */
  deployment: { id: string };
  /** A deployment its node agent has claimed (RUNNING). */
  running: { id: string };
}

export interface MatrixCase {
  /** `Query.user`, `Mutation.login`, … */
  field: string;
  document: string;
  /** Variables naming the target organization's things (fresh ones where the call uses them up). */
  variables?: (target: Organization, caller: Caller) => Promise<Record<string, unknown>>;
  /** One outcome when the target does not matter, else [own organization, other organization]. */
  expect: Record<Caller, Outcome | [Outcome, Outcome]>;
  /** The call ends the caller's session: sign the caller in afresh for it. */
  freshSession?: boolean;
}

const all = (outcome: Outcome): Record<Caller, Outcome> =>
  Object.fromEntries(CALLERS.map((caller) => [caller, outcome])) as Record<Caller, Outcome>;

/** Users of any role get `user`; node agents are refused; anonymous callers must sign in. */
const usersOnly = (user: Outcome | [Outcome, Outcome]) => ({
  anonymous: 'UNAUTHENTICATED' as const,
  VIEWER: user,
  DEVELOPER: user,
  OPERATOR: user,
  ADMIN: user,
  node: 'FORBIDDEN' as const,
});

/** Users from `minimum` up get `allowed`; lower roles and node agents are FORBIDDEN. */
const fromRole = (
  minimum: 'DEVELOPER' | 'OPERATOR' | 'ADMIN',
  allowed: Outcome | [Outcome, Outcome],
): Record<Caller, Outcome | [Outcome, Outcome]> => {
  const order = ['VIEWER', 'DEVELOPER', 'OPERATOR', 'ADMIN'];
  const expect: Record<string, Outcome | [Outcome, Outcome]> = {
    anonymous: 'UNAUTHENTICATED',
    node: 'FORBIDDEN',
  };
  for (const role of order) {
    expect[role] = order.indexOf(role) >= order.indexOf(minimum) ? allowed : 'FORBIDDEN';
  }
  return expect as Record<Caller, Outcome | [Outcome, Outcome]>;
};

/** Node agents only. */
const nodeOnly = (agent: Outcome | [Outcome, Outcome]) => ({
  ...fromRole('ADMIN', 'FORBIDDEN'),
  node: agent,
});

const OWN_ONLY: [Outcome, Outcome] = ['ok', 'NOT_FOUND'];
const v =
  (build: (target: Organization) => Record<string, unknown>) => async (target: Organization) =>
    build(target);

async function freshNode(target: Organization) {
  return (await registerNode(target.url, target.users.ADMIN)).node.id;
}

async function freshDeployment(target: Organization) {
  return (
    await createDeployment(target.url, target.users.ADMIN.headers, {
      nodeId: target.node.node.id,
      application: unique('app-'),
    })
  ).id;
}

export const MATRIX: MatrixCase[] = [
  // users
  { field: 'Query.me', document: '{ me { id } }', expect: all('ok') },
  {
    field: 'Query.user',
    document: 'query ($id: ID!) { user(id: $id) { id } }',
    variables: v((t) => ({ id: t.users.VIEWER.user.id })),
    expect: usersOnly(OWN_ONLY),
  },
  {
    field: 'Query.users',
    document: '{ users(first: 1) { edges { node { id } } } }',
    expect: usersOnly('ok'),
  },
  {
    field: 'Mutation.signUp',
    document: 'mutation ($input: SignUpInput!) { signUp(input: $input) { user { id } } }',
    variables: async () => {
      const username = unique('signup');
      return {
        input: {
          organizationName: unique('Org '),
          username,
          email: `${username}@example.com`,
          password: 'correct horse battery staple',
        },
      };
    },
    expect: all('ok'),
  },
  {
    field: 'Mutation.login',
    document: 'mutation ($input: LoginInput!) { login(input: $input) { user { id } } }',
    variables: v((t) => ({
      input: {
        usernameOrEmail: t.users.VIEWER.user.username,
        password: 'correct horse battery staple',
      },
    })),
    expect: all('ok'),
  },
  {
    field: 'Mutation.refreshSession',
    document: 'mutation ($token: String!) { refreshSession(refreshToken: $token) { user { id } } }',
    variables: async (t) => ({
      token: (await login(t.url, t.users.VIEWER.user.username)).refreshToken,
    }),
    expect: all('ok'),
  },
  {
    field: 'Mutation.logout',
    document: 'mutation { logout }',
    expect: usersOnly('ok'),
    freshSession: true,
  },
  {
    field: 'Mutation.createUser',
    document: 'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
    variables: async () => {
      const username = unique('created');
      return {
        input: {
          username,
          email: `${username}@example.com`,
          password: 'correct horse battery staple',
          role: 'VIEWER',
        },
      };
    },
    expect: fromRole('ADMIN', 'ok'),
  },
  {
    field: 'Mutation.updateUserRole',
    document: 'mutation ($id: ID!) { updateUserRole(id: $id, role: VIEWER) { id } }',
    variables: v((t) => ({ id: t.users.VIEWER.user.id })),
    expect: fromRole('ADMIN', OWN_ONLY),
  },
  {
    field: 'Mutation.createApiKey',
    document:
      'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }',
    variables: async () => ({ input: { name: unique('key-'), role: 'VIEWER' } }),
    expect: fromRole('ADMIN', 'ok'),
  },
  {
    field: 'Mutation.revokeApiKey',
    document: 'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }',
    variables: async (t) => {
      const created = await graphql(
        t.url,
        'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }',
        { input: { name: unique('key-'), role: 'VIEWER' } },
        t.users.ADMIN.headers,
      );
      return { id: created.data?.createApiKey.apiKey.id };
    },
    expect: fromRole('ADMIN', OWN_ONLY),
  },
  // nodes
  {
    field: 'Query.node',
    document: 'query ($id: ID!) { node(id: $id) { id } }',
    variables: v((t) => ({ id: t.node.node.id })),
    // A node agent sees its own node.
    expect: { ...usersOnly(OWN_ONLY), node: OWN_ONLY },
  },
  {
    field: 'Query.nodes',
    document: '{ nodes(first: 1) { edges { node { id } } } }',
    expect: usersOnly('ok'),
  },
  {
    field: 'Mutation.registerNode',
    document: 'mutation ($input: RegisterNodeInput!) { registerNode(input: $input) { id } }',
    variables: async () => ({
      input: {
        name: unique('node-'),
        kind: 'VM',
        region: 'eu-west-1',
        labels: [],
        publicKey: generateNodeKeys().publicKey,
      },
    }),
    expect: fromRole('OPERATOR', 'ok'),
  },
  {
    field: 'Mutation.authenticateNode',
    document:
      'mutation ($input: AuthenticateNodeInput!) { authenticateNode(input: $input) { expiresAt } }',
    // The signature is the credential: whoever holds the node's key may authenticate it.
    variables: v((t) => ({ input: signedAuthInput(t.node.keys, t.node.node.id) })),
    expect: all('ok'),
  },
  {
    field: 'Mutation.heartbeat',
    document: `mutation { heartbeat(input: { cpuPercent: 1, memoryPercent: 1, diskPercent: 1, version: "1.0.0" }) { id } }`,
    expect: nodeOnly('ok'),
  },
  {
    field: 'Mutation.decommissionNode',
    document: 'mutation ($id: ID!) { decommissionNode(id: $id) { id } }',
    variables: async (t) => ({ id: await freshNode(t) }),
    expect: fromRole('OPERATOR', OWN_ONLY),
  },
  {
    field: 'Subscription.nodeStatusChanged',
    document: 'subscription ($id: ID) { nodeStatusChanged(nodeId: $id) { id } }',
    variables: v((t) => ({ id: t.node.node.id })),
    expect: { ...usersOnly(OWN_ONLY), node: OWN_ONLY },
  },
  {
    field: 'Query.nodeStatusChangedHead',
    document: 'query ($id: ID) { nodeStatusChangedHead(nodeId: $id) }',
    variables: v((t) => ({ id: t.node.node.id })),
    // Exactly as the subscription it starts.
    expect: { ...usersOnly(OWN_ONLY), node: OWN_ONLY },
  },
  // messages
  {
    field: 'Query.channel',
    document: 'query ($id: ID!) { channel(id: $id) { id } }',
    variables: v((t) => ({ id: t.channel.id })),
    expect: usersOnly(OWN_ONLY),
  },
  {
    field: 'Query.channels',
    document: '{ channels(first: 1) { edges { node { id } } } }',
    expect: usersOnly('ok'),
  },
  {
    field: 'Mutation.createChannel',
    document: 'mutation ($input: CreateChannelInput!) { createChannel(input: $input) { id } }',
    variables: async () => ({ input: { name: unique('chan-'), kind: 'PUBLIC', memberIds: [] } }),
    expect: fromRole('DEVELOPER', 'ok'),
  },
  {
    field: 'Mutation.joinChannel',
    document: 'mutation ($id: ID!) { joinChannel(id: $id) { id } }',
    variables: v((t) => ({ id: t.channel.id })),
    expect: usersOnly(OWN_ONLY),
  },
  {
    field: 'Mutation.leaveChannel',
    document: 'mutation ($id: ID!) { leaveChannel(id: $id) }',
    variables: async (t) => ({
      id: (await createChannel(t.url, t.users.ADMIN, { kind: 'PUBLIC' })).id,
    }),
    expect: usersOnly(OWN_ONLY),
  },
  {
    field: 'Mutation.addChannelMember',
    document:
      'mutation ($id: ID!, $user: ID!) { addChannelMember(channelId: $id, userId: $user) { id } }',
    variables: v((t) => ({ id: t.channel.id, user: t.users.VIEWER.user.id })),
    expect: fromRole('DEVELOPER', OWN_ONLY),
  },
  {
    field: 'Mutation.postMessage',
    document: 'mutation ($input: PostMessageInput!) { postMessage(input: $input) { id } }',
    variables: v((t) => ({ input: { channelId: t.channel.id, body: unique('hello ') } })),
    expect: fromRole('DEVELOPER', OWN_ONLY),
  },
  {
    field: 'Mutation.editMessage',
    document: 'mutation ($id: ID!) { editMessage(id: $id, body: "edited") { id } }',
    variables: v((t) => ({ id: t.message.id })),
    // A writer's role, then only the author (here the ADMIN) edits a message.
    expect: { ...fromRole('DEVELOPER', ['FORBIDDEN', 'NOT_FOUND']), ADMIN: OWN_ONLY },
  },
  {
    field: 'Mutation.deleteMessage',
    document: 'mutation ($id: ID!) { deleteMessage(id: $id) { id } }',
    variables: async (t) => ({
      id: (await post(t.url, t.users.ADMIN, t.channel.id, unique('bye '))).id,
    }),
    // A writer's role, then the author or an ADMIN (here the author is the ADMIN).
    expect: { ...fromRole('DEVELOPER', ['FORBIDDEN', 'NOT_FOUND']), ADMIN: OWN_ONLY },
  },
  {
    field: 'Subscription.messageAdded',
    document: 'subscription ($id: ID!) { messageAdded(channelId: $id) { id } }',
    variables: v((t) => ({ id: t.channel.id })),
    expect: usersOnly(OWN_ONLY),
  },
  {
    field: 'Subscription.messageChanged',
    document: 'subscription ($id: ID!) { messageChanged(channelId: $id) { id } }',
    variables: v((t) => ({ id: t.channel.id })),
    expect: usersOnly(OWN_ONLY),
  },
  {
    field: 'Query.messageChangedHead',
    document: 'query ($id: ID!) { messageChangedHead(channelId: $id) }',
    variables: v((t) => ({ id: t.channel.id })),
    expect: usersOnly(OWN_ONLY),
  },
  // deployments
  {
    field: 'Query.deployment',
    document: 'query ($id: ID!) { deployment(id: $id) { id } }',
    variables: v((t) => ({ id: t.deployment.id })),
    expect: usersOnly(OWN_ONLY),
  },
  {
    field: 'Query.deployments',
    document: '{ deployments(first: 1) { edges { node { id } } } }',
    expect: usersOnly('ok'),
  },
  {
    field: 'Query.deploymentStats',
    document: '{ deploymentStats { queued } }',
    expect: usersOnly('ok'),
  },
  {
    field: 'Mutation.createDeployment',
    document:
      'mutation ($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }',
    variables: v((t) => ({
      input: {
        nodeId: t.node.node.id,
        application: unique('app-'),
        version: '1.0.0',
        environment: 'staging',
      },
    })),
    expect: fromRole('DEVELOPER', OWN_ONLY),
  },
  {
    field: 'Mutation.cancelDeployment',
    document: 'mutation ($id: ID!) { cancelDeployment(id: $id) { id } }',
    variables: async (t) => ({ id: await freshDeployment(t) }),
    expect: fromRole('DEVELOPER', OWN_ONLY),
  },
  {
    field: 'Mutation.rollbackDeployment',
    document: 'mutation ($id: ID!) { rollbackDeployment(id: $id) { id } }',
    variables: v((t) => ({ id: t.deployment.id })),
    // Allowed, but a QUEUED deployment has nothing to roll back to.
    expect: fromRole('DEVELOPER', ['CONFLICT', 'NOT_FOUND']),
  },
  {
    field: 'Mutation.reportDeploymentProgress',
    document:
      'mutation ($input: ReportDeploymentProgressInput!) { reportDeploymentProgress(input: $input) { id } }',
    variables: v((t) => ({
      input: { deploymentId: t.running.id, logs: [{ level: 'INFO', message: 'step' }] },
    })),
    expect: nodeOnly(OWN_ONLY),
  },
  {
    field: 'Mutation.claimDeployment',
    document: 'mutation { claimDeployment { id } }',
    // Only the caller's own node's queue is ever looked at.
    expect: nodeOnly('ok'),
  },
  {
    field: 'Subscription.deploymentUpdated',
    document: 'subscription ($id: ID) { deploymentUpdated(id: $id) { id } }',
    variables: v((t) => ({ id: t.deployment.id })),
    // A node agent follows its own node's deployments.
    expect: { ...usersOnly(OWN_ONLY), node: OWN_ONLY },
  },
  {
    field: 'Query.deploymentUpdatedHead',
    document: 'query ($id: ID) { deploymentUpdatedHead(id: $id) }',
    variables: v((t) => ({ id: t.deployment.id })),
    expect: { ...usersOnly(OWN_ONLY), node: OWN_ONLY },
  },
  {
    field: 'Subscription.deploymentEvents',
    document: 'subscription ($id: ID!) { deploymentEvents(deploymentId: $id) { id } }',
    variables: v((t) => ({ id: t.deployment.id })),
    expect: usersOnly(OWN_ONLY),
  },
];

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/** Every root field the subgraphs declare, from their SDL files (federation fields aside). */
export function schemaRootFields(): string[] {
  const root = join(__dirname, '..', '..', 'schema');
  const subgraphs = JSON.parse(readFileSync(join(root, 'subgraphs.json'), 'utf8')) as {
    name: string;
  }[];
  const fields: string[] = [];
  for (const { name } of subgraphs) {
    const document = parse(readFileSync(join(root, `${name}.graphql`), 'utf8'));
    for (const definition of document.definitions) {
      if (
        (definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
          definition.kind === Kind.OBJECT_TYPE_EXTENSION) &&
        ROOT_TYPES.has(definition.name.value)
      ) {
        for (const field of definition.fields ?? [])
          fields.push(`${definition.name.value}.${field.name.value}`);
      }
    }
  }
  return fields;
}

/** Builds one organization with a user of every role, a node agent and something of each kind. */
export async function seedOrganization(url: string, admin: SignedIn): Promise<Organization> {
  const users = {
    ADMIN: admin,
    OPERATOR: await addUser(url, admin, 'OPERATOR'),
    DEVELOPER: await addUser(url, admin, 'DEVELOPER'),
    VIEWER: await addUser(url, admin, 'VIEWER'),
  };
  const node = await registerNode(url, admin);
  const auth = await graphql(
    url,
    'mutation ($input: AuthenticateNodeInput!) { authenticateNode(input: $input) { token expiresAt } }',
    { input: signedAuthInput(node.keys, node.node.id) },
  );
  const { token, expiresAt } = auth.data!.authenticateNode as { token: string; expiresAt: string };
  const nodeSession = { token, expiresAt, headers: bearer(token) };
  const channel = await createChannel(url, admin, {
    kind: 'PUBLIC',
    memberIds: [users.OPERATOR.user.id, users.DEVELOPER.user.id, users.VIEWER.user.id],
  });
  const message = await post(url, admin, channel.id, unique('welcome '));
  const running = await createDeployment(url, admin.headers, {
    nodeId: node.node.id,
    application: unique('running-'),
  });
  const claimed = await graphql(
    url,
    'mutation { claimDeployment { id } }',
    {},
    nodeSession.headers,
  );
  if (claimed.data?.claimDeployment?.id !== running.id)
    throw new Error(`claim failed: ${JSON.stringify(claimed)}`);
  const deployment = await createDeployment(url, admin.headers, {
    nodeId: node.node.id,
    application: unique('queued-'),
  });
  return { url, users, node, nodeSession, channel, message, deployment, running };
}

export const cell = (expected: Outcome | [Outcome, Outcome]) => {
  const [own, other] = typeof expected === 'string' ? [expected, expected] : expected;
  const show = (outcome: Outcome) => (outcome === 'ok' ? '✓' : outcome);
  return own === other ? show(own) : `${show(own)} / ${show(other)}`;
};

/** The matrix as the Markdown table of docs/security.md. */
export function renderMatrix(): string {
  const header = `| Field | ${CALLERS.join(' | ')} |`;
  const rule = `| --- | ${CALLERS.map(() => '---').join(' | ')} |`;
  const rows = [...MATRIX]
    .sort((a, b) => a.field.localeCompare(b.field))
    .map(
      (c) => `| \`${c.field}\` | ${CALLERS.map((caller) => cell(c.expect[caller])).join(' | ')} |`,
    );
  return [header, rule, ...rows].join('\n');
}
