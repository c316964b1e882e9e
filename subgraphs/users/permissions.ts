/**
 * Who may call what in the users subgraph: graphql-shield's coarse rules (fallback: deny) and the
 * rate limits on sign-up, login and user creation. Organization checks stay in the services.
 */
import { createHash } from 'node:crypto';
import { chain } from 'graphql-shield';
import type { RateLimiter, RateLimits } from '../../platform/rate-limit';
import { createPermissions, hasRole, isAnyone, isUser, rateLimitRule } from '../kit/shield';
import type { MutationLoginArgs } from './__generated__/resolvers-types';
import type { UsersContext } from './context';

const MINUTE = 60_000;

/** Defaults; RATE_LIMITS overrides them by name. */
export const USERS_RATE_LIMITS: RateLimits = {
  /** Per (client address, username or email): slows password guessing on one account. */
  login: { max: 5, windowMs: 15 * MINUTE },
  /** Per client address: slows guessing across many accounts. */
  loginPerAddress: { max: 20, windowMs: 15 * MINUTE },
  /** Per client address. */
  signUp: { max: 10, windowMs: 60 * MINUTE },
  /**
   * Per organization. Usernames and emails are unique across opsgraph, so createUser tells its
   * caller whether one is taken in any organization, as signUp does: without a limit, anyone could
   * sign up and ask it about every address at the gateway's request rate.
   */
  createUser: { max: 60, windowMs: 60 * MINUTE },
};

/**
 * What the per-account login limit counts a login under: the identifier as login looks it up,
 * trimmed, in NFC and lower-cased as PostgreSQL's lower() does it, one character at a time
 * (simple case mapping: `İ` is `i`, `Σ` is `σ` wherever it stands), so no spelling login finds
 * the account by counts apart; hashed, so a long identifier makes no long Redis key.
 */
function loginIdentity(usernameOrEmail: string): string {
  const nfc = usernameOrEmail.trim().normalize('NFC');
  const folded = Array.from(nfc, (c) => [...c.toLowerCase()][0]).join('');
  return createHash('sha256').update(folded).digest('base64url');
}

export function createUsersPermissions(limiter: RateLimiter) {
  const login = chain(
    rateLimitRule<MutationLoginArgs, UsersContext>(
      limiter,
      'login',
      ({ input }, ctx) => `${ctx.clientAddress}|${loginIdentity(input.usernameOrEmail)}`,
    ),
    rateLimitRule<unknown, UsersContext>(
      limiter,
      'loginPerAddress',
      (_args, ctx) => ctx.clientAddress,
    ),
  );
  return createPermissions({
    Query: {
      // Anonymous callers and node agents get null: there is no user to show.
      me: isAnyone,
      user: isUser,
      users: isUser,
    },
    Mutation: {
      signUp: rateLimitRule<unknown, UsersContext>(
        limiter,
        'signUp',
        (_args, ctx) => ctx.clientAddress,
      ),
      login,
      // The refresh token is the credential here.
      refreshSession: isAnyone,
      logout: isUser,
      // The role first, so a refused caller is not counted.
      createUser: chain(
        hasRole('ADMIN'),
        rateLimitRule<unknown, UsersContext>(limiter, 'createUser', (_args, { principal }) =>
          principal?.kind === 'user' ? principal.organizationId : null,
        ),
      ),
      updateUserRole: hasRole('ADMIN'),
      createApiKey: hasRole('ADMIN'),
      revokeApiKey: hasRole('ADMIN'),
    },
    reachable: [
      'User',
      'Organization',
      'UserConnection',
      'UserEdge',
      'PageInfo',
      'AuthPayload',
      'ApiKey',
      'CreateApiKeyPayload',
    ],
  });
}
