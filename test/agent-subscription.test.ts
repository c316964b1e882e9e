/**
 * The node agent learns about new work from the deploymentUpdated subscription (graphql-ws
 * through the gateway, with its node token), polls while the socket is down, and subscribes again
 * with a fresh token when its node token is renewed or expires. Real agent processes against the
 * users, nodes and deployments subgraphs and the gateway.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createApiKey,
  deploymentWithEvents,
  exitOf,
  nodesNamed,
  startNodeAgent,
  startProxy,
  type AgentProcess,
} from './support/agent';
import { createDeployment } from './support/deployments';
import { waitFor } from './support/nodes';
import { signUp, unique, addUser, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';
import { topicListeners } from './support/subscription-streams';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A long poll: work picked up within seconds came from the subscription. */
const NO_POLLING = ['--poll-interval', '60s', '--heartbeat-interval', '200ms'];

async function organization(url: string) {
  const admin = await signUp(url);
  const developer = await addUser(url, admin, 'DEVELOPER');
  return { admin, developer, apiKey: await createApiKey(url, admin, 'OPERATOR') };
}

/** Starts an agent (stopped after the test) for a new node called `name`. */
async function agentFor(gateway: string, apiKey: string, name: string, args: string[]) {
  const { agent, stop } = await startNodeAgent(gateway, apiKey, name, [
    '--step-duration',
    '40ms',
    ...args,
  ]);
  cleanups.push(stop);
  return agent;
}

async function onlineNode(url: string, viewer: SignedIn, name: string) {
  let node: { id: string; status: string } | undefined;
  await waitFor(async () => {
    [node] = await nodesNamed(url, viewer, name);
    return node?.status === 'ONLINE';
  }, 20_000);
  return node!;
}

const count = (agent: AgentProcess, message: string) =>
  agent.messages().filter((msg) => msg === message).length;

/** Waits until the agent logged `message` at least `times` times. */
const logged = (agent: AgentProcess, message: string, times = 1, timeoutMs = 20_000) =>
  waitFor(() => count(agent, message) >= times, timeoutMs);

const announced = (agent: AgentProcess, deploymentId: string) =>
  agent.logs.some((log) => log.msg === 'work queued' && log.deploymentId === deploymentId);

async function succeeded(url: string, viewer: SignedIn, id: string, timeoutMs: number) {
  await waitFor(
    async () => (await deploymentWithEvents(url, viewer, id)).status === 'SUCCEEDED',
    timeoutMs,
  );
}

describe('node agent subscribed for work', () => {
  let stack: Stack;
  let url: string;
  let listeners: ReturnType<typeof topicListeners>;

  beforeAll(async () => {
    stack = await startStack({ subgraphs: ['users', 'nodes', 'deployments'] });
    url = stack.gatewayUrl;
    listeners = topicListeners(stack);
  });
  afterAll(async () => {
    await listeners?.close();
    await stack?.stop();
  });

  it('claims a new deployment as soon as it is queued, long before the next poll', async () => {
    const { developer, apiKey } = await organization(url);
    const name = unique('agent-');
    const agent = await agentFor(url, apiKey, name, [
      ...NO_POLLING,
      '--once',
      '--log-level',
      'debug',
    ]);
    const node = await onlineNode(url, developer, name);
    await logged(agent, 'subscribed to new work');
    expect(agent.logs.find((log) => log.msg === 'subscribed to new work')).toMatchObject({
      level: 30,
      nodeId: node.id,
      url: url.replace(/^http/, 'ws'),
    });
    await waitFor(async () => (await listeners.count('DEPLOYMENT_UPDATED')) > 0, 10_000);

    const deployment = await createDeployment(url, developer.headers, { nodeId: node.id });
    expect(await exitOf(agent, 10_000)).toBe(0);
    expect(announced(agent, deployment.id)).toBe(true);
    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.statuses).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
  });

  it('polls while the socket is unavailable, and subscribes once it is back', async () => {
    const { developer, apiKey } = await organization(url);
    let websockets = false;
    const proxy = await startProxy(url, { websockets: () => websockets });
    cleanups.push(proxy.close);
    const name = unique('agent-');
    const agent = await agentFor(proxy.url, apiKey, name, [
      '--poll-interval',
      '300ms',
      '--heartbeat-interval',
      '200ms',
    ]);
    const node = await onlineNode(url, developer, name);
    await logged(agent, 'work subscription unavailable; polling until it is back');
    expect(
      agent.logs.find(
        (log) => log.msg === 'work subscription unavailable; polling until it is back',
      ),
    ).toMatchObject({ level: 40, pollIntervalMs: 300, reason: expect.any(String) });

    const polled = await createDeployment(url, developer.headers, { nodeId: node.id });
    await succeeded(url, developer, polled.id, 10_000);
    expect(count(agent, 'subscribed to new work')).toBe(0);

    // The socket comes back: the agent subscribes on its next attempt (backoff), …
    websockets = true;
    await logged(agent, 'subscribed to new work', 1, 40_000);
    // … and when the socket is lost, it says so and polls again.
    proxy.dropWebSockets();
    await logged(agent, 'work subscription lost; polling until it is back');
    expect(
      agent.logs.find((log) => log.msg === 'work subscription lost; polling until it is back'),
    ).toMatchObject({ level: 40, pollIntervalMs: 300 });
    // The retry may reconnect at once or be refused; either way work still arrives.
    const next = await createDeployment(url, developer.headers, { nodeId: node.id });
    await succeeded(url, developer, next.id, 10_000);
  });

  it('claims a deployment queued while its subscription is on the way upstream, without waiting for the safety poll', async () => {
    const { developer, apiKey } = await organization(url);
    // The subscribe message reaches the gateway 3 s after the connection was acknowledged (and
    // the agent's claim on connecting found nothing); the safety poll would take 60 s.
    const proxy = await startProxy(url, { websockets: () => true, holdSubscriptionsMs: 3_000 });
    cleanups.push(proxy.close);
    const name = unique('agent-');
    const agent = await agentFor(proxy.url, apiKey, name, [...NO_POLLING, '--log-level', 'debug']);
    const node = await onlineNode(url, developer, name);
    await logged(agent, 'subscribed to new work');
    await sleep(500);
    const queued = await createDeployment(url, developer.headers, { nodeId: node.id });
    await succeeded(url, developer, queued.id, 10_000);
    expect(announced(agent, queued.id)).toBe(true);
  });

  it('only polls with --poll-only', async () => {
    const { developer, apiKey } = await organization(url);
    const name = unique('agent-');
    const agent = await agentFor(url, apiKey, name, [
      '--poll-only',
      '--poll-interval',
      '200ms',
      '--heartbeat-interval',
      '200ms',
      '--once',
    ]);
    const node = await onlineNode(url, developer, name);
    const deployment = await createDeployment(url, developer.headers, { nodeId: node.id });
    expect(await exitOf(agent, 10_000)).toBe(0);
    expect((await deploymentWithEvents(url, developer, deployment.id)).status).toBe('SUCCEEDED');
    expect(agent.messages()).not.toContain('subscribed to new work');
  });
});

describe('node agent subscribed for work, with short-lived node tokens', () => {
  let stack: Stack;
  let url: string;

  beforeAll(async () => {
    stack = await startStack({
      subgraphs: ['users', 'nodes', 'deployments'],
      // Below what NODE_TOKEN_TTL_SECONDS accepts, to see tokens renewed and expire in a test.
      config: { nodes: { nodeTokenTtlSeconds: 8 } },
    });
    url = stack.gatewayUrl;
  });
  afterAll(() => stack?.stop());

  /** Queues a deployment once the agent's latest subscription is live; it must announce it. */
  async function deliversWork(agent: AgentProcess, developer: SignedIn, nodeId: string) {
    // The gap between the connection and the subscription going live upstream.
    await sleep(1_000);
    const deployment = await createDeployment(url, developer.headers, { nodeId });
    await succeeded(url, developer, deployment.id, 10_000);
    expect(announced(agent, deployment.id)).toBe(true);
  }

  it('subscribes again with the renewed node token', async () => {
    const { developer, apiKey } = await organization(url);
    const name = unique('agent-');
    const agent = await agentFor(url, apiKey, name, [...NO_POLLING, '--log-level', 'debug']);
    const node = await onlineNode(url, developer, name);
    // Heartbeats renew the token after 80% of its lifetime; the subscription follows.
    await logged(agent, 'node token renewed; subscribing again with it');
    await logged(agent, 'subscribed to new work', 2);
    expect(agent.messages()).not.toContain('node token refused; subscribing again');
    await deliversWork(agent, developer, node.id);
    // Reconnecting leaks nothing (no MaxListenersExceededWarning, say).
    expect(agent.stderr()).toBe('');
  });

  it('subscribes again with a fresh token when the gateway ends the subscription because its token expired', async () => {
    const { developer, apiKey } = await organization(url);
    const name = unique('agent-');
    // No heartbeat renews the token before it expires.
    const agent = await agentFor(url, apiKey, name, [
      '--poll-interval',
      '60s',
      '--heartbeat-interval',
      '60s',
      '--log-level',
      'debug',
    ]);
    const node = await onlineNode(url, developer, name);
    await logged(agent, 'node token refused; subscribing again');
    expect(
      agent.logs.find((log) => log.msg === 'node token refused; subscribing again'),
    ).toMatchObject({ reason: 'Access token expired; reconnect with a fresh one.' });
    await logged(agent, 'subscribed to new work', 2);
    await deliversWork(agent, developer, node.id);
  });
});
