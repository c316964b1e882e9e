/**
 * Every change to a deployment goes through here, inside the transaction that holds its row: the
 * status change and its STATUS_CHANGED event are written together, events are numbered from the
 * row's counter (so numbers never repeat or skip), and the changes are collected to be announced
 * once the transaction has committed.
 */
import type { EntityManager } from '../../kit/orm';
import type { Deployment, DeploymentStatus } from '../entities/deployment';
import { DeploymentEvent, type LogLevel } from '../entities/deployment-event';
import type { DeploymentUpdatedEvent } from '../pubsub';
import { assertTransition, levelOf, type TransitionCause } from './state-machine';

/** What a transaction changed, to announce after it commits. */
export interface Changes {
  statusChanges: {
    deployment: Deployment;
    previousStatus: DeploymentStatus | null;
    /** The stored change record's event (announce.ts recordUpdates), to publish. */
    event?: DeploymentUpdatedEvent;
  }[];
  events: { deployment: Deployment; event: DeploymentEvent }[];
}

export const noChanges = (): Changes => ({ statusChanges: [], events: [] });

export function appendLog(
  em: EntityManager,
  changes: Changes,
  deployment: Deployment,
  log: { level: LogLevel; message: string },
): void {
  append(em, changes, deployment, 'LOG', log.level, log.message, null);
}

/** Records a new (QUEUED) deployment with its first event. */
export function recordQueued(
  em: EntityManager,
  changes: Changes,
  deployment: Deployment,
  message: string,
): void {
  em.persist(deployment);
  changes.statusChanges.push({ deployment, previousStatus: null });
  append(em, changes, deployment, 'STATUS_CHANGED', 'INFO', message, deployment.status);
}

/** Moves a deployment to `to` if the state machine allows it (else CONFLICT). */
export function changeStatus(
  em: EntityManager,
  changes: Changes,
  deployment: Deployment,
  to: DeploymentStatus,
  options: { message?: string; cause?: TransitionCause } = {},
): void {
  const from = deployment.status;
  assertTransition(from, to, options.cause);
  const now = new Date();
  deployment.status = to;
  if (to === 'RUNNING') deployment.startedAt = now;
  if (to === 'SUCCEEDED' || to === 'FAILED' || to === 'CANCELLED') deployment.finishedAt = now;
  // Only a RUNNING deployment holds a lease; its claim or report sets it (leases.ts).
  if (to !== 'RUNNING') deployment.leaseExpiresAt = null;
  changes.statusChanges.push({ deployment, previousStatus: from });
  append(
    em,
    changes,
    deployment,
    'STATUS_CHANGED',
    levelOf(to),
    options.message ?? `Status changed from ${from} to ${to}.`,
    to,
  );
}

function append(
  em: EntityManager,
  changes: Changes,
  deployment: Deployment,
  type: DeploymentEvent['type'],
  level: LogLevel,
  message: string,
  status: DeploymentStatus | null,
): void {
  deployment.lastEventSequence += 1;
  const event = new DeploymentEvent(
    deployment.id,
    deployment.lastEventSequence,
    type,
    level,
    message,
    status,
  );
  em.persist(event);
  changes.events.push({ deployment, event });
}
