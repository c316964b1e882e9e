import { randomUUID } from 'node:crypto';
import { EntitySchema } from '@mikro-orm/core';
import type { Row } from '../../kit/reads';

export class Organization {
  readonly id: string = randomUUID();
  readonly createdAt: Date = new Date();
  constructor(
    public name: string,
    public slug: string,
  ) {}
}

/** Organization as read paths return it: its fields, no entity (kit/reads.ts). */
export type OrganizationRow = Row<Organization>;

export const OrganizationSchema = new EntitySchema<Organization>({
  class: Organization,
  tableName: 'organizations',
  properties: {
    id: { type: 'uuid', primary: true },
    name: { type: 'text' },
    slug: { type: 'text', unique: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
