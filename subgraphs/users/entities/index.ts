import { ApiKeySchema } from './api-key';
import { OrganizationSchema } from './organization';
import { RefreshTokenSchema, SessionSchema } from './session';
import { UserSchema } from './user';

export const entities = [
  OrganizationSchema,
  UserSchema,
  SessionSchema,
  RefreshTokenSchema,
  ApiKeySchema,
];
