/**
 * The node agent across outages, as a real process against the whole stack with short claim
 * leases: a restart of the deployments subgraph is waited out, while a deployment the system
 * failed while the agent was cut off is given up, and the API takes no more lines for it.
 */
import {
  agentAtWork,
  deploymentWithEvents,
  exitOf,
  SIMULATED_SUCCESS_LOGS,
  startProxy,
} from './support/agent';
import { CANCEL, claim, createDeployment, REPORT } from './support/deployments';
import { graphql } from './support/graphql';
import { freePort } from './support/processes';
import { authenticateNode, registerNode, waitFor } from './support/nodes';
import { signUp } from './support/seed';
import { startStack, type Stack } from './support/stack';

/** Short enough to lapse within a test, long enough that a loaded machine's heartbeats keep it. */
const LEASE_MS = 4_000;

let stack: Stack;
let url: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'nodes', 'deployments'],
    config: { deployments: { leaseMs: LEASE_MS, leaseSweepIntervalMs: 150 } },
  });
  url = stack.gatewayUrl;
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(() => stack?.stop());

/** An agent (simulated executor) at work on a deployment, its first step's first line logged. */
async function agentOnNewNode(gateway: string, stepDuration: string, args: string[] = []) {
  const work = await agentAtWork(url, ['--step-duration', stepDuration, ...args], gateway);
  cleanups.push(work.stop);
  // The first step's first line arrives while the step is still running.
  await waitFor(
    async () =>
      (await deploymentWithEvents(url, work.developer, work.deployment.id)).logs.length > 0,
    20_000,
  );
  return work;
}

describe('node agent across outages', () => {
  it('finishes a deployment across a restart of the deployments subgraph', async () => {
    const { agent, developer, deployment } = await agentOnNewNode(url, '1s');
    // A rolling update or a crash: the gateway answers SUBGRAPH_UNAVAILABLE meanwhile.
    await stack.stopSubgraph('deployments');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await stack.restartSubgraph('deployments');
    expect(await exitOf(agent)).toBe(0);

    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.statuses).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(result.logs).toEqual(SIMULATED_SUCCESS_LOGS);
    expect(
      agent.logs.find((log) => log.msg === 'reporting progress failed; retrying')?.err,
    ).toMatchObject({ name: 'TransientError', processed: 'maybe' });
  });

  it('gives up a deployment that failed while the agent was cut off for longer than its lease', async () => {
    const port = await freePort();
    let proxy = await startProxy(url, { port });
    cleanups.push(() => proxy.close());
    const { agent, developer, deployment } = await agentOnNewNode(proxy.url, '3s', ['--poll-only']);
    await proxy.close();
    await waitFor(
      async () => (await deploymentWithEvents(url, developer, deployment.id)).status === 'FAILED',
      LEASE_MS + 30_000,
    );
    proxy = await startProxy(url, { port });
    expect(await exitOf(agent)).toBe(0);

    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.statuses).toEqual(['QUEUED', 'RUNNING', 'FAILED']);
    // Nothing of the agent's after the FAILED event: it neither went on nor told of it.
    expect(result.last).toMatchObject({ type: 'STATUS_CHANGED', status: 'FAILED' });
    expect(result.logs.filter((line) => /Starting|Health|succeeded/.test(line))).toEqual([]);
    expect(agent.messages()).toContain('the deployment is FAILED; stopped working on it');
  });

  it('refuses log lines for a finished deployment with CONFLICT naming its status; an empty report still answers', async () => {
    const admin = await signUp(url);
    const registered = await registerNode(url, admin);
    const agent = (await authenticateNode(url, registered)).headers;
    const { id } = await createDeployment(url, admin.headers, { nodeId: registered.node.id });
    await claim(url, agent);
    expect((await graphql(url, CANCEL, { id }, admin.headers)).errors).toBeUndefined();

    const refused = await graphql(
      url,
      REPORT,
      { input: { deploymentId: id, logs: [{ message: 'still pulling' }] } },
      agent,
    );
    expect(refused.errors).toEqual([
      expect.objectContaining({
        message: 'The deployment is CANCELLED: it takes no more log lines.',
        extensions: expect.objectContaining({ code: 'CONFLICT', from: 'CANCELLED' }),
      }),
    ]);
    const empty = await graphql(url, REPORT, { input: { deploymentId: id, logs: [] } }, agent);
    expect(empty.errors).toBeUndefined();
    expect(empty.data?.reportDeploymentProgress).toMatchObject({ id, status: 'CANCELLED' });
  });
});
