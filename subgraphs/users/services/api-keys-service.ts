import { randomBytes } from 'node:crypto';
import { hashSecret, publishApiKeyRevocation } from '../../../platform/api-keys';
import { notFound } from '../../../platform/errors';
import { isUuid } from '../../kit/ids';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, sendJson } from '../../../platform/http';
import type { Database, EntityManager } from '../../kit/orm';
import { ROLES, type Principal, type Role } from '../../../platform/principal';
import type { UsersContext } from '../context';
import { ApiKey } from '../entities/api-key';
import { validate } from '../../kit/validation';
import { requireRole } from '../../kit/guards';
import { lockCurrentAdmin } from './users-service';
import { nameRule } from './validation';

export async function createApiKey(
  ctx: UsersContext,
  input: { name: string; role: Role },
): Promise<{ apiKey: ApiKey; secret: string }> {
  requireRole(ctx.principal, 'ADMIN');
  const name = validate(nameRule, input.name, 'name');
  const secret = `ogk_${randomBytes(32).toString('base64url')}`;
  const apiKey = await ctx.em.transactional(async (em) => {
    const admin = await lockCurrentAdmin(em, ctx.principal);
    const apiKey = new ApiKey(
      admin.organizationId,
      admin.userId,
      name,
      input.role,
      hashSecret(secret),
    );
    em.persist(apiKey);
    return apiKey;
  });
  return { apiKey, secret };
}

export async function revokeApiKey(ctx: UsersContext, id: string): Promise<ApiKey> {
  const apiKey = await ctx.em.transactional(async (em) => {
    const admin = await lockCurrentAdmin(em, ctx.principal);
    const apiKey = isUuid(id)
      ? await em.findOne(ApiKey, { id, organizationId: admin.organizationId })
      : null;
    if (!apiKey) throw notFound('API key');
    apiKey.revokedAt ??= new Date();
    return apiKey;
  });
  await publishApiKeyRevocation(ctx.deps.redis, apiKey.secretHash);
  return apiKey;
}

/**
 * The principal an API key secret stands for, or null when unknown or revoked. It acts for its
 * creator with its own role, but never above the creator's role now: demoting a user demotes
 * their keys.
 */
export async function resolveApiKey(em: EntityManager, secret: string): Promise<Principal | null> {
  const [row] = await em.execute<
    { id: string; organization_id: string; created_by: string; role: Role; creator_role: Role }[]
  >(
    `select k.id, k.organization_id, k.created_by, k.role, u.role as creator_role
       from users.api_keys k join users.users u on u.id = k.created_by
      where k.secret_hash = ? and k.revoked_at is null`,
    [hashSecret(secret)],
  );
  if (!row) return null;
  return {
    kind: 'user',
    userId: row.created_by,
    organizationId: row.organization_id,
    role: ROLES[Math.min(ROLES.indexOf(row.role), ROLES.indexOf(row.creator_role))]!,
    apiKeyId: row.id,
  };
}

/**
 * `POST /auth/introspect` with `{"apiKey": "<secret>"}`: tells other subgraphs whom a key stands
 * for (200 with the principal) or that it stands for nobody (404). Knowing the secret is the
 * credential, so the endpoint reveals nothing its caller does not already hold.
 */
export function createIntrospectionRoute(database: Database, maxBodyBytes: number) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') throw new HttpError(405, 'Use POST.');
    let apiKey: unknown;
    try {
      ({ apiKey } = JSON.parse((await readBody(req, maxBodyBytes)).toString('utf8')) as {
        apiKey?: unknown;
      });
    } catch {
      throw new HttpError(400, 'Request body is not valid JSON.');
    }
    if (typeof apiKey !== 'string') throw new HttpError(400, 'Expected {"apiKey": "<secret>"}.');
    const principal = await resolveApiKey(database.fork(), apiKey);
    sendJson(res, principal ? 200 : 404, { principal });
  };
}
