/** Who may do what in the users domain. Organization checks live here, next to the data. */
import { forbidden, unauthenticated } from '../../kit/errors';
import { hasRole, type Role, type UserPrincipal } from '../../kit/principal';
import type { UsersContext } from '../context';

export function requireUser(ctx: UsersContext): UserPrincipal {
  if (!ctx.principal) throw unauthenticated();
  if (ctx.principal.kind !== 'user') throw forbidden('Node agents cannot call user operations.');
  return ctx.principal;
}

export function requireRole(ctx: UsersContext, role: Role): UserPrincipal {
  const principal = requireUser(ctx);
  if (!hasRole(principal, role)) throw forbidden(`This requires the ${role} role.`);
  return principal;
}
