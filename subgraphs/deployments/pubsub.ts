/** The deployments subgraph's domain events (documented in docs/events.md). */
import type { Positioned } from '../kit/change-log';
import type { TypedPubSub } from '../kit/pubsub';
import type { DeploymentStatus } from './entities/deployment';
import type { DeploymentEventType, LogLevel } from './entities/deployment-event';

/**
 * A deployment was created or its status changed: its state after the change. Also stored as a
 * change record of its organization (`position` 1, 2, … per organization).
 */
export interface DeploymentUpdatedEvent extends Positioned {
  id: string;
  organizationId: string;
  nodeId: string;
  application: string;
  version: string;
  environment: string;
  status: DeploymentStatus;
  /** null when the deployment was just created. */
  previousStatus: DeploymentStatus | null;
  triggeredBy: string;
  rollbackOf: string | null;
  /** ISO-8601, like every timestamp below. */
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** An event was appended to a deployment's history (also stored, for replay from a cursor). */
export interface DeploymentEventAppendedEvent {
  id: string;
  organizationId: string;
  nodeId: string;
  deploymentId: string;
  /** 1, 2, … within the deployment, without gaps. */
  sequence: number;
  /** DeploymentEvent.cursor (encodes `sequence`): `after` for a replay that resumes past it. */
  cursor: string;
  type: DeploymentEventType;
  status: DeploymentStatus | null;
  level: LogLevel;
  message: string;
  createdAt: string;
}

/**
 * The queue of a node the nodes subgraph announced as retired (NODE_RETIRED) is cancelled and
 * the node recorded as retired, committed: the nodes subgraph may stop announcing it.
 */
export interface NodeRetirementConfirmedEvent {
  nodeId: string;
}

export interface DeploymentsTopics extends Record<string, unknown> {
  DEPLOYMENT_UPDATED: DeploymentUpdatedEvent;
  DEPLOYMENT_EVENT_APPENDED: DeploymentEventAppendedEvent;
  NODE_RETIREMENT_CONFIRMED: NodeRetirementConfirmedEvent;
}

/**
 * The nodes subgraph's events this one listens to, with the fields it reads (the nodes subgraph
 * publishes them; docs/events.md documents them in full). They keep RUNNING deployments' leases
 * and retire the queue of a decommissioned node.
 */
export interface ListenedTopics extends Record<string, unknown> {
  NODE_HEARTBEAT: { nodeId: string; organizationId: string; deploymentIds: string[] };
  NODE_RETIRED: { nodeId: string; organizationId: string };
}

export type DeploymentsPubSub = TypedPubSub<DeploymentsTopics & ListenedTopics>;
