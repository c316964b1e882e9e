/**
 * graphql-shield for the subgraphs: the coarse "may this kind of caller call this field at all"
 * rules, shared by every subgraph's `permissions.ts`. Ownership and organization checks stay in
 * the services, next to the data; shield is the first wall, not the only one.
 *
 * The rules reuse the guards the services call, so a refused field carries the same
 * UNAUTHENTICATED / FORBIDDEN error whichever wall stops it.
 */
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { middleware, type IMiddlewareFieldMap, type IMiddlewareTypeMap } from 'graphql-middleware';
import { allow, deny, rule, shield, type chain, type IRules } from 'graphql-shield';
import { forbidden, unauthenticated } from '../../platform/errors';
import { requireNode, requireRole, requireUser } from './guards';
import type { Principal, Role } from '../../platform/principal';
import type { RateLimiter } from '../../platform/rate-limit';
import type { RateLimitName } from './service-config';

/** Any shield rule (graphql-shield exports no name for the union of rules and logic rules). */
export type ShieldRule = Parameters<typeof chain>[number];
export type RuleFieldMap = Record<string, ShieldRule>;

/** Runs a guard; its GraphQLError becomes the rule's answer. */
const guarded =
  (guard: (principal: Principal | null) => unknown) =>
  (_parent: unknown, _args: unknown, ctx: { principal: Principal | null }) => {
    try {
      guard(ctx.principal);
      return true;
    } catch (error) {
      return error as GraphQLError;
    }
  };

/** Anyone, signed in or not (sign-up, login, public federation fields). */
export const isAnyone: ShieldRule = allow;

/** Any authenticated caller: a user or a node agent (the service narrows it further). */
export const isAuthenticated: ShieldRule = rule('isAuthenticated', { cache: 'contextual' })(
  guarded((principal) => {
    if (!principal) throw unauthenticated();
  }),
);

/** A user (any role); node agents are FORBIDDEN, anonymous callers UNAUTHENTICATED. */
export const isUser: ShieldRule = rule('isUser', { cache: 'contextual' })(guarded(requireUser));

const roleRules = new Map<Role, ShieldRule>();
/** A user with at least `minimum` (roles are ordered VIEWER < DEVELOPER < OPERATOR < ADMIN). */
export function hasRole(minimum: Role): ShieldRule {
  let cached = roleRules.get(minimum);
  if (!cached) {
    cached = rule(`hasRole:${minimum}`, { cache: 'contextual' })(
      guarded((principal) => requireRole(principal, minimum)),
    );
    roleRules.set(minimum, cached);
  }
  return cached;
}

/** A node agent's token; which node it may act for is the service's check. */
export const isNodeAgent: ShieldRule = rule('isNodeAgent', { cache: 'contextual' })(
  guarded(requireNode),
);

/** The root types a permission table lists field by field. */
export interface PermissionTable {
  Query: RuleFieldMap;
  Mutation?: RuleFieldMap;
  Subscription?: RuleFieldMap;
  /**
   * Every other object type, reached only through a field or reference that already checked
   * visibility: all its fields are allowed.
   */
  reachable: string[];
}

export const NO_RULE_MESSAGE = 'No permission rule allows this field.';

/**
 * The shield middleware for one subgraph. `fallbackRule: deny`: a root field or type the table
 * does not list is refused. The federation fields stay open: `_service` serves the SDL, and
 * `_entities` hands each reference to its type's `__resolveReference`, which returns null for
 * anything the caller may not see.
 *
 * Only the fields whose rule decides something are wrapped: the root fields, and any field of a
 * type the table does not allow outright. A field whose rule is `allow` (every field of the
 * object types reached through an entry point that already checked) runs its resolver as it is:
 * graphql-shield's wrapper would only await it and pass its result on, at the price of an async
 * call and a few promises per field of every row (thousands on a dashboard page: microtasks and
 * GC). The decisions are the same either way; only the wrapping of pass-through fields goes.
 */
export function createPermissions(table: PermissionTable) {
  const tree: IRules = {
    ...Object.fromEntries(table.reachable.map((type) => [type, isAnyone])),
    _Service: isAnyone,
    Query: { ...table.Query, _service: isAnyone, _entities: isAnyone },
    ...(table.Mutation ? { Mutation: table.Mutation } : {}),
    ...(table.Subscription ? { Subscription: table.Subscription } : {}),
  };
  const permissions = shield(tree, {
    fallbackRule: deny,
    fallbackError: forbidden(NO_RULE_MESSAGE),
    // Resolver errors (NOT_FOUND, CONFLICT, …) pass through as they are; formatError masks the
    // unexpected ones.
    allowExternalErrors: true,
    debug: false,
  });
  return middleware((schema: GraphQLSchema) => {
    const generated = permissions.generate(schema) as IMiddlewareTypeMap;
    const pruned: IMiddlewareTypeMap = {};
    for (const [typeName, fields] of Object.entries(generated)) {
      const kept: IMiddlewareFieldMap = {};
      for (const [fieldName, wrapper] of Object.entries(fields as IMiddlewareFieldMap)) {
        if (ruleOf(tree, typeName, fieldName) !== allow) kept[fieldName] = wrapper;
      }
      if (Object.keys(kept).length > 0) pruned[typeName] = kept;
    }
    return pruned;
  });
}

/** The rule graphql-shield applies to a field: the type's rule, its field's, `*`, or deny. */
function ruleOf(tree: IRules, typeName: string, fieldName: string): ShieldRule {
  const rules = (tree as Record<string, ShieldRule | RuleFieldMap | undefined>)[typeName];
  if (rules === undefined) return deny;
  if (isRule(rules)) return rules;
  return rules[fieldName] ?? rules['*'] ?? deny;
}

/** A rule or logic rule (they resolve), as opposed to a map of rules by field. */
function isRule(value: ShieldRule | RuleFieldMap): value is ShieldRule {
  return typeof (value as { resolve?: unknown }).resolve === 'function';
}

/**
 * A graphql-shield rule counting each call against limit `name`, per the identity `identify`
 * derives from the field's arguments and the request (null: the limit does not apply).
 */
export function rateLimitRule<TArgs, TContext>(
  limiter: RateLimiter,
  name: RateLimitName,
  identify: (args: TArgs, ctx: TContext) => string | null,
): ShieldRule {
  return rule(`rateLimit:${name}`, { cache: 'no_cache' })(
    async (_parent: unknown, args: TArgs, ctx: TContext) => {
      const identity = identify(args, ctx);
      if (identity === null) return true;
      try {
        await limiter.consume(name, identity);
        return true;
      } catch (error) {
        return error as Error;
      }
    },
  );
}

/**
 * `rateLimitRule` counted per signed-in user. Node agents and anonymous callers are not counted:
 * the role rule chained before it has refused them already.
 */
export function perUserRateLimitRule(limiter: RateLimiter, name: RateLimitName): ShieldRule {
  return rateLimitRule<unknown, { principal: Principal | null }>(limiter, name, (_args, ctx) =>
    ctx.principal?.kind === 'user' ? ctx.principal.userId : null,
  );
}
