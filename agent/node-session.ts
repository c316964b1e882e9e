/**
 * The node's identity towards the API: registration (once, with an operator's credentials) and
 * node tokens obtained by signature, renewed before they expire.
 */
import type { Logger } from '../platform/logger';
import type { AgentOptions, RegistrationCredentials } from './args';
import { retry } from './backoff';
import { AgentFatalError } from './errors';
import { GatewayError, hasCode, isTransient, type GatewayClient } from './gateway-client';
import {
  loadOrCreateKey,
  readRegistration,
  saveRegistration,
  UnreadableRegistrationError,
  type NodeKey,
  type Registration,
} from './state-dir';

const REGISTER = `
  mutation AgentRegisterNode($input: RegisterNodeInput!) {
    registerNode(input: $input) { id status }
  }`;

const AUTHENTICATE = `
  mutation AgentAuthenticateNode($input: AuthenticateNodeInput!) {
    authenticateNode(input: $input) { token expiresAt node { id name status } }
  }`;

/** Renew once this share of a token's lifetime has passed, well before it expires. */
const RENEW_AFTER_SHARE = 0.8;

/** Retries transport trouble with backoff, logging each retry; API answers are final. */
export function retryTransient<T>(
  logger: Logger,
  what: string,
  operation: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  return retry(operation, {
    retryable: isTransient,
    waitFor: (error) => (isTransient(error) ? error.retryAfterMs : undefined),
    onRetry: (error, attempt, delayMs) =>
      logger.warn({ err: error, attempt: attempt + 1, delayMs }, `${what} failed; retrying`),
    signal,
  });
}

export interface NodeSession {
  readonly nodeId: string;
  /** Gets a fresh node token (retrying transport failures). */
  authenticate(signal?: AbortSignal): Promise<void>;
  /** One request with the node token, renewed first when it is about to expire. */
  request<T>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<T>;
  /** The node token for a connection of its own (a subscription), renewed like `request`'s. */
  token(signal?: AbortSignal): Promise<string>;
  /** The API refused `token` (expired, rotated keys): the next one is fresh. */
  refused(token: string): void;
  /** Calls `listener` with every new token; returns a function that stops listening. */
  onRenewed(listener: (token: string) => void): () => void;
}

export function createNodeSession(deps: {
  client: GatewayClient;
  key: NodeKey;
  nodeId: string;
  logger: Logger;
}): NodeSession {
  const { client, key, nodeId, logger } = deps;
  let current: { token: string; renewAt: number } | null = null;
  let pending: Promise<string> | null = null;
  const listeners = new Set<(token: string) => void>();

  async function authenticateOnce(signal?: AbortSignal): Promise<string> {
    const payload = await retryTransient(
      logger,
      'authenticateNode',
      () => {
        // A fresh timestamp per attempt: the API accepts each signature only once.
        const timestamp = String(Date.now());
        const signature = key.sign(`opsgraph-node-auth:${nodeId}:${timestamp}`);
        return client.request<{
          authenticateNode: { token: string; expiresAt: string; node: { status: string } };
        }>(AUTHENTICATE, { input: { nodeId, timestamp, signature } }, {}, signal);
      },
      signal,
    );
    const { token, expiresAt, node } = payload.authenticateNode;
    const now = Date.now();
    const lifetime = Math.max(0, new Date(expiresAt).getTime() - now);
    current = { token, renewAt: now + lifetime * RENEW_AFTER_SHARE };
    logger.info({ nodeId, status: node.status, expiresAt }, 'authenticated');
    for (const listener of listeners) listener(token);
    return token;
  }

  /** One authentication at a time, shared by every caller that needs a token meanwhile. */
  function renew(signal?: AbortSignal): Promise<string> {
    pending ??= authenticateOnce(signal).finally(() => {
      pending = null;
    });
    return pending;
  }

  /** Forgets a refused token, unless a newer one already replaced it. */
  function refused(bearer: string): void {
    if (current?.token === bearer) current = null;
  }

  async function token(signal?: AbortSignal): Promise<string> {
    if (current && Date.now() < current.renewAt) return current.token;
    return renew(signal);
  }

  return {
    nodeId,
    authenticate: async (signal) => {
      await renew(signal);
    },
    async request<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal) {
      const send = async (bearer: string) =>
        client.request<T>(query, variables, { authorization: `Bearer ${bearer}` }, signal);
      const bearer = await token(signal);
      try {
        return await send(bearer);
      } catch (error) {
        // Refused before anything happened (an expired or rotated token): sending again is safe.
        if (!hasCode(error, 'UNAUTHENTICATED')) throw error;
        refused(bearer);
        return send(await token(signal));
      }
    },
    token,
    refused,
    onRenewed(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function credentialHeaders(credentials: RegistrationCredentials): Record<string, string> {
  return 'apiKey' in credentials
    ? { 'x-api-key': credentials.apiKey }
    : { authorization: `Bearer ${credentials.token}` };
}

/**
 * Registers the node with the operator's credentials. A key that is already registered (an
 * earlier run lost its registration file, or this is a reinstall) fails with CONFLICT naming the
 * node: that node is ours, since we hold its key.
 */
async function registerNode(
  deps: { client: GatewayClient; key: NodeKey; logger: Logger; options: AgentOptions },
  credentials: RegistrationCredentials,
  signal?: AbortSignal,
): Promise<string> {
  const { client, key, logger, options } = deps;
  const headers = credentialHeaders(credentials);
  const input = {
    name: options.name,
    kind: options.kind,
    region: options.region,
    labels: options.labels,
    publicKey: key.publicKey,
  };
  let nodeId: string;
  try {
    const data = await retryTransient(
      logger,
      'registerNode',
      () => client.request<{ registerNode: { id: string } }>(REGISTER, { input }, headers, signal),
      signal,
    );
    nodeId = data.registerNode.id;
    logger.info({ nodeId, node: options.name }, 'registered the node');
  } catch (error) {
    const existing = error instanceof GatewayError ? error.extensions.nodeId : undefined;
    if (!hasCode(error, 'CONFLICT') || typeof existing !== 'string') {
      throw error instanceof GatewayError
        ? new AgentFatalError(`Could not register the node: ${error.message} (${error.code})`)
        : error;
    }
    nodeId = existing;
    logger.info({ nodeId }, 'this key is already registered; using its node');
  }
  await saveRegistration(options.stateDir, {
    nodeId,
    gateway: client.url,
    name: options.name,
    registeredAt: new Date().toISOString(),
  });
  return nodeId;
}

/**
 * The registration an earlier run saved, or null. One that cannot be read (a crash while it was
 * written, a full disk) is as good as missing when credentials are at hand: registering again
 * with the node's key finds the node (CONFLICT naming it) and saves the registration afresh.
 */
async function savedRegistration(deps: {
  logger: Logger;
  options: AgentOptions;
}): Promise<Registration | null> {
  const { logger, options } = deps;
  try {
    return await readRegistration(options.stateDir);
  } catch (error) {
    if (!(error instanceof UnreadableRegistrationError)) throw error;
    if (!options.credentials) {
      throw new AgentFatalError(
        `${error.message} Pass --api-key or --token (OPERATOR or ADMIN) to register the node again.`,
      );
    }
    logger.warn(
      { reason: error.message },
      'the saved registration is unreadable; registering again',
    );
    return null;
  }
}

/**
 * An authenticated session for this machine's node: the saved registration, else a new one.
 * When the saved node cannot authenticate and credentials are at hand, the registration is tried
 * again: it may belong to another installation of opsgraph (or a reset database).
 */
export async function connectNode(
  deps: { client: GatewayClient; logger: Logger; options: AgentOptions },
  signal?: AbortSignal,
): Promise<NodeSession> {
  const { client, logger, options } = deps;
  const { credentials, stateDir } = options;
  const saved = await savedRegistration(deps);
  if (!saved && !credentials) {
    throw new AgentFatalError(
      `No node is registered in ${stateDir} yet: pass --api-key or --token (OPERATOR or ADMIN) to register it.`,
    );
  }
  const key = await loadOrCreateKey(stateDir, logger);
  const withKey = { ...deps, key };
  if (saved) logger.info({ nodeId: saved.nodeId }, 'using the saved node registration');
  const nodeId = saved?.nodeId ?? (await registerNode(withKey, credentials!, signal));
  const session = createNodeSession({ client, key, nodeId, logger });
  try {
    await session.authenticate(signal);
    return session;
  } catch (error) {
    if (!hasCode(error, 'UNAUTHENTICATED')) throw error;
    const again = saved && credentials ? await registerNode(withKey, credentials, signal) : nodeId;
    // Still the same node: it exists with our key, and refuses us (decommissioned, clock skew).
    if (again === nodeId) {
      throw new AgentFatalError(`Node ${nodeId} cannot authenticate: ${error.message}`);
    }
    const fresh = createNodeSession({ client, key, nodeId: again, logger });
    await fresh.authenticate(signal);
    return fresh;
  }
}
