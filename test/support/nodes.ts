/** Seed builders for nodes: Ed25519 key pairs, registration and authentication by signature. */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { connectChannels } from '../../platform/redis';
import {
  AuthenticateNodeDocument,
  HeartbeatDocument,
  RegisterNodeDocument,
  type HeartbeatInput,
  type NodeFieldsFragment,
  type RegisterNodeInput,
} from '../__generated__/graphql';
import { bearer, graphql } from './graphql';
import { unique, type SignedIn } from './seed';

export interface NodeKeys {
  /** Base64 of the raw 32-byte public key, as registerNode expects it. */
  publicKey: string;
  privateKey: KeyObject;
}

export function generateNodeKeys(): NodeKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  return { publicKey: Buffer.from(x!, 'base64url').toString('base64'), privateKey };
}

/** authenticateNode's input, signed by `keys` (now, unless a timestamp is given). */
export function signedAuthInput(keys: NodeKeys, nodeId: string, timestamp = String(Date.now())) {
  const message = Buffer.from(`opsgraph-node-auth:${nodeId}:${timestamp}`, 'utf8');
  return { nodeId, timestamp, signature: sign(null, message, keys.privateKey).toString('base64') };
}

export interface RegisteredNode {
  node: NodeFieldsFragment;
  keys: NodeKeys;
}

/** registerNode's input for a node with this key: a fresh name, and `input` over the defaults. */
export const registerNodeInput = (
  publicKey: string,
  input: Partial<Omit<RegisterNodeInput, 'publicKey'>> = {},
): RegisterNodeInput => ({
  name: unique('node-'),
  kind: 'VM',
  region: 'eu-west-1',
  labels: [],
  ...input,
  publicKey,
});

/** An OPERATOR (or ADMIN) registers a node with a fresh key pair. */
export async function registerNode(
  url: string,
  operator: Pick<SignedIn, 'headers'>,
  input: Partial<Omit<RegisterNodeInput, 'publicKey'>> = {},
): Promise<RegisteredNode> {
  const keys = generateNodeKeys();
  const response = await graphql(
    url,
    RegisterNodeDocument,
    { input: registerNodeInput(keys.publicKey, input) },
    operator.headers,
  );
  if (!response.data?.registerNode)
    throw new Error(`registerNode failed: ${JSON.stringify(response.errors)}`);
  return { node: response.data.registerNode, keys };
}

export interface NodeSession {
  token: string;
  expiresAt: string;
  headers: Record<string, string>;
}

/** The node agent's side: sign, authenticate, get a node token. */
export async function authenticateNode(url: string, node: RegisteredNode): Promise<NodeSession> {
  const response = await graphql(url, AuthenticateNodeDocument, {
    input: signedAuthInput(node.keys, node.node.id),
  });
  if (!response.data?.authenticateNode)
    throw new Error(`authenticateNode failed: ${JSON.stringify(response.errors)}`);
  const { token, expiresAt } = response.data.authenticateNode;
  return { token, expiresAt, headers: bearer(token) };
}

export async function heartbeat(
  url: string,
  session: Pick<NodeSession, 'headers'>,
  metrics: Partial<HeartbeatInput> = {},
) {
  const response = await graphql(
    url,
    HeartbeatDocument,
    {
      input: { cpuPercent: 10, memoryPercent: 20, diskPercent: 30, version: '0.1.0', ...metrics },
    },
    session.headers,
  );
  if (!response.data?.heartbeat)
    throw new Error(`heartbeat failed: ${JSON.stringify(response.errors)}`);
  return response.data.heartbeat;
}

export interface NodeStatusEvent {
  nodeId: string;
  organizationId: string;
  status: string;
  previousStatus: string | null;
  changedAt: string;
}

/**
 * Listens on Redis, as any service may, to the NODE_STATUS_CHANGED events of a stack (through the
 * kit's channels: one Redis, a cluster or Sentinel alike).
 */
export async function listenToNodeEvents(redisUrl: string, redisPrefix: string) {
  const channels = connectChannels(redisUrl);
  const events: NodeStatusEvent[] = [];
  await channels.subscribe(`${redisPrefix}NODE_STATUS_CHANGED`, (message) =>
    events.push(JSON.parse(message) as NodeStatusEvent),
  );
  return {
    events,
    /** The events of one node, without their timestamps, oldest first. */
    of: (nodeId: string) =>
      events
        .filter((event) => event.nodeId === nodeId)
        .map(({ previousStatus, status }) => `${previousStatus ?? '∅'}→${status}`),
    close: () => channels.close(),
  };
}

export const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
