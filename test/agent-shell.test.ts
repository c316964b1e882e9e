/**
 * The node agent with the shell executor, as a real process against the whole stack: what the
 * commands do (stay silent, leave background processes behind, print what the API cannot store)
 * and what happens meanwhile (a user cancels, the agent is stopped, the API refuses a report)
 * must still end each deployment with a true status, never leave it RUNNING.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  agentAtWork,
  deploymentWithEvents,
  exitOf,
  startProxy,
  tempStateDir,
} from './support/agent';
import { CANCEL } from './support/deployments';
import { graphql } from './support/graphql';
import { waitFor } from './support/nodes';
import { NOTHING_EXPIRES, startStack, type Stack } from './support/stack';

let stack: Stack;
let url: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['users', 'nodes', 'deployments'],
    config: NOTHING_EXPIRES,
  });
  url = stack.gatewayUrl;
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(() => stack?.stop());

/**
 * An agent running `steps` with the shell executor, at work on a deployment; `gateway` puts
 * something between it and the gateway, `args` adds options.
 */
async function shellAgent(steps: unknown[], options: { gateway?: string; args?: string[] } = {}) {
  const dir = await tempStateDir();
  cleanups.push(dir.remove);
  const config = join(dir.path, 'shell.json');
  await writeFile(config, JSON.stringify({ steps }));
  const work = await agentAtWork(
    url,
    ['--executor', 'shell', '--shell-config', config, ...(options.args ?? [])],
    options.gateway,
  );
  cleanups.push(work.stop);
  return work;
}

describe('node agent with the shell executor', () => {
  it('stops a deployment a user cancels during a silent step at once when subscribed, and before the next step when polling', async () => {
    for (const args of [[], ['--poll-only']]) {
      const { path: markers, remove } = await tempStateDir();
      cleanups.push(remove);
      const { agent, developer, deployment } = await shellAgent(
        [
          { name: 'first', command: `sleep 3; touch ${markers}/first` },
          { name: 'second', command: `touch ${markers}/second` },
        ],
        { args },
      );
      await waitFor(
        async () =>
          (await deploymentWithEvents(url, developer, deployment.id)).status === 'RUNNING',
        20_000,
      );
      const cancelled = await graphql(url, CANCEL, { id: deployment.id }, developer.headers);
      expect(cancelled.errors).toBeUndefined();
      expect(await exitOf(agent)).toBe(0);

      const result = await deploymentWithEvents(url, developer, deployment.id);
      expect(result.statuses).toEqual(['QUEUED', 'RUNNING', 'CANCELLED']);
      expect({
        args,
        first: existsSync(join(markers, 'first')),
        second: existsSync(join(markers, 'second')),
      }).toEqual({
        args,
        // The subscription brings the cancel during the step, which is stopped; polling, the
        // agent hears of it when it reports the step's end, and runs no further step.
        first: args.length > 0,
        second: false,
      });
      expect(agent.messages()).toContain('the deployment is CANCELLED; stopped working on it');
    }
  });

  it('ends a step on its timeout even when the command left a background process holding its output', async () => {
    const { agent, developer, deployment } = await shellAgent([
      { name: 'start', command: 'sleep 30 & echo started', timeoutSeconds: 1 },
    ]);
    // The background process dies with the step: the agent is not kept waiting for it.
    expect(await exitOf(agent, 15_000)).toBe(0);
    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.status).toBe('FAILED');
    expect(result.logs).toEqual([
      'INFO started',
      'ERROR Deployment failed: Step "start" timed out after 1s.',
    ]);
  });

  it('stops on SIGTERM even when the command left a background process holding its output', async () => {
    const { agent, developer, deployment } = await shellAgent([
      { name: 'start', command: 'sleep 30 & echo started' },
    ]);
    await waitFor(
      async () => (await deploymentWithEvents(url, developer, deployment.id)).logs.length > 0,
      20_000,
    );
    agent.child.kill('SIGTERM');
    expect(await exitOf(agent, 15_000)).toBe(0);
    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.status).toBe('CANCELLED');
    expect(result.logs).toEqual([
      'INFO started',
      'WARN The node agent stopped during step "start"; the deployment was abandoned.',
    ]);
  });

  it('reports output the API cannot store as sent: NUL replaced, a long line cut between code points', async () => {
    const { agent, developer, deployment } = await shellAgent([
      {
        name: 'print',
        // 9,999 letters and an emoji: a cut at 10,000 UTF-16 units falls inside its pair.
        command: `printf 'bad\\000line\\n'; ${process.execPath} -e "console.log('a'.repeat(9999) + String.fromCodePoint(0x1f600))"`,
      },
    ]);
    expect(await exitOf(agent)).toBe(0);
    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.logs).toEqual([
      'INFO bad\uFFFDline',
      `INFO ${'a'.repeat(9999)}`,
      'INFO Deployment succeeded.',
    ]);
  });

  it('reports a step whose lines add up to more than a request body may hold, in several reports', async () => {
    // 300 lines of 9,000 characters, printed at once: 2.7 MB, beyond the gateway's 1 MB body limit
    // for one request, though fewer lines than one report may carry.
    const { agent, developer, deployment } = await shellAgent([
      {
        name: 'dump',
        command: `${process.execPath} -e "for (let i = 0; i < 300; i++) console.log(String(i).padStart(3, '0') + 'x'.repeat(8997))"`,
      },
    ]);
    expect(await exitOf(agent, 60_000)).toBe(0);
    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.logs).toEqual([
      ...Array.from(
        { length: 300 },
        (_, i) => `INFO ${String(i).padStart(3, '0')}${'x'.repeat(8997)}`,
      ),
      'INFO Deployment succeeded.',
    ]);
  });

  it('fails the deployment, with a line saying why, when the API refuses a report', async () => {
    // A faulty hop corrupts the first report's line into one the API refuses (BAD_USER_INPUT).
    const proxy = await startProxy(url, {
      rewrite: (body) => body.replace('"message":"hello"', '"message":"hel\\u0000lo"'),
    });
    cleanups.push(proxy.close);
    const { agent, developer, deployment } = await shellAgent(
      [
        { name: 'greet', command: 'echo hello' },
        { name: 'never', command: 'echo unreachable' },
      ],
      { gateway: proxy.url },
    );
    expect(await exitOf(agent)).toBe(0);
    const result = await deploymentWithEvents(url, developer, deployment.id);
    expect(result.statuses).toEqual(['QUEUED', 'RUNNING', 'FAILED']);
    expect(result.logs).toEqual([
      'ERROR Deployment failed: the API refused its log lines: logs.0.message must not contain NUL characters or unpaired UTF-16 surrogates.',
    ]);
  });
});
