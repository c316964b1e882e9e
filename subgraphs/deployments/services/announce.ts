/**
 * After a transaction commits: invalidate the stats of the organizations whose counts changed
 * and publish the documented events (docs/events.md), in the order they happened. The change is
 * already stored, so a Redis failure is logged rather than failing the mutation: subscribers
 * replay missed deployment events from PostgreSQL anyway.
 */
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
): DeploymentUpdatedEvent {
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

export async function announce(ctx: DeploymentsContext, changes: Changes): Promise<void> {
  const { pubsub, statsCache } = ctx.deps;
  const organizations = new Set(changes.statusChanges.map((c) => c.deployment.organizationId));
  // Publishing is issued synchronously, in order, on one connection: subscribers see the
  // events in the order they were stored.
  const results = await Promise.allSettled([
    ...[...organizations].map((organizationId) => statsCache.invalidate(organizationId)),
    ...changes.statusChanges.map(({ deployment, previousStatus }) =>
      pubsub.publish('DEPLOYMENT_UPDATED', updatedEvent(deployment, previousStatus)),
    ),
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
