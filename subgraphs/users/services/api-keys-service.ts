import { randomBytes } from 'node:crypto';
import { notFound } from '../../kit/errors';
import { isUuid } from '../../kit/ids';
import type { EntityManager } from '../../kit/orm';
import type { Principal, Role } from '../../kit/principal';
import type { UsersContext } from '../context';
import { ApiKey } from '../entities/api-key';
import { requireRole } from './access';
import { sha256 } from './auth-service';
import { nameRule, validate } from './validation';

export async function createApiKey(
  ctx: UsersContext,
  input: { name: string; role: Role },
): Promise<{ apiKey: ApiKey; secret: string }> {
  const admin = requireRole(ctx, 'ADMIN');
  const name = validate(nameRule, input.name, 'name');
  const secret = `ogk_${randomBytes(32).toString('base64url')}`;
  const apiKey = new ApiKey(admin.organizationId, admin.userId, name, input.role, sha256(secret));
  await ctx.em.persistAndFlush(apiKey);
  return { apiKey, secret };
}

export async function revokeApiKey(ctx: UsersContext, id: string): Promise<ApiKey> {
  const admin = requireRole(ctx, 'ADMIN');
  const apiKey = isUuid(id)
    ? await ctx.em.findOne(ApiKey, { id, organizationId: admin.organizationId })
    : null;
  if (!apiKey) throw notFound('API key');
  apiKey.revokedAt ??= new Date();
  await ctx.em.flush();
  return apiKey;
}

/** The principal an API key secret stands for, or null when unknown or revoked. */
export async function resolveApiKey(em: EntityManager, secret: string): Promise<Principal | null> {
  const apiKey = await em.findOne(ApiKey, { secretHash: sha256(secret), revokedAt: null });
  if (!apiKey) return null;
  return {
    kind: 'user',
    userId: apiKey.createdBy,
    organizationId: apiKey.organizationId,
    role: apiKey.role,
    apiKeyId: apiKey.id,
  };
}
