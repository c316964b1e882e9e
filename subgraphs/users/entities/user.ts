import { randomUUID } from 'node:crypto';
import { EntitySchema } from '@mikro-orm/core';
import { idOf } from '../../kit/entity-columns';
import type { Role } from '../../../platform/principal';
import { Organization } from './organization';
import type { Row } from '../../kit/reads';

export class User {
  readonly id: string = randomUUID();
  readonly createdAt: Date = new Date();
  constructor(
    public organizationId: string,
    public username: string,
    public email: string,
    public displayName: string,
    public role: Role,
    public passwordHash: string,
  ) {}
}

/** User as read paths return it: its fields, no entity (kit/reads.ts). */
export type UserRow = Row<User>;

export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'users',
  properties: {
    id: { type: 'uuid', primary: true },
    organizationId: idOf(() => Organization, 'organization_id'),
    username: { type: 'text' },
    email: { type: 'text' },
    displayName: { type: 'text' },
    role: { type: 'text' },
    passwordHash: { type: 'text', lazy: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
