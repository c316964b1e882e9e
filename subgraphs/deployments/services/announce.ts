/**
 * After a transaction commits: publish the documented events (docs/events.md), in the order
 * they happened. The change is already stored, so a Redis failure is logged rather than failing
 * the mutation: subscribers replay missed deployment events from PostgreSQL anyway.
 */
import { appendChanges, changeCursor } from '../../kit/change-log';
import type { EntityManager } from '../../kit/orm';
import type { DeploymentsContext } from '../context';
import type { Deployment, DeploymentStatus } from '../entities/deployment';
import type { DeploymentEvent } from '../entities/deployment-event';
import type { DeploymentEventAppendedEvent, DeploymentUpdatedEvent } from '../pubsub';
import { eventCursor } from './events-service';
import type { Changes } from './history';

const iso = (date: Date | null) => date?.toISOString() ?? null;

function updatedEvent(
  deployment: Deployment,
  previousStatus: DeploymentStatus | null,
): Omit<DeploymentUpdatedEvent, 'position' | 'changeCursor'> {
  return {
    id: deployment.id,
    organizationId: deployment.organizationId,
    nodeId: deployment.nodeId,
    application: deployment.application,
    version: deployment.version,
    environment: deployment.environment,
    status: deployment.status,
    previousStatus,
    triggeredBy: deployment.triggeredBy,
    rollbackOf: deployment.rollbackOf,
    createdAt: deployment.createdAt.toISOString(),
    startedAt: iso(deployment.startedAt),
    finishedAt: iso(deployment.finishedAt),
  };
}

function appendedEvent(
  deployment: Deployment,
  event: DeploymentEvent,
): DeploymentEventAppendedEvent {
  return {
    id: event.id,
    organizationId: deployment.organizationId,
    nodeId: deployment.nodeId,
    deploymentId: deployment.id,
    sequence: event.sequence,
    cursor: eventCursor(event),
    type: event.type,
    status: event.status,
    level: event.level,
    message: event.message,
    createdAt: event.createdAt.toISOString(),
  };
}

/**
 * Stores the transaction's status changes as change records of their organizations' streams
 * (kit/change-log), for deploymentUpdated to replay. Call it last in the transaction: it flushes
 * first, so the head rows are locked only from there to the commit.
 */
export async function recordUpdates(em: EntityManager, changes: Changes): Promise<void> {
  await em.flush();
  const payloads = changes.statusChanges.map(({ deployment, previousStatus }) =>
    updatedEvent(deployment, previousStatus),
  );
  const positions = await appendChanges(
    em,
    'deployments',
    'DEPLOYMENT_UPDATED',
    payloads.map((payload) => ({ stream: payload.organizationId, payload })),
  );
  changes.statusChanges.forEach((change, i) => {
    const position = positions[i]!;
    change.event = {
      ...payloads[i]!,
      position,
      changeCursor: changeCursor('DEPLOYMENT_UPDATED', payloads[i]!.organizationId, position),
    };
  });
}

export async function announce(
  ctx: Pick<DeploymentsContext, 'deps' | 'logger'>,
  changes: Changes,
): Promise<void> {
  const { pubsub } = ctx.deps;
  // Publishing is issued synchronously, in order, on one connection: subscribers see the
  // events in the order they were stored.
  const results = await Promise.allSettled([
    ...changes.statusChanges.map(({ event }) => pubsub.publish('DEPLOYMENT_UPDATED', event!)),
    ...changes.events.map(({ deployment, event }) =>
      pubsub.publish('DEPLOYMENT_EVENT_APPENDED', appendedEvent(deployment, event)),
    ),
  ]);
  for (const result of results) {
    if (result.status === 'rejected') {
      ctx.logger.error({ err: result.reason }, 'could not announce a deployment change');
    }
  }
}
