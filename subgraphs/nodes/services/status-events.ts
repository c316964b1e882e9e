import { appendChanges, changeCursor } from '../../kit/change-log';
import { publishEach } from '../../kit/pubsub';
import type { Logger } from '../../../platform/logger';
import type { EntityManager } from '../../kit/orm';
import type { Node, NodeStatus } from '../entities/node';
import type { NodesPubSub, NodeStatusChangedEvent } from '../pubsub';

/** A node as a status change leaves it: what the change record stores of it. */
export type ChangedNode = Pick<
  Node,
  | 'id'
  | 'organizationId'
  | 'status'
  | 'statusChangedAt'
  | 'lastHeartbeatAt'
  | 'cpuPercent'
  | 'memoryPercent'
  | 'diskPercent'
  | 'agentVersion'
>;

export interface StatusChange {
  node: ChangedNode;
  previousStatus: NodeStatus | null;
}

/**
 * Stores status changes as change records of their organizations' streams (kit/change-log), for
 * nodeStatusChanged to replay, and returns the events to publish once committed. Call it last in
 * the transaction that makes the changes: it flushes first, so the head rows stay locked only
 * from there to the commit.
 */
export async function recordStatusChanges(
  em: EntityManager,
  changes: StatusChange[],
): Promise<NodeStatusChangedEvent[]> {
  await em.flush();
  const payloads = changes.map(({ node, previousStatus }) => ({
    nodeId: node.id,
    organizationId: node.organizationId,
    status: node.status,
    previousStatus,
    changedAt: node.statusChangedAt.toISOString(),
    // The heartbeat readings as of the change: the event shows the node as the change left it,
    // however many heartbeats have come since (nodeOf).
    lastHeartbeatAt: node.lastHeartbeatAt?.toISOString() ?? null,
    cpuPercent: node.cpuPercent,
    memoryPercent: node.memoryPercent,
    diskPercent: node.diskPercent,
    agentVersion: node.agentVersion,
  }));
  const positions = await appendChanges(
    em,
    'nodes',
    'NODE_STATUS_CHANGED',
    payloads.map((payload) => ({ stream: payload.organizationId, payload })),
  );
  return payloads.map((payload, i) => ({
    ...payload,
    position: positions[i]!,
    changeCursor: changeCursor('NODE_STATUS_CHANGED', payload.organizationId, positions[i]!),
  }));
}

/** Announces committed status changes on Redis (docs/events.md); subscribers also find them stored. */
export const publishStatusChanges = (
  pubsub: NodesPubSub,
  logger: Logger,
  events: NodeStatusChangedEvent[],
) => publishEach(pubsub, logger, 'NODE_STATUS_CHANGED', events, 'node status change not announced');
