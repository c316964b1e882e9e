import { randomUUID } from 'node:crypto';
import { EntitySchema } from '@mikro-orm/core';
import { idOf } from '../../kit/entity-columns';
import { Deployment, type DeploymentStatus } from './deployment';
import type { Row } from '../../kit/reads';

export type DeploymentEventType = 'STATUS_CHANGED' | 'LOG';
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** One entry of a deployment's history, numbered without gaps within the deployment. */
export class DeploymentEvent {
  readonly id: string = randomUUID();
  readonly createdAt: Date = new Date();
  constructor(
    public deploymentId: string,
    public sequence: number,
    public type: DeploymentEventType,
    public level: LogLevel,
    public message: string,
    /** The new status, for STATUS_CHANGED events. */
    public status: DeploymentStatus | null = null,
  ) {}
}

/** DeploymentEvent as read paths return it: its fields, no entity (kit/reads.ts). */
export type DeploymentEventRow = Row<DeploymentEvent>;

export const DeploymentEventSchema = new EntitySchema<DeploymentEvent>({
  class: DeploymentEvent,
  tableName: 'deployment_events',
  properties: {
    id: { type: 'uuid', primary: true },
    deploymentId: idOf(() => Deployment, 'deployment_id'),
    sequence: { type: 'integer' },
    type: { type: 'text' },
    status: { type: 'text', nullable: true },
    level: { type: 'text' },
    message: { type: 'text' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
