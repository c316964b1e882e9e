/**
 * Sessions and credentials: sign-up, login, refresh-token rotation with reuse detection, logout.
 * An access token names its session (`sid`), so revoking the session revokes its tokens on every
 * replica at once (see platform/revocations).
 */
import { randomBytes } from 'node:crypto';
import { hashSecret } from '../../../platform/api-keys';
import { unauthenticated } from '../../../platform/errors';
import type { EntityManager } from '../../kit/orm';
import type { UsersContext, UsersDeps } from '../context';
import { Organization } from '../entities/organization';
import { RefreshToken, Session } from '../entities/session';
import { User } from '../entities/user';
import { requireUser } from '../../kit/guards';
import { verifyPassword } from './passwords';
import { draftUser, insertUser } from './users-service';
import { nameRule } from './validation';
import { validate } from '../../kit/validation';

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  user: User;
}

const INVALID_LOGIN = 'Invalid username, email or password.';

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return slug || 'org';
}

/**
 * Stores a new organization under a slug of its own: its name's, or, once that is taken, the
 * name's with a random suffix. The insert itself claims the slug (`on conflict do nothing`): of
 * sign-ups naming one new organization at once, one gets the plain slug and the others, after
 * waiting for its row, suffixed ones. Reading first and inserting after let them all read the
 * slug as free, and all but one then failed on the unique index.
 */
async function insertOrganization(em: EntityManager, name: string): Promise<Organization> {
  const base = slugify(name);
  for (let slug = base; ; slug = `${base}-${randomBytes(3).toString('hex')}`) {
    const organization = new Organization(name, slug);
    const { affectedRows } = await em
      .createQueryBuilder(Organization)
      .insert({ ...organization })
      .onConflict('slug')
      .ignore()
      .execute('run');
    if (affectedRows === 1) return organization;
  }
}

export async function signUp(
  ctx: UsersContext,
  input: { organizationName: string; username: string; email: string; password: string },
): Promise<AuthPayload> {
  const organizationName = validate(nameRule, input.organizationName, 'organizationName');
  const draft = await draftUser(input);
  const user = await ctx.em.transactional(async (em) => {
    const organization = await insertOrganization(em, organizationName);
    return insertUser(em, draft, organization.id, 'ADMIN');
  });
  return startSession(ctx.deps, ctx.em, user);
}

export async function login(
  ctx: UsersContext,
  input: { usernameOrEmail: string; password: string },
): Promise<AuthPayload> {
  // PostgreSQL's lower() folds the case on both sides, as for the unique indexes (which serve
  // this lookup): JavaScript's toLowerCase() differs from it for some letters (`İ`, a final
  // `Σ`), which made such an email unfindable by itself.
  // Emails are stored in NFC (validation.ts); one stored before may be in the form it was sent.
  const identifier = input.usernameOrEmail.trim();
  const [row] = await ctx.em.execute<{ id: string; password_hash: string }[]>(
    'select id, password_hash from users.users where lower(username) = lower(?) or lower(email) in (lower(?), lower(?)) limit 1',
    [identifier, identifier, identifier.normalize('NFC')],
  );
  // Unknown users and wrong passwords fail alike, in message and in time.
  if (!(await verifyPassword(row?.password_hash ?? null, input.password)) || !row) {
    throw unauthenticated(INVALID_LOGIN);
  }
  const user = await ctx.em.findOneOrFail(User, { id: row.id });
  return startSession(ctx.deps, ctx.em, user);
}

async function startSession(deps: UsersDeps, em: EntityManager, user: User): Promise<AuthPayload> {
  const session = new Session(
    user.id,
    new Date(Date.now() + deps.config.refreshTokenTtlSeconds * 1000),
  );
  em.persist(session);
  return issueCredentials(deps, em, session, user);
}

async function issueCredentials(
  deps: UsersDeps,
  em: EntityManager,
  session: Session,
  user: User,
): Promise<AuthPayload> {
  const refreshToken = `ogr_${randomBytes(32).toString('base64url')}`;
  em.persist(new RefreshToken(hashSecret(refreshToken), session.id));
  await em.flush();
  const { token, expiresAt } = await deps.signer.sign(
    {
      kind: 'user',
      userId: user.id,
      organizationId: user.organizationId,
      role: user.role,
      sessionId: session.id,
    },
    deps.config.accessTokenTtlSeconds,
  );
  return { accessToken: token, refreshToken, expiresAt, user };
}

export async function refreshSession(ctx: UsersContext, presented: string): Promise<AuthPayload> {
  const tokenHash = hashSecret(presented);
  const token = await ctx.em.findOne(RefreshToken, { tokenHash });
  if (!token) throw unauthenticated('Invalid refresh token.');
  const session = await ctx.em.findOne(Session, { id: token.sessionId });
  if (!session || session.revokedAt || session.expiresAt < new Date()) {
    throw unauthenticated('This session has ended; sign in again.');
  }
  // Spend the token atomically: of two concurrent uses, exactly one wins.
  const spent = await ctx.em.nativeUpdate(
    RefreshToken,
    { tokenHash, spentAt: null },
    { spentAt: new Date() },
  );
  if (spent === 0) {
    // A spent token came back: it was stolen or replayed. End the whole session.
    await revokeSession(ctx, session);
    throw unauthenticated('This refresh token was already used; the session has been ended.');
  }
  const user = await ctx.em.findOneOrFail(User, { id: session.userId });
  return issueCredentials(ctx.deps, ctx.em, session, user);
}

export async function logout(ctx: UsersContext): Promise<boolean> {
  const principal = requireUser(ctx.principal);
  if (!principal.sessionId) return false; // API keys have no session; revoke the key instead.
  const session = await ctx.em.findOne(Session, { id: principal.sessionId });
  if (session && !session.revokedAt) await revokeSession(ctx, session);
  return true;
}

async function revokeSession(ctx: UsersContext, session: Session): Promise<void> {
  session.revokedAt = new Date();
  await ctx.em.flush();
  // Tokens of this session live at most one access-token lifetime from now. Revoked in the
  // database, the session is over: what Redis fails to record now, the revocation keeper
  // writes back (revocation-keeper.ts), so the caller is not asked to retry what it cannot.
  await ctx.deps.revocations
    .revoke(session.id, Math.ceil(Date.now() / 1000) + ctx.deps.config.accessTokenTtlSeconds)
    .catch((error: unknown) =>
      ctx.logger.warn({ err: error }, 'session revoked; Redis will get the revocation later'),
    );
}
