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
  /**
   * The node's heartbeat readings as the change left it (ISO-8601; null before its first
   * heartbeat). Absent from changes stored before they were recorded: those show the node's
   * current readings.
   */
  lastHeartbeatAt?: string | null;
  cpuPercent?: number | null;
  memoryPercent?: number | null;
  diskPercent?: number | null;
  agentVersion?: string | null;
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

/**
 * A node was decommissioned: the deployments subgraph cancels its queue and refuses new
 * deployments to it. Announced again every sweep until NODE_RETIREMENT_CONFIRMED says it was
 * done (services/retirements.ts), so it may come more than once.
 */
export interface NodeRetiredEvent {
  nodeId: string;
  organizationId: string;
  /** ISO-8601. */
  decommissionedAt: string;
}

export interface NodesTopics extends Record<string, unknown> {
  NODE_STATUS_CHANGED: NodeStatusChangedEvent;
  NODE_HEARTBEAT: NodeHeartbeatEvent;
  NODE_RETIRED: NodeRetiredEvent;
}

/**
 * The deployments subgraph's event this one listens to, with the fields it reads: it has
 * retired a node's queue, so the node's retirement need not be announced again.
 */
export interface ListenedTopics extends Record<string, unknown> {
  NODE_RETIREMENT_CONFIRMED: { nodeId: string };
}

export type NodesPubSub = TypedPubSub<NodesTopics & ListenedTopics>;
