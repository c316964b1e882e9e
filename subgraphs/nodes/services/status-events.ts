import type { Logger } from '../../kit/logger';
import type { Node, NodeStatus } from '../entities/node';
import type { NodesPubSub } from '../pubsub';

/**
 * Announces a committed status change on Redis (docs/events.md). A failed publish is logged, not
 * thrown: the change itself is stored, and Redis pub/sub is at-most-once anyway.
 */
export async function publishStatusChange(
  pubsub: NodesPubSub,
  logger: Logger,
  node: Pick<Node, 'id' | 'organizationId' | 'status' | 'statusChangedAt'>,
  previousStatus: NodeStatus | null,
): Promise<void> {
  try {
    await pubsub.publish('NODE_STATUS_CHANGED', {
      nodeId: node.id,
      organizationId: node.organizationId,
      status: node.status,
      previousStatus,
      changedAt: node.statusChangedAt.toISOString(),
    });
  } catch (error) {
    logger.error({ err: error, nodeId: node.id }, 'could not publish a node status change');
  }
}
