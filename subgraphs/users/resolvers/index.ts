/** Thin resolvers: reshape arguments, call the users services, map results. */
import { DateTime } from '../../kit/scalars';
import type { Resolvers } from '../__generated__/resolvers-types';
import * as apiKeys from '../services/api-keys-service';
import * as auth from '../services/auth-service';
import * as users from '../services/users-service';

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    me: (_parent, _args, ctx) =>
      ctx.principal?.kind === 'user' ? ctx.loaders.userById.load(ctx.principal.userId) : null,
    user: (_parent, { id }, ctx) => users.getUser(ctx, id),
    users: (_parent, args, ctx) => users.listUsers(ctx, args),
  },
  Mutation: {
    signUp: (_parent, { input }, ctx) => auth.signUp(ctx, input),
    login: (_parent, { input }, ctx) => auth.login(ctx, input),
    refreshSession: (_parent, { refreshToken }, ctx) => auth.refreshSession(ctx, refreshToken),
    logout: (_parent, _args, ctx) => auth.logout(ctx),
    createUser: (_parent, { input }, ctx) => users.createUser(ctx, input),
    updateUserRole: (_parent, { id, role }, ctx) => users.updateUserRole(ctx, id, role),
    createApiKey: (_parent, { input }, ctx) => apiKeys.createApiKey(ctx, input),
    revokeApiKey: (_parent, { id }, ctx) => apiKeys.revokeApiKey(ctx, id),
  },
  User: {
    __resolveReference: (reference, ctx) => users.findVisibleUser(ctx, reference.id),
    organization: (user, _args, ctx) =>
      ctx.loaders.organizationById.load(user.organizationId).then((org) => org!),
  },
  Organization: {
    __resolveReference: (reference, ctx) => users.findVisibleOrganization(ctx, reference.id),
  },
};
