import { CREDENTIAL_ENDED } from '../../../platform/credential-watch';
import { badUserInput, forbidden, notFound, unauthenticated } from '../../../platform/errors';
import { isUniqueViolation } from '../../kit/orm';
import { cursorScope, pageInCreationOrder, type Connection } from '../../kit/pagination';
import type { Principal, Role, UserPrincipal } from '../../../platform/principal';
import { isUuid } from '../../kit/ids';
import type { UsersContext } from '../context';
import type { Organization } from '../entities/organization';
import { User } from '../entities/user';
import type { EntityManager } from '../../kit/orm';
import { validate } from '../../kit/validation';
import { requireRole, requireUser } from '../../kit/guards';
import { findRows } from '../../kit/reads';
import { hashPassword } from './passwords';
import { emailRule, nameRule, passwordRule, usernameRule } from './validation';

export interface NewUser {
  username: string;
  email: string;
  password: string;
  displayName?: string | null | undefined;
}

/** A new user's checked fields and password hash, ready to store. */
export interface UserDraft {
  username: string;
  email: string;
  displayName: string;
  passwordHash: string;
}

/**
 * Checks a new user's fields and hashes the password: the slow part (argon2id, tens of ms), done
 * before a database connection is taken rather than while a transaction holds one.
 */
export async function draftUser(input: NewUser): Promise<UserDraft> {
  const username = validate(usernameRule, input.username, 'username');
  const email = validate(emailRule, input.email, 'email');
  const password = validate(passwordRule, input.password, 'password');
  const displayName =
    input.displayName == null ? username : validate(nameRule, input.displayName, 'displayName');
  return { username, email, displayName, passwordHash: await hashPassword(password) };
}

/**
 * Stores a drafted user; usernames and emails must be unique whatever their case. Every statement
 * runs on `em`, inside its transaction when it has one (sign-up's).
 */
export async function insertUser(
  em: EntityManager,
  draft: UserDraft,
  organizationId: string,
  role: Role,
): Promise<User> {
  const { username, email, displayName, passwordHash } = draft;
  await assertAvailable(em, username, email);
  const user = new User(organizationId, username, email, displayName, role, passwordHash);
  em.persist(user);
  try {
    await em.flush();
  } catch (error) {
    // Lost a race with a concurrent sign-up: report it like the check above would have.
    if (isUniqueViolation(error, 'users_username_lower_unique')) throw usernameTaken();
    if (isUniqueViolation(error, 'users_email_lower_unique')) throw emailTaken();
    throw error;
  }
  return user;
}

const usernameTaken = () => badUserInput('This username is already taken.', 'username');
const emailTaken = () => badUserInput('This email address is already registered.', 'email');

async function assertAvailable(em: EntityManager, username: string, email: string): Promise<void> {
  const rows = await em.execute<{ username: string; email: string }[]>(
    'select username, email from users.users where lower(username) = lower(?) or lower(email) = lower(?) limit 2',
    [username, email],
  );
  if (rows.some((row) => row.username.toLowerCase() === username.toLowerCase()))
    throw usernameTaken();
  if (rows.length > 0) throw emailTaken();
}

/**
 * A user of the caller's organization, or null: other organizations' users do not exist for
 * them. Only users see users: a node agent, refused `user` and `users`, must not read them as
 * references either (a node's `registeredBy`, a deployment's `triggeredBy`, `_entities`).
 */
export async function findVisibleUser(ctx: UsersContext, id: string): Promise<User | null> {
  if (ctx.principal?.kind !== 'user') return null;
  const user = await ctx.loaders.userById.load(id);
  return user && user.organizationId === ctx.principal.organizationId ? user : null;
}

/** The caller's own organization, to users only (as for users, above); null for any other. */
export async function findVisibleOrganization(
  ctx: UsersContext,
  id: string,
): Promise<Organization | null> {
  if (ctx.principal?.kind !== 'user' || ctx.principal.organizationId !== id) return null;
  return ctx.loaders.organizationById.load(id);
}

export async function getUser(ctx: UsersContext, id: string): Promise<User> {
  requireUser(ctx.principal);
  const user = await findVisibleUser(ctx, id);
  if (!user) throw notFound('User');
  return user;
}

export async function listUsers(
  ctx: UsersContext,
  args: { first?: number | null; after?: string | null },
): Promise<Connection<User>> {
  const { organizationId } = requireUser(ctx.principal);
  return pageInCreationOrder(
    args,
    { organizationId },
    (where, options) => findRows(ctx, User, where, options),
    cursorScope('users', organizationId),
  );
}

/**
 * The caller, checked to be an ADMIN now, in the database: for what decides who may do what
 * (roles, users, API keys). A token keeps the role it was issued with for its lifetime, and an
 * API key acts for its creator: a demoted ADMIN must not use them to make the demotion moot, by
 * demoting the others or minting an ADMIN. Locks the organization's ADMIN rows, in one order,
 * until the transaction ends: two ADMINs demoting each other at once go one after the other, and
 * the second is no ADMIN by then.
 *
 * The credential itself is checked again too, once the lock is held: a request authenticated
 * before its API key was revoked (revokeApiKey holds the same lock) or its session ended, and
 * then queued behind the lock, would otherwise mint a key or an ADMIN that outlives the
 * revocation. The credential's row is locked (`for share`) until the transaction ends, so a
 * revocation that was not seen here waits for what it would have stopped.
 */
export async function lockCurrentAdmin(
  em: EntityManager,
  principal: Principal | null,
): Promise<UserPrincipal> {
  const caller = requireRole(principal, 'ADMIN');
  const admins = await em.execute<{ id: string }[]>(
    `select id from users.users where organization_id = ? and role = 'ADMIN' order by id for update`,
    [caller.organizationId],
  );
  if (!admins.some((admin) => admin.id === caller.userId)) {
    throw forbidden('This requires the ADMIN role, which you no longer have.');
  }
  await assertCredentialLive(em, caller);
  return caller;
}

/** Refuses a caller whose API key was revoked or whose session ended since it authenticated. */
async function assertCredentialLive(em: EntityManager, caller: UserPrincipal): Promise<void> {
  const [table, id, ended] = caller.apiKeyId
    ? (['api_keys', caller.apiKeyId, CREDENTIAL_ENDED.apiKeyRevoked] as const)
    : (['sessions', caller.sessionId, CREDENTIAL_ENDED.sessionRevoked] as const);
  if (!id) return;
  const live = await em.execute(
    `select 1 from users.${table} where id = ? and revoked_at is null for share`,
    [id],
  );
  if (live.length === 0) throw unauthenticated(ended);
}

export async function createUser(
  ctx: UsersContext,
  input: NewUser & { role: Role },
): Promise<User> {
  requireRole(ctx.principal, 'ADMIN');
  const draft = await draftUser(input);
  return ctx.em.transactional(async (em) => {
    const admin = await lockCurrentAdmin(em, ctx.principal);
    return insertUser(em, draft, admin.organizationId, input.role);
  });
}

export async function updateUserRole(ctx: UsersContext, id: string, role: Role): Promise<User> {
  return ctx.em.transactional(async (em) => {
    const admin = await lockCurrentAdmin(em, ctx.principal);
    const user = isUuid(id)
      ? await em.findOne(User, { id, organizationId: admin.organizationId }, { refresh: true })
      : null;
    if (!user) throw notFound('User');
    if (user.id === admin.userId && role !== 'ADMIN') {
      throw badUserInput('You cannot remove your own ADMIN role.', 'role');
    }
    user.role = role;
    return user;
  });
}
