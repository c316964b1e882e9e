import { randomBytes } from 'node:crypto';
import { hashSecret, publishApiKeyRevocation } from '../../../platform/api-keys';
import { notFound } from '../../../platform/errors';
import { isUuid } from '../../kit/ids';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, sendJson } from '../../../platform/http';
import type { Database, EntityManager } from '../../kit/orm';
import type { Principal, Role } from '../../../platform/principal';
import type { UsersContext } from '../context';
import { ApiKey } from '../entities/api-key';
import { validate } from '../../kit/validation';
import { requireRole } from '../../kit/guards';
import { nameRule } from './validation';

export async function createApiKey(
  ctx: UsersContext,
  input: { name: string; role: Role },
): Promise<{ apiKey: ApiKey; secret: string }> {
  const admin = requireRole(ctx.principal, 'ADMIN');
  const name = validate(nameRule, input.name, 'name');
  const secret = `ogk_${randomBytes(32).toString('base64url')}`;
  const apiKey = new ApiKey(
    admin.organizationId,
    admin.userId,
    name,
    input.role,
    hashSecret(secret),
  );
  await ctx.em.persistAndFlush(apiKey);
  return { apiKey, secret };
}

export async function revokeApiKey(ctx: UsersContext, id: string): Promise<ApiKey> {
  const admin = requireRole(ctx.principal, 'ADMIN');
  const apiKey = isUuid(id)
    ? await ctx.em.findOne(ApiKey, { id, organizationId: admin.organizationId })
    : null;
  if (!apiKey) throw notFound('API key');
  apiKey.revokedAt ??= new Date();
  await ctx.em.flush();
  await publishApiKeyRevocation(ctx.deps.redis, apiKey.secretHash);
  return apiKey;
}

/** The principal an API key secret stands for, or null when unknown or revoked. */
export async function resolveApiKey(em: EntityManager, secret: string): Promise<Principal | null> {
  const apiKey = await em.findOne(ApiKey, { secretHash: hashSecret(secret), revokedAt: null });
  if (!apiKey) return null;
  return {
    kind: 'user',
    userId: apiKey.createdBy,
    organizationId: apiKey.organizationId,
    role: apiKey.role,
    apiKeyId: apiKey.id,
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
