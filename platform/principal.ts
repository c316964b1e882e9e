/** Who is calling. Every subgraph derives this itself from the forwarded credentials. */
export const ROLES = ['VIEWER', 'DEVELOPER', 'OPERATOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export interface UserPrincipal {
  kind: 'user';
  userId: string;
  organizationId: string;
  role: Role;
  /** Set for bearer tokens: the session that issued them (revocable by logout). */
  sessionId?: string;
  /** Set when the caller authenticated with an API key, which acts for the user who created it. */
  apiKeyId?: string;
  /** When the bearer token expires (epoch seconds); long-lived connections end then. */
  expiresAt?: number;
}

/** A node agent holding a node token. It may call agent operations for its own node only. */
export interface NodePrincipal {
  kind: 'node';
  nodeId: string;
  organizationId: string;
  expiresAt?: number;
}

export type Principal = UserPrincipal | NodePrincipal;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Roles are ordered: each includes the ones below it. */
export function hasRole(principal: Principal | null, minimum: Role): principal is UserPrincipal {
  return principal?.kind === 'user' && ROLES.indexOf(principal.role) >= ROLES.indexOf(minimum);
}
