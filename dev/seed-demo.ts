/**
 * The demo organization `npm start` and `npm run seed` create, through the public API only, so
 * the dashboard, log and chat examples have something to show on the first visit: three nodes,
 * a history of finished deployments with their log lines, one deployment still queued, and a
 * #general channel with a few messages. Idempotent: each part is created only when absent, so
 * restarts add nothing.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const DEMO = {
  organization: 'Demo Ops',
  username: 'demo',
  email: 'demo@opsgraph.local',
  password: 'demo-password',
};

export interface DemoData {
  organization: string;
  username: string;
  password: string;
  /** The #general channel. */
  channelId: string;
  /** The newest successful deployment (the deployment-log example's), '' when there is none. */
  deploymentId: string;
  /** A file holding an OPERATOR API key for a demo agent, or null when none was asked for. */
  agentApiKeyFile: string | null;
}

const NODES = [
  { name: 'web-1', kind: 'VM', region: 'eu-west-1', labels: ['web'] },
  { name: 'web-2', kind: 'VM', region: 'us-east-1', labels: ['web'] },
  { name: 'k8s-batch', kind: 'KUBERNETES', region: 'eu-west-1', labels: ['batch'] },
] as const;

/** [node index, application, version, final status]: oldest first. */
const HISTORY = [
  [0, 'shop', '1.4.0', 'SUCCEEDED'],
  [1, 'api', '2.0.0', 'SUCCEEDED'],
  [2, 'billing-worker', '0.9.3', 'SUCCEEDED'],
  [0, 'shop', '1.4.1', 'FAILED'],
  [0, 'shop', '1.4.2', 'SUCCEEDED'],
  [1, 'api', '2.1.0', 'SUCCEEDED'],
] as const;

const MESSAGES = [
  'Welcome to #general: deployments, incidents and everything else.',
  'shop 1.4.1 failed its health check on web-1; 1.4.2 fixes it and is live.',
  'api 2.1.0 is out on web-2. Next up: billing-worker 0.9.4 on k8s-batch.',
];

type Data = Record<string, unknown>;

/** A value inside a GraphQL result, by field path (the seed only follows paths it asked for). */
function at(data: unknown, ...path: (string | number)[]): unknown {
  let value = data;
  for (const key of path) value = (value as Record<string | number, unknown> | null)?.[key];
  return value;
}
const idAt = (data: unknown, ...path: (string | number)[]) => String(at(data, ...path));

function client(url: string) {
  return async (
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<Data> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Data | null; errors?: unknown[] };
    if (body.errors?.length || !body.data)
      throw new Error(`Seeding the demo failed: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
}

function nodeKeys(): { publicKey: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  return { publicKey: Buffer.from(x ?? '', 'base64url').toString('base64'), privateKey };
}

async function signIn(gql: ReturnType<typeof client>): Promise<Record<string, string>> {
  const session = await gql(
    'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }',
    { input: { usernameOrEmail: DEMO.username, password: DEMO.password } },
  ).catch(() => null);
  const accessToken = session
    ? idAt(session, 'login', 'accessToken')
    : idAt(
        await gql('mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }', {
          input: {
            organizationName: DEMO.organization,
            username: DEMO.username,
            email: DEMO.email,
            password: DEMO.password,
          },
        }),
        'signUp',
        'accessToken',
      );
  return { authorization: `Bearer ${accessToken}` };
}

/** Nodes and the deployment history, unless the organization has deployments already. */
async function seedDeployments(
  gql: ReturnType<typeof client>,
  admin: Record<string, string>,
): Promise<void> {
  const existing = await gql('{ deployments(first: 1) { edges { node { id } } } }', {}, admin);
  if (at(existing, 'deployments', 'edges', 0)) return;
  const known = await gql('{ nodes(first: 1) { edges { node { id } } } }', {}, admin);
  if (at(known, 'nodes', 'edges', 0)) return; // a seed interrupted half-way: leave it be
  const agents: { id: string; headers: Record<string, string> }[] = [];
  for (const node of NODES) {
    const keys = nodeKeys();
    const registered = await gql(
      'mutation ($input: RegisterNodeInput!) { registerNode(input: $input) { id } }',
      { input: { ...node, labels: [...node.labels], publicKey: keys.publicKey } },
      admin,
    );
    const nodeId = idAt(registered, 'registerNode', 'id');
    const timestamp = String(Date.now());
    const message = Buffer.from(`opsgraph-node-auth:${nodeId}:${timestamp}`, 'utf8');
    const signature = sign(null, message, keys.privateKey).toString('base64');
    const session = await gql(
      'mutation ($input: AuthenticateNodeInput!) { authenticateNode(input: $input) { token } }',
      { input: { nodeId, timestamp, signature } },
    );
    const token = idAt(session, 'authenticateNode', 'token');
    agents.push({ id: nodeId, headers: { authorization: `Bearer ${token}` } });
  }
  for (const [nodeIndex, application, version, status] of HISTORY) {
    const agent = agents[nodeIndex]!;
    const created = await gql(
      'mutation ($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }',
      { input: { nodeId: agent.id, application, version, environment: 'production' } },
      admin,
    );
    const deploymentId = idAt(created, 'createDeployment', 'id');
    // The agent's side, as `npm run agent` does it: claim, stream the steps' logs, finish.
    await gql('mutation { claimDeployment { id } }', {}, agent.headers);
    const image = `registry.local/${application}:${version}`;
    const logs =
      status === 'SUCCEEDED'
        ? [
            { level: 'INFO', message: `pulling ${image}` },
            { level: 'INFO', message: `starting ${application}` },
            { level: 'INFO', message: 'health check passed' },
          ]
        : [
            { level: 'INFO', message: `pulling ${image}` },
            { level: 'INFO', message: `starting ${application}` },
            { level: 'ERROR', message: 'health check failed: HTTP 503 after 30 s' },
          ];
    await gql(
      'mutation ($input: ReportDeploymentProgressInput!) { reportDeploymentProgress(input: $input) { id } }',
      { input: { deploymentId, status, logs } },
      agent.headers,
    );
  }
  // Left queued: what a demo agent on that node would pick up.
  await gql(
    'mutation ($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }',
    {
      input: {
        nodeId: agents[2]!.id,
        application: 'billing-worker',
        version: '0.9.4',
        environment: 'production',
      },
    },
    admin,
  );
}

/** #general and its first messages (postMessage is idempotent per clientMessageId). */
async function seedChannel(
  gql: ReturnType<typeof client>,
  admin: Record<string, string>,
): Promise<string> {
  const listed = await gql('{ channels(first: 100) { edges { node { id name } } } }', {}, admin);
  const edges = (at(listed, 'channels', 'edges') ?? []) as { node: { id: string; name: string } }[];
  const channelId =
    edges.find((edge) => edge.node.name === 'general')?.node.id ??
    idAt(
      await gql(
        'mutation ($input: CreateChannelInput!) { createChannel(input: $input) { id } }',
        { input: { name: 'general', topic: 'Everything ops', kind: 'PUBLIC', memberIds: [] } },
        admin,
      ),
      'createChannel',
      'id',
    );
  for (const [i, body] of MESSAGES.entries()) {
    await gql(
      'mutation ($input: PostMessageInput!) { postMessage(input: $input) { id } }',
      { input: { channelId, body, clientMessageId: `demo-seed-${i}` } },
      admin,
    );
  }
  return channelId;
}

/**
 * An OPERATOR API key for a demo agent, kept in `path` (owner-only) so restarts reuse it and it
 * never has to be printed; a key that stopped working (revoked) is replaced.
 */
async function agentApiKey(
  gql: ReturnType<typeof client>,
  admin: Record<string, string>,
  path: string,
): Promise<void> {
  if (existsSync(path)) {
    const works = await gql('{ me { id } }', {}, { 'x-api-key': readFileSync(path, 'utf8').trim() })
      .then(() => true)
      .catch(() => false);
    if (works) return;
  }
  const created = await gql(
    'mutation { createApiKey(input: { name: "demo agent", role: OPERATOR }) { secret } }',
    {},
    admin,
  );
  writeFileSync(path, `${idAt(created, 'createApiKey', 'secret')}\n`, { mode: 0o600 });
}

/** Seeds what is missing of the demo organization; returns its login and the demo ids. */
export async function seedDemo(
  gatewayUrl: string,
  options: { agentApiKeyFile?: string } = {},
): Promise<DemoData> {
  const gql = client(gatewayUrl);
  const admin = await signIn(gql);
  await seedDeployments(gql, admin);
  const channelId = await seedChannel(gql, admin);
  const finished = await gql(
    '{ deployments(first: 1, filter: { status: SUCCEEDED }) { edges { node { id } } } }',
    {},
    admin,
  );
  if (options.agentApiKeyFile) await agentApiKey(gql, admin, options.agentApiKeyFile);
  return {
    organization: DEMO.organization,
    username: DEMO.username,
    password: DEMO.password,
    channelId,
    deploymentId: String(at(finished, 'deployments', 'edges', 0, 'node', 'id') ?? ''),
    agentApiKeyFile: options.agentApiKeyFile ?? null,
  };
}
