import { randomUUID } from 'node:crypto';
import { EntitySchema } from '@mikro-orm/core';
import { idOf } from '../../kit/entity-columns';
import type { Role } from '../../../platform/principal';
import { Organization } from './organization';
import { User } from './user';

/** A credential for scripts and agents; it acts for its creator with its own role. */
export class ApiKey {
  readonly id: string = randomUUID();
  readonly createdAt: Date = new Date();
  revokedAt: Date | null = null;
  constructor(
    public organizationId: string,
    public createdBy: string,
    public name: string,
    public role: Role,
    /** SHA-256 of the secret: secrets are 256-bit random, so a slow hash would add nothing. */
    public secretHash: string,
  ) {}
}

export const ApiKeySchema = new EntitySchema<ApiKey>({
  class: ApiKey,
  tableName: 'api_keys',
  properties: {
    id: { type: 'uuid', primary: true },
    organizationId: idOf(() => Organization, 'organization_id'),
    createdBy: idOf(() => User, 'created_by'),
    name: { type: 'text' },
    role: { type: 'text' },
    secretHash: { type: 'text', unique: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    revokedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});
