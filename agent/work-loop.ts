/**
 * Finds work: claims the node's next deployment whenever the trigger says work may be waiting,
 * runs it, and looks again at once (more may be queued). The trigger is the deploymentUpdated
 * subscription (work-subscription.ts), or polling alone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../platform/logger';
import { hasCode } from './gateway-client';
import { AgentFatalError } from './errors';
import { retryTransient, type NodeSession } from './node-session';
import type { ClaimedDeployment } from './run-deployment';

export interface WorkTrigger {
  /** Resolves when it is time to look for work; rejects when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void>;
}

export function createPollingTrigger(intervalMs: number): WorkTrigger {
  return { wait: (signal) => sleep(intervalMs, undefined, { signal }) };
}

const CLAIM = `
  mutation AgentClaimDeployment {
    claimDeployment {
      id application version environment
      events(last: 1) { pageInfo { endCursor } }
    }
  }`;

interface ClaimResult {
  claimDeployment: {
    id: string;
    application: string;
    version: string;
    environment: string;
    events: { pageInfo: { endCursor: string | null } };
  } | null;
}

/**
 * The node's next deployment, now RUNNING for us, or null. Retried on transport failures: a
 * retry never hands out a deployment twice, but a claim whose answer was lost leaves that
 * deployment RUNNING without an agent (node tokens cannot list their deployments to adopt it;
 * a user cancels it).
 */
export async function claimNext(
  session: NodeSession,
  logger: Logger,
  signal: AbortSignal,
): Promise<ClaimedDeployment | null> {
  const data = await retryTransient(
    logger,
    'claimDeployment',
    () => session.request<ClaimResult>(CLAIM, {}, signal),
    signal,
  );
  const claimed = data.claimDeployment;
  if (!claimed) return null;
  const { events, ...job } = claimed;
  return { ...job, cursor: events.pageInfo.endCursor };
}

export async function runWorkLoop(deps: {
  trigger: WorkTrigger;
  claim(signal: AbortSignal): Promise<ClaimedDeployment | null>;
  run(deployment: ClaimedDeployment): Promise<unknown>;
  /** Stop after one deployment. */
  once: boolean;
  signal: AbortSignal;
  logger: Logger;
}): Promise<void> {
  const { signal, logger } = deps;
  while (!signal.aborted) {
    let claimed: ClaimedDeployment | null = null;
    try {
      claimed = await deps.claim(signal);
    } catch (error) {
      if (signal.aborted) return;
      // The node cannot authenticate any more (decommissioned): nothing left to do.
      if (hasCode(error, 'UNAUTHENTICATED')) {
        throw new AgentFatalError(`The API refuses this node: ${error.message}`);
      }
      logger.error({ err: error }, 'claiming a deployment failed');
    }
    if (claimed) {
      await deps.run(claimed);
      if (deps.once) return;
      continue;
    }
    await deps.trigger.wait(signal).catch(() => undefined);
  }
}
