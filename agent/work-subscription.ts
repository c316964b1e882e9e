/**
 * Learns about new work from the gateway's `deploymentUpdated` subscription (graphql-ws, with
 * the node token: the node's own deployments), so a queued deployment is claimed at once rather
 * than at the next poll.
 *
 * Each connection starts from `deploymentUpdatedHead`, read before it connects: what was queued
 * until then is found by the claim the connection wakes the work loop for, and every change after
 * it is replayed by the subscription, even one made before the subscription went live upstream,
 * so nothing falls between the claim and the stream. While the socket is down the trigger polls
 * at the poll interval; while subscribed a slow safety poll remains for what no stream reports
 * (a claim that failed). The connection is retried with the agent's backoff, and made again with
 * the fresh token whenever the node token is renewed or the gateway ends the subscription
 * because the token expired.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { Logger } from '../platform/logger';
import { backoffDelay } from './backoff';
import type { NodeSession } from './node-session';
import type { DeploymentUpdate } from './run-deployment';
import type { WorkTrigger } from './work-loop';

/** The safety poll while subscribed: never more often than the fallback poll. */
export const SAFETY_POLL_MS = 30_000;

/** graphql-ws closes with this code when the gateway refuses the token at connection_init. */
const FORBIDDEN_CLOSE = 4403;

// nodeId omitted: a node token follows its own node's deployments.
const WORK = `subscription AgentWork($after: String) {
  deploymentUpdated(after: $after) { id status }
}`;
const WORK_HEAD = `query AgentWorkHead { deploymentUpdatedHead }`;

interface WorkEvent {
  deploymentUpdated: DeploymentUpdate;
}

export interface SubscriptionTrigger extends WorkTrigger {
  /**
   * Calls `listener` with every status change of the node's deployments the subscription
   * brings (e.g. a user cancelling the one being run); returns a function that stops it.
   */
  onDeploymentUpdated(listener: (update: DeploymentUpdate) => void): () => void;
  /** Closes the subscription and stops reconnecting. */
  close(): Promise<void>;
}

/** How one connection ended. */
type Ended =
  { kind: 'renewed' } | { kind: 'refused'; reason: string } | { kind: 'failed'; reason: string };

/** The gateway's WebSocket URL: its GraphQL URL with ws:// or wss://. */
export function webSocketUrl(gateway: string): string {
  const url = new URL(gateway);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  const { code, reason, message } = (error ?? {}) as {
    code?: unknown;
    reason?: unknown;
    message?: unknown;
  };
  if (typeof code === 'number') return `closed with ${code}${reason ? ` (${String(reason)})` : ''}`;
  return typeof message === 'string' ? message : String(error);
}

const errorCode = (result: FormattedExecutionResult<WorkEvent, unknown>) =>
  result.errors?.[0]?.extensions?.code;

export function createSubscriptionTrigger(deps: {
  /** The gateway's GraphQL endpoint (http:// or https://). */
  gateway: string;
  session: NodeSession;
  /** The fallback poll while the socket is down. */
  pollIntervalMs: number;
  safetyPollMs?: number;
  logger: Logger;
}): SubscriptionTrigger {
  const { session, logger, pollIntervalMs } = deps;
  const url = webSocketUrl(deps.gateway);
  const safetyPollMs = Math.max(pollIntervalMs, deps.safetyPollMs ?? SAFETY_POLL_MS);
  const closing = new AbortController();

  let subscribed = false;
  const listeners = new Set<(update: DeploymentUpdate) => void>();
  /** Work announced while the loop was busy: the next wait returns at once. */
  let pending = false;
  /** The current wait: `done` ends it, `arm` restarts its timer (when the state changed). */
  let waiting: { done(): void; arm(): void } | null = null;

  const wake = () => {
    pending = true;
    waiting?.done();
  };
  const setSubscribed = (value: boolean) => {
    if (subscribed === value) return;
    subscribed = value;
    waiting?.arm();
  };

  /** One connection and subscription with the current token, until it ends. */
  async function subscribeOnce(token: string, after: string): Promise<Ended> {
    let end!: (ended: Ended) => void;
    const ended = new Promise<Ended>((resolve) => (end = resolve));
    const stopListening = session.onRenewed((fresh) => {
      if (fresh !== token) end({ kind: 'renewed' });
    });
    const onClosing = () => end({ kind: 'failed', reason: 'closing' });
    closing.signal.addEventListener('abort', onClosing, { once: true });
    if (closing.signal.aborted) onClosing();
    /** Why the socket failed, which its close event (1006) does not say. */
    let socketError: string | null = null;
    let refusedReason: string | null = null;
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      // Reconnecting is ours to do: with a fresh token, after our backoff.
      retryAttempts: 0,
      lazy: true,
      on: {
        error: (error) => {
          socketError = describe(error);
        },
        connected: () => {
          logger.info({ url }, 'subscribed to new work');
          setSubscribed(true);
          // Catches up on what was queued while the subscription was down.
          wake();
        },
      },
    });
    client.subscribe<WorkEvent>(
      { query: WORK, variables: { after } },
      {
        next: (result) => {
          const update = result.data?.deploymentUpdated;
          if (update) {
            for (const listener of listeners) listener(update);
            if (update.status !== 'QUEUED') return;
            logger.debug({ deploymentId: update.id }, 'work queued');
            wake();
          } else if (errorCode(result) === 'UNAUTHENTICATED') {
            refusedReason = result.errors?.[0]?.message ?? 'UNAUTHENTICATED';
          } else {
            logger.warn({ errors: result.errors }, 'the work subscription failed');
          }
        },
        error: (error) => {
          const closeCode = (error as { code?: unknown } | null)?.code;
          const reason = socketError ?? describe(error);
          end({ kind: closeCode === FORBIDDEN_CLOSE ? 'refused' : 'failed', reason });
        },
        complete: () =>
          end(
            refusedReason !== null
              ? { kind: 'refused', reason: refusedReason }
              : { kind: 'failed', reason: 'the gateway ended the subscription' },
          ),
      },
    );
    try {
      return await ended;
    } finally {
      stopListening();
      closing.signal.removeEventListener('abort', onClosing);
      await client.dispose();
    }
  }

  /** Keeps one subscription up until closed. */
  const following = (async () => {
    const { signal } = closing;
    let failures = 0;
    /** Whether the agent already said it is polling (once per outage, not per attempt). */
    let saidDown = false;
    while (!signal.aborted) {
      let ended: Ended;
      try {
        const { deploymentUpdatedHead } = await session.request<{ deploymentUpdatedHead: string }>(
          WORK_HEAD,
          {},
          signal,
        );
        const token = await session.token(signal);
        ended = await subscribeOnce(token, deploymentUpdatedHead);
        if (ended.kind === 'refused') session.refused(token);
      } catch (error) {
        // No head or no token to subscribe with (the gateway is unreachable, or the API refuses
        // the node: heartbeats stop the agent).
        ended = { kind: 'failed', reason: describe(error) };
      }
      const wasSubscribed = subscribed;
      setSubscribed(false);
      if (signal.aborted) break;
      if (ended.kind === 'renewed') {
        logger.info('node token renewed; subscribing again with it');
        failures = 0;
        continue;
      }
      // A connection that worked starts a fresh series of attempts.
      if (wasSubscribed) {
        failures = 0;
        saidDown = false;
      }
      const delayMs = backoffDelay(failures++);
      if (ended.kind === 'refused') {
        logger.info({ reason: ended.reason, delayMs }, 'node token refused; subscribing again');
      } else if (!saidDown) {
        saidDown = true;
        logger.warn(
          { reason: ended.reason, pollIntervalMs, delayMs },
          wasSubscribed
            ? 'work subscription lost; polling until it is back'
            : 'work subscription unavailable; polling until it is back',
        );
      } else {
        logger.debug(
          { reason: ended.reason, attempt: failures, delayMs },
          'work subscription retry failed',
        );
      }
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    }
  })();

  return {
    onDeploymentUpdated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    wait(signal) {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const finish = () => {
          clearTimeout(timer);
          waiting = null;
          signal.removeEventListener('abort', abort);
        };
        const abort = () => {
          finish();
          reject(signal.reason);
        };
        const done = () => {
          finish();
          pending = false;
          resolve();
        };
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(done, subscribed ? safetyPollMs : pollIntervalMs);
        };
        if (signal.aborted) return abort();
        signal.addEventListener('abort', abort, { once: true });
        waiting = { done, arm };
        arm();
      });
    },
    async close() {
      closing.abort();
      await following;
    },
  };
}
