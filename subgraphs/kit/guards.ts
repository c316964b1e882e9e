/**
 * The first check of every service: may this kind of caller call at all? Organization and
 * ownership checks follow in the service, next to the data.
 */
import { forbidden, unauthenticated } from '../../platform/errors';
import {
  hasRole,
  type NodePrincipal,
  type Principal,
  type Role,
  type UserPrincipal,
} from '../../platform/principal';

/** User operations: anonymous callers are UNAUTHENTICATED, node agents FORBIDDEN. */
export function requireUser(principal: Principal | null): UserPrincipal {
  if (!principal) throw unauthenticated();
  if (principal.kind !== 'user') throw forbidden('Node agents cannot call user operations.');
  return principal;
}

export function requireRole(principal: Principal | null, role: Role): UserPrincipal {
  const user = requireUser(principal);
  if (!hasRole(user, role)) throw forbidden(`This requires the ${role} role.`);
  return user;
}

/** Node-agent operations: only a node token will do. */
export function requireNode(principal: Principal | null): NodePrincipal {
  if (!principal) throw unauthenticated();
  if (principal.kind !== 'node') throw forbidden('Only node agents can call this operation.');
  return principal;
}
