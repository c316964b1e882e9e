/**
 * The node agent CLI as a real child process (its TypeScript run by tsx), with its JSON log
 * lines collected, plus the seed builders its tests need.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { inheritedEnvironment } from '../../agent/env';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen } from '../../platform/listen';
import { closeHttpServer } from '../../platform/shutdown';
import {
  AgentNodesDocument,
  CreateApiKeyDocument,
  DeploymentWithEventsDocument,
  type Role,
} from '../__generated__/graphql';
import { graphql } from './graphql';
import { waitFor } from './nodes';
import { createDeployment } from './deployments';
import { addUser, signUp, unique, type SignedIn } from './seed';

const ROOT = join(__dirname, '..', '..');

export interface AgentProcess {
  child: ChildProcess;
  /** Parsed JSON log lines written so far. */
  logs: Record<string, any>[];
  stderr: () => string;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
  /** Log messages so far, for compact assertions. */
  messages(): string[];
}

/** Runs the agent CLI; `env` adds variables to the inherited environment (e.g. OPSGRAPH_API_KEY). */
export function startAgent(args: string[], env: Record<string, string> = {}): AgentProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'agent/main.ts', ...args], {
    cwd: ROOT,
    env: { ...inheritedEnvironment(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, any>[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const lines = stdout.split('\n');
    stdout = lines.pop()!;
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    messages: () => logs.map((log) => String(log.msg)),
  };
}

/** Resolves with the exit code, or fails with the agent's output when it takes too long. */
export async function exitOf(agent: AgentProcess, timeoutMs = 30_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      agent.child.kill('SIGKILL');
      reject(
        new Error(
          `agent still running; logs:\n${agent.logs.map((l) => JSON.stringify(l)).join('\n')}`,
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([agent.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An agent registering a new node called `name` with an API key, in a state folder of its own,
 * never failing a step; `stop` ends it and removes the folder.
 */
export async function startNodeAgent(
  gateway: string,
  apiKey: string,
  name: string,
  args: string[],
): Promise<{ agent: AgentProcess; stop(): Promise<void> }> {
  const dir = await tempStateDir();
  const agent = startAgent([
    '--gateway',
    gateway,
    '--api-key',
    apiKey,
    '--name',
    name,
    '--region',
    'eu-west-1',
    '--state-dir',
    dir.path,
    '--failure-rate',
    '0',
    ...args,
  ]);
  return {
    agent,
    async stop() {
      agent.child.kill('SIGTERM');
      await exitOf(agent);
      await dir.remove();
    },
  };
}

/** How often a test's agent looks for work and heartbeats: a deployment starts at once. */
export const QUICK_POLLING = ['--poll-interval', '100ms', '--heartbeat-interval', '200ms'];

/** What the simulated executor reports for a deployment of billing-api 1.0.0 that succeeds. */
export const SIMULATED_SUCCESS_LOGS = [
  'INFO Pulling image billing-api:1.0.0.',
  'INFO Pulled image billing-api:1.0.0.',
  'INFO Starting billing-api 1.0.0 (production).',
  'INFO Started billing-api 1.0.0.',
  'INFO Checking the health of billing-api.',
  'INFO Health check passed.',
  'INFO Deployment succeeded.',
];

/**
 * A new organization's agent for a new node, at work on one deployment (`--once`): the node is
 * ONLINE and the deployment created when this returns. The agent reaches the gateway at
 * `gateway` (a hop in between, say), `args` add options; `stop` ends it if it still runs.
 */
export async function agentAtWork(url: string, args: string[], gateway = url) {
  const admin = await signUp(url);
  const developer = await addUser(url, admin, 'DEVELOPER');
  const name = unique('agent-');
  const apiKey = await createApiKey(url, admin, 'OPERATOR');
  const { agent, stop } = await startNodeAgent(gateway, apiKey, name, [
    '--once',
    ...QUICK_POLLING,
    ...args,
  ]);
  const node = await onlineNode(url, developer, name);
  const deployment = await createDeployment(url, developer.headers, { nodeId: node.id });
  return { agent, developer, deployment, stop };
}

export async function tempStateDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'opsgraph-agent-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** An ADMIN creates an API key with `role`; returns its id (to revoke it) and its secret. */
export async function createApiKeyWithId(url: string, admin: SignedIn, role: Role = 'OPERATOR') {
  const response = await graphql(
    url,
    CreateApiKeyDocument,
    { input: { name: 'node agent', role } },
    admin.headers,
  );
  if (!response.data?.createApiKey)
    throw new Error(`createApiKey failed: ${JSON.stringify(response.errors)}`);
  const { apiKey, secret } = response.data.createApiKey;
  return { id: apiKey.id, secret };
}

/** An ADMIN creates an API key with `role`; returns its secret. */
export const createApiKey = async (url: string, admin: SignedIn, role: Role = 'OPERATOR') =>
  (await createApiKeyWithId(url, admin, role)).secret;

/** The organization's nodes called `name` (as `viewer` sees them). */
export async function nodesNamed(url: string, viewer: SignedIn, name: string) {
  const response = await graphql(url, AgentNodesDocument, {}, viewer.headers);
  return response.data!.nodes.edges.map((edge) => edge.node).filter((node) => node.name === name);
}

export async function deploymentWithEvents(url: string, viewer: SignedIn, id: string) {
  const response = await graphql(url, DeploymentWithEventsDocument, { id }, viewer.headers);
  if (!response.data?.deployment)
    throw new Error(`deployment failed: ${JSON.stringify(response.errors)}`);
  const { status, events } = response.data.deployment;
  const all = events.edges.map((edge) => edge.node);
  return {
    status,
    /** The log lines, in order, as `LEVEL message`. */
    logs: all.filter((e) => e.type === 'LOG').map((e) => `${e.level} ${e.message}`),
    /** The statuses it went through, in order. */
    statuses: all.filter((e) => e.type === 'STATUS_CHANGED').map((e) => e.status),
    last: all.at(-1),
  };
}

/** Waits until the node called `name` is ONLINE (its agent heartbeats), then returns it. */
export async function onlineNode(url: string, viewer: SignedIn, name: string) {
  let node: Awaited<ReturnType<typeof nodesNamed>>[number] | undefined;
  await waitFor(async () => {
    [node] = await nodesNamed(url, viewer, name);
    return node?.status === 'ONLINE';
  }, 20_000);
  return node!;
}

/**
 * A real HTTP hop between an agent and the gateway that forwards every request, except that it
 * drops the connection, after the gateway answered, instead of answering the requests `drop`
 * picks: a response lost on the way back. `rewrite` changes a request's body on its way: what a
 * faulty agent would send. WebSocket upgrades (subscriptions) are forwarded while
 * `websockets()` says so (by default never: the socket is unavailable); `dropWebSockets` cuts
 * those that are open. `holdSubscriptionsMs` delays what a WebSocket client sends after its first
 * message (connection_init): the moment between a connection and its subscription going live
 * upstream, widened.
 */
export async function startProxy(
  gatewayUrl: string,
  options: {
    port?: number;
    drop?: (body: string) => boolean;
    rewrite?: (body: string) => string;
    websockets?: () => boolean;
    holdSubscriptionsMs?: number;
  } = {},
) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      for (const name of ['authorization', 'x-api-key']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = await fetch(gatewayUrl, {
        method: 'POST',
        headers,
        body: options.rewrite?.(body) ?? body,
      });
      const text = await upstream.text();
      if (options.drop?.(body)) {
        req.socket.destroy();
        return;
      }
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(text);
    });
  });
  const tunnels = new Set<Socket>();
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    if (!options.websockets?.()) {
      socket.destroy();
      return;
    }
    const target = new URL(gatewayUrl);
    const upstream = connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${target.pathname} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket);
      let first = true;
      socket.on('data', (chunk: Buffer) => {
        if (first || !options.holdSubscriptionsMs) upstream.write(chunk);
        else setTimeout(() => upstream.write(chunk), options.holdSubscriptionsMs);
        first = false;
      });
    });
    for (const end of [socket, upstream]) {
      tunnels.add(end);
      end.on('error', () => undefined);
      end.on('close', () => {
        tunnels.delete(end);
        socket.destroy();
        upstream.destroy();
      });
    }
  });
  const dropWebSockets = () => {
    for (const socket of tunnels) socket.destroy();
  };
  const url = await listen(server, '127.0.0.1', options.port ?? 0);
  return {
    url: `${url}/graphql`,
    dropWebSockets,
    close: () => {
      dropWebSockets();
      server.closeAllConnections();
      return closeHttpServer(server);
    },
  };
}
