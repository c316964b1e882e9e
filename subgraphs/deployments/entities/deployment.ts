import { randomUUID } from 'node:crypto';
import { EntitySchema } from '@mikro-orm/core';
import { idOf } from '../../kit/entity-columns';
import type { Row } from '../../kit/reads';

export const DEPLOYMENT_STATUSES = [
  'QUEUED',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'ROLLED_BACK',
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/**
 * An application version rolled out to one node. `organizationId`, `nodeId` and `triggeredBy`
 * name rows of other subgraphs (no foreign keys across subgraph boundaries).
 */
export class Deployment {
  readonly id: string = randomUUID();
  readonly createdAt: Date = new Date();
  status: DeploymentStatus = 'QUEUED';
  startedAt: Date | null = null;
  finishedAt: Date | null = null;
  /** Sequence number of its latest event: events are numbered 1, 2, … under this row's lock. */
  lastEventSequence = 0;
  /**
   * While RUNNING: when its agent's claim lapses unless a report or heartbeat renews it (then
   * the lease sweeper fails it). Null in every other status.
   */
  leaseExpiresAt: Date | null = null;
  constructor(
    public organizationId: string,
    public nodeId: string,
    public application: string,
    public version: string,
    public environment: string,
    public triggeredBy: string,
    public rollbackOf: string | null = null,
  ) {}
}

/** Deployment as read paths return it: its fields, no entity (kit/reads.ts). */
export type DeploymentRow = Row<Deployment>;

export const DeploymentSchema = new EntitySchema<Deployment>({
  class: Deployment,
  tableName: 'deployments',
  properties: {
    id: { type: 'uuid', primary: true },
    organizationId: { type: 'uuid' },
    nodeId: { type: 'uuid' },
    application: { type: 'text' },
    version: { type: 'text' },
    environment: { type: 'text' },
    status: { type: 'text' },
    triggeredBy: { type: 'uuid' },
    rollbackOf: idOf(() => Deployment, 'rollback_of', { nullable: true }),
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    startedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    finishedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    lastEventSequence: { type: 'integer' },
    leaseExpiresAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});

/** How many of an organization's deployments are in each status (deploymentStats). */
export interface DeploymentCounts {
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  rolledBack: number;
}
