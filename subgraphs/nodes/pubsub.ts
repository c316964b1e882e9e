/** The nodes subgraph's domain events (documented in docs/events.md). */
import type { Positioned } from '../kit/change-log';
import type { TypedPubSub } from '../kit/pubsub';
import type { NodeStatus } from './entities/node';

/**
 * A node's status changed (or was first set, at registration). Also stored as a change record
 * of its organization (`position` 1, 2, … per organization).
 */
export interface NodeStatusChangedEvent extends Positioned {
  nodeId: string;
  organizationId: string;
  status: NodeStatus;
  /** null when the node was just registered. */
  previousStatus: NodeStatus | null;
  /** ISO-8601. */
  changedAt: string;
}

/**
 * A heartbeat named the deployments its agent is running (the deployments subgraph renews their
 * claim leases). Not stored: a lost one is covered by the next, well within a lease.
 */
export interface NodeHeartbeatEvent {
  nodeId: string;
  organizationId: string;
  deploymentIds: string[];
  /** ISO-8601. */
  receivedAt: string;
}

export interface NodesTopics extends Record<string, unknown> {
  NODE_STATUS_CHANGED: NodeStatusChangedEvent;
  NODE_HEARTBEAT: NodeHeartbeatEvent;
}

export type NodesPubSub = TypedPubSub<NodesTopics>;
