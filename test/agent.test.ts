/**
 * The node agent CLI end to end: real agent processes against the whole stack (users, nodes,
 * deployments subgraphs and the gateway on real PostgreSQL and Redis). An operator's API key or
 * token registers the node, heartbeats make it ONLINE, and the agent claims the deployments
 * users create and reports their logs and result.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createApiKey,
  deploymentWithEvents,
  exitOf,
  onlineNode,
  QUICK_POLLING,
  SIMULATED_SUCCESS_LOGS,
  startProxy,
  startAgent,
  tempStateDir,
} from './support/agent';
import { createDeployment } from './support/deployments';
import { graphql } from './support/graphql';
import { freePort } from './support/processes';
import { generateNodeKeys, waitFor } from './support/nodes';
import { addUser, signUp, unique } from './support/seed';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let url: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users', 'nodes', 'deployments'] });
  url = stack.gatewayUrl;
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(() => stack?.stop());

/** Short timings, so a whole deployment runs in well under a second. */
const FAST = [...QUICK_POLLING, '--step-duration', '40ms'];

async function organization() {
  const admin = await signUp(url);
  const developer = await addUser(url, admin, 'DEVELOPER');
  return { admin, developer };
}

async function stateDir() {
  const dir = await tempStateDir();
  cleanups.push(dir.remove);
  return dir.path;
}

describe('node agent', () => {
  it('registers with an API key from the environment, heartbeats to ONLINE, and runs a deployment to SUCCEEDED', async () => {
    const { admin, developer } = await organization();
    const apiKey = await createApiKey(url, admin, 'OPERATOR');
    const dir = await stateDir();
    const name = unique('agent-');
    const agent = startAgent(
      [
        '--gateway',
        url,
        '--name',
        name,
        '--region',
        'eu-west-1',
        '--labels',
        'gpu, edge',
        '--state-dir',
        dir,
        '--failure-rate',
        '0',
        '--once',
        ...FAST,
      ],
      // Not on the command line, where the process list would show it to every user.
      { OPSGRAPH_API_KEY: apiKey },
    );

    const node = await onlineNode(url, developer, name);
    const registration = JSON.parse(await readFile(join(dir, 'registration.json'), 'utf8'));
    expect(registration).toEqual({
      nodeId: node.id,
      gateway: url,
      name,
      registeredAt: expect.any(String),
    });
    const pem = await readFile(join(dir, 'node-key.pem'), 'utf8');
    const { x } = createPrivateKey(pem).export({ format: 'jwk' });
    expect(node).toEqual({
      id: expect.any(String),
      name,
      kind: 'DOCKER_HOST',
      status: 'ONLINE',
      region: 'eu-west-1',
      labels: ['gpu', 'edge'],
      publicKey: Buffer.from(x!, 'base64url').toString('base64'),
      agentVersion: '0.1.0',
      metrics: {
        cpuPercent: expect.any(Number),
        memoryPercent: expect.any(Number),
        diskPercent: expect.any(Number),
      },
    });
    for (const value of Object.values(node.metrics!) as number[]) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(100);
    }
    expect((await stat(join(dir, 'node-key.pem'))).mode & 0o777).toBe(0o600);

    const deployment = await createDeployment(url, developer.headers, { nodeId: node.id });
    expect(await exitOf(agent)).toBe(0);

    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.statuses).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(result.logs).toEqual(SIMULATED_SUCCESS_LOGS);
    expect(result.last).toMatchObject({ type: 'STATUS_CHANGED', status: 'SUCCEEDED' });
    expect(agent.messages()).toContain('deployment finished');
    // The key is never echoed: not in a log line, not on stderr.
    expect(JSON.stringify(agent.logs) + agent.stderr()).not.toContain(apiKey);
  });

  it('reuses the node its key is registered to, and reports a failing deployment as FAILED', async () => {
    const { admin, developer } = await organization();
    const apiKey = await createApiKey(url, admin, 'OPERATOR');
    const dir = await stateDir();
    // The key is already registered (say, by an earlier install that lost its state).
    const keys = generateNodeKeys();
    await writeFile(
      join(dir, 'node-key.pem'),
      keys.privateKey.export({ format: 'pem', type: 'pkcs8' }),
      { mode: 0o600 },
    );
    const name = unique('agent-');
    const response = await graphql(
      url,
      `
        mutation ($input: RegisterNodeInput!) {
          registerNode(input: $input) {
            id
          }
        }
      `,
      { input: { name, kind: 'VM', region: 'us-east-1', labels: [], publicKey: keys.publicKey } },
      admin.headers,
    );
    const registered: string = response.data!.registerNode.id;

    const agent = startAgent([
      '--gateway',
      url,
      '--api-key',
      apiKey,
      '--name',
      unique('other-name-'),
      '--region',
      'us-east-1',
      '--state-dir',
      dir,
      '--failure-rate',
      '1',
      '--once',
      ...FAST,
    ]);
    const node = await onlineNode(url, developer, name);
    expect(node.id).toBe(registered);
    expect(JSON.parse(await readFile(join(dir, 'registration.json'), 'utf8')).nodeId).toBe(
      registered,
    );

    const deployment = await createDeployment(url, developer.headers, {
      nodeId: registered,
      version: '2.0.0',
    });
    expect(await exitOf(agent)).toBe(0);
    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.status).toBe('FAILED');
    expect(result.statuses).toEqual(['QUEUED', 'RUNNING', 'FAILED']);
    const [failure, summary] = result.logs.slice(-2);
    expect(failure).toMatch(/^ERROR /);
    expect(summary).toMatch(/^ERROR Deployment failed: Step "(pull|start|health check)" failed\.$/);
    expect(result.logs[0]).toBe('INFO Pulling image billing-api:2.0.0.');
    expect(agent.messages()).toContain('this key is already registered; using its node');
  });

  it("runs the shell executor's commands with an operator's token, streaming their output", async () => {
    const { admin, developer } = await organization();
    const operator = await addUser(url, admin, 'OPERATOR');
    const dir = await stateDir();
    const config = join(dir, 'shell.json');
    await writeFile(
      config,
      JSON.stringify({
        steps: [
          { name: 'pull', command: 'echo "pulling $OPSGRAPH_APPLICATION:$OPSGRAPH_VERSION"' },
          { name: 'warn', command: 'echo "disk is getting full" >&2' },
          { name: 'start', command: 'printf "line 1\\n\\nline 2\\n"' },
          { name: 'check', command: 'echo "checking $OPSGRAPH_ENVIRONMENT"; exit 3' },
          { name: 'never', command: 'echo unreachable' },
        ],
      }),
    );
    const name = unique('shell-');
    const agent = startAgent([
      '--gateway',
      url,
      '--token',
      operator.accessToken,
      '--name',
      name,
      '--region',
      'eu-west-1',
      '--kind',
      'VM',
      '--state-dir',
      dir,
      '--executor',
      'shell',
      '--shell-config',
      config,
      '--once',
      ...FAST,
    ]);
    const node = await onlineNode(url, developer, name);
    expect(node.kind).toBe('VM');
    const deployment = await createDeployment(url, developer.headers, {
      nodeId: node.id,
      version: '3.1.4',
      environment: 'staging',
    });
    expect(await exitOf(agent)).toBe(0);
    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.status).toBe('FAILED');
    expect(result.logs).toEqual([
      'INFO pulling billing-api:3.1.4',
      'WARN disk is getting full',
      'INFO line 1',
      'INFO line 2',
      'INFO checking staging',
      'ERROR Deployment failed: Step "check" exited with code 3.',
    ]);
  });

  it('abandons the current step on SIGTERM: the deployment is CANCELLED and the agent exits', async () => {
    const { admin, developer } = await organization();
    const apiKey = await createApiKey(url, admin, 'OPERATOR');
    const dir = await stateDir();
    const name = unique('agent-');
    const agent = startAgent([
      '--gateway',
      url,
      '--api-key',
      apiKey,
      '--name',
      name,
      '--region',
      'eu-west-1',
      '--state-dir',
      dir,
      ...FAST,
      '--step-duration',
      '60s',
    ]);
    const node = await onlineNode(url, developer, name);
    const deployment = await createDeployment(url, developer.headers, { nodeId: node.id });
    // The first step's first line arrives while the step is still running.
    await waitFor(
      async () => (await deploymentWithEvents(url, developer, deployment.id)).logs.length > 0,
      20_000,
    );
    agent.child.kill('SIGTERM');
    expect(await exitOf(agent)).toBe(0);

    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.status).toBe('CANCELLED');
    expect(result.logs).toEqual([
      'INFO Pulling image billing-api:1.0.0.',
      'WARN The node agent stopped during step "pull"; the deployment was abandoned.',
    ]);
    expect(agent.messages()).toEqual(
      expect.arrayContaining(['deployment finished', 'agent stopped']),
    );
  });

  it('never reports a step twice when the answer to a report is lost', async () => {
    const { admin, developer } = await organization();
    const apiKey = await createApiKey(url, admin, 'OPERATOR');
    // Drops the connection instead of answering the first progress report, which the gateway
    // applied.
    let reports = 0;
    const proxy = await startProxy(url, {
      drop: (body) => body.includes('AgentReportProgress') && ++reports === 1,
    });
    cleanups.push(proxy.close);
    const proxyUrl = proxy.url;

    const name = unique('agent-');
    const agent = startAgent([
      '--gateway',
      proxyUrl,
      '--api-key',
      apiKey,
      '--name',
      name,
      '--region',
      'eu-west-1',
      '--state-dir',
      await stateDir(),
      '--failure-rate',
      '0',
      '--once',
      ...FAST,
    ]);
    const node = await onlineNode(url, developer, name);
    const deployment = await createDeployment(url, developer.headers, { nodeId: node.id });
    expect(await exitOf(agent)).toBe(0);

    expect(reports).toBeGreaterThan(1);
    expect(agent.messages()).toEqual(
      expect.arrayContaining([
        'reporting progress failed; retrying',
        'the report had been applied',
      ]),
    );
    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.logs).toEqual(SIMULATED_SUCCESS_LOGS);
  });

  it('waits with backoff for a gateway that is not there yet', async () => {
    const { admin, developer } = await organization();
    const apiKey = await createApiKey(url, admin, 'OPERATOR');
    const port = await freePort();
    const name = unique('agent-');
    const agent = startAgent([
      '--gateway',
      `http://127.0.0.1:${port}/graphql`,
      '--api-key',
      apiKey,
      '--name',
      name,
      '--region',
      'eu-west-1',
      '--state-dir',
      await stateDir(),
      ...FAST,
    ]);
    cleanups.push(async () => {
      agent.child.kill('SIGTERM');
      await exitOf(agent);
    });
    await waitFor(() => agent.messages().includes('registerNode failed; retrying'), 20_000);
    expect(agent.logs.find((log) => log.msg === 'registerNode failed; retrying')).toMatchObject({
      level: 40,
      attempt: 1,
      delayMs: expect.any(Number),
      err: { message: 'The gateway is unreachable (ECONNREFUSED).' },
    });
    const proxy = await startProxy(url, { port });
    cleanups.push(proxy.close);
    expect((await onlineNode(url, developer, name)).status).toBe('ONLINE');
  });

  it('stops with an error once its node is decommissioned', async () => {
    const { admin, developer } = await organization();
    const apiKey = await createApiKey(url, admin, 'OPERATOR');
    const name = unique('agent-');
    const agent = startAgent([
      '--gateway',
      url,
      '--api-key',
      apiKey,
      '--name',
      name,
      '--region',
      'eu-west-1',
      '--state-dir',
      await stateDir(),
      ...FAST,
    ]);
    const node = await onlineNode(url, developer, name);
    const decommissioned = await graphql(
      url,
      `
        mutation ($id: ID!) {
          decommissionNode(id: $id) {
            status
          }
        }
      `,
      { id: node.id },
      admin.headers,
    );
    expect(decommissioned.data).toEqual({ decommissionNode: { status: 'DECOMMISSIONED' } });
    expect(await exitOf(agent)).toBe(1);
    expect(agent.logs.at(-1)).toMatchObject({
      level: 60,
      msg: 'The API refuses this node: This node has been decommissioned.',
    });
  });

  it('explains usage errors and exits with code 2', async () => {
    const agent = startAgent([
      '--gateway',
      url,
      '--name',
      'x',
      '--region',
      'r',
      '--kind',
      'TOASTER',
    ]);
    expect(await exitOf(agent)).toBe(2);
    expect(agent.stderr()).toContain(
      'Error: --kind must be one of DOCKER_HOST, SWARM, KUBERNETES, VM, PHYSICAL.',
    );
    expect(agent.stderr()).toContain('Usage: npm run agent --');
  });

  it('explains a blank OPSGRAPH_API_KEY as a usage error, exit code 2', async () => {
    const agent = startAgent(['--gateway', url, '--name', unique('agent-'), '--region', 'r'], {
      OPSGRAPH_API_KEY: '   ',
    });
    expect(await exitOf(agent)).toBe(2);
    expect(agent.stderr()).toContain(
      'OPSGRAPH_API_KEY: is blank: give the credential, or unset the variable',
    );
    expect(agent.stderr()).toContain('Usage: npm run agent --');
    expect(agent.stderr()).not.toMatch(/\n\s+at /);
  });

  it('registers again over an empty registration.json (what a crash can leave), or says why it cannot', async () => {
    const { admin, developer } = await organization();
    const dir = await stateDir();
    await writeFile(join(dir, 'registration.json'), '');
    const name = unique('agent-');
    const args = ['--gateway', url, '--name', name, '--region', 'eu-west-1', '--state-dir', dir];

    const unregistered = startAgent(args);
    expect(await exitOf(unregistered)).toBe(1);
    expect(unregistered.logs.at(-1)).toMatchObject({
      level: 60,
      msg: `${join(dir, 'registration.json')} is empty (a crash may have cut it short). Pass --api-key or --token (OPERATOR or ADMIN) to register the node again.`,
    });

    const agent = startAgent([...args, ...FAST], {
      OPSGRAPH_API_KEY: await createApiKey(url, admin, 'OPERATOR'),
    });
    cleanups.push(async () => {
      agent.child.kill('SIGTERM');
      await exitOf(agent);
    });
    const node = await onlineNode(url, developer, name);
    expect(JSON.parse(await readFile(join(dir, 'registration.json'), 'utf8'))).toMatchObject({
      nodeId: node.id,
      name,
    });
    expect(agent.messages()).toContain('the saved registration is unreadable; registering again');
  });

  it('stops with a line naming the problem, not a stack trace, when its state directory or key cannot be used', async () => {
    const dir = await stateDir();
    const notADirectory = join(dir, 'file');
    await writeFile(notADirectory, '');
    const corruptKey = join(dir, 'corrupt');
    await mkdir(corruptKey);
    await writeFile(join(corruptKey, 'node-key.pem'), 'not a key\n', { mode: 0o600 });
    for (const [state, message] of [
      [
        notADirectory,
        `The state directory ${notADirectory} cannot be used: ENOTDIR: not a directory, open '${join(notADirectory, 'registration.json')}'. Check --state-dir and its permissions.`,
      ],
      [
        corruptKey,
        `${join(corruptKey, 'node-key.pem')} does not hold an Ed25519 private key (PEM): restore the node's key, or remove the file to register a new node.`,
      ],
    ]) {
      const agent = startAgent(
        ['--gateway', url, '--name', unique('agent-'), '--region', 'r', '--state-dir', state!],
        { OPSGRAPH_API_KEY: 'any' },
      );
      expect(await exitOf(agent)).toBe(1);
      expect(agent.logs.at(-1)).toEqual(expect.objectContaining({ level: 60, msg: message }));
      expect(agent.logs.at(-1)).not.toHaveProperty('err');
    }
  });

  it('refuses to start unregistered without credentials', async () => {
    const agent = startAgent([
      '--gateway',
      url,
      '--name',
      unique('agent-'),
      '--region',
      'eu-west-1',
      '--state-dir',
      await stateDir(),
    ]);
    expect(await exitOf(agent)).toBe(1);
    expect(agent.messages().at(-1)).toMatch(
      /^No node is registered in .* yet: pass --api-key or --token/,
    );
  });
});
