import { randomUUID } from 'node:crypto';
import { EntitySchema } from '@mikro-orm/core';
import { idOf } from '../../kit/entity-columns';
import { User } from './user';

/** One sign-in. Logout or refresh-token reuse revokes it, and with it every token it issued. */
export class Session {
  readonly id: string = randomUUID();
  readonly createdAt: Date = new Date();
  revokedAt: Date | null = null;
  constructor(
    public userId: string,
    public expiresAt: Date,
  ) {}
}

export const SessionSchema = new EntitySchema<Session>({
  class: Session,
  tableName: 'sessions',
  properties: {
    id: { type: 'uuid', primary: true },
    userId: idOf(() => User, 'user_id'),
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    expiresAt: { type: 'Date', columnType: 'timestamptz' },
    revokedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});

/** A refresh token, stored only as its SHA-256. Spent tokens are kept to detect reuse. */
export class RefreshToken {
  readonly createdAt: Date = new Date();
  spentAt: Date | null = null;
  constructor(
    public tokenHash: string,
    public sessionId: string,
  ) {}
}

export const RefreshTokenSchema = new EntitySchema<RefreshToken>({
  class: RefreshToken,
  tableName: 'refresh_tokens',
  properties: {
    tokenHash: { type: 'text', primary: true },
    sessionId: idOf(() => Session, 'session_id'),
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    spentAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});
