import { randomUUID } from 'node:crypto';
import { EntitySchema } from '@mikro-orm/core';
import type { Row } from '../../kit/reads';

export const NODE_KINDS = ['DOCKER_HOST', 'SWARM', 'KUBERNETES', 'VM', 'PHYSICAL'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const NODE_STATUSES = [
  'PENDING',
  'ONLINE',
  'DEGRADED',
  'OFFLINE',
  'DECOMMISSIONED',
] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

/** A host running the opsgraph agent. Organizations and users live in the users subgraph. */
export class Node {
  readonly id: string = randomUUID();
  readonly createdAt: Date = new Date();
  status: NodeStatus = 'PENDING';
  statusChangedAt: Date = this.createdAt;
  lastHeartbeatAt: Date | null = null;
  cpuPercent: number | null = null;
  memoryPercent: number | null = null;
  diskPercent: number | null = null;
  agentVersion: string | null = null;
  constructor(
    public organizationId: string,
    public registeredBy: string,
    public name: string,
    public kind: NodeKind,
    public region: string,
    public labels: string[],
    /** Base64 of the raw 32-byte Ed25519 public key. */
    public publicKey: string,
  ) {}
}

/** Node as read paths return it: its fields, no entity (kit/reads.ts). */
export type NodeRow = Row<Node>;

export const NodeSchema = new EntitySchema<Node>({
  class: Node,
  tableName: 'nodes',
  properties: {
    id: { type: 'uuid', primary: true },
    organizationId: { type: 'uuid' },
    registeredBy: { type: 'uuid' },
    name: { type: 'text' },
    kind: { type: 'text' },
    status: { type: 'text' },
    statusChangedAt: { type: 'Date', columnType: 'timestamptz' },
    region: { type: 'text' },
    labels: { type: 'string[]', columnType: 'text[]' },
    publicKey: { type: 'text' },
    lastHeartbeatAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    cpuPercent: { type: 'double', nullable: true },
    memoryPercent: { type: 'double', nullable: true },
    diskPercent: { type: 'double', nullable: true },
    agentVersion: { type: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
