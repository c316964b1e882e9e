/**
 * Client text reaches PostgreSQL as it was sent, or not at all: a text column cannot hold a NUL
 * character (the statement fails), and a lone UTF-16 surrogate has no UTF-8 form (the driver
 * would store U+FFFD instead). Every field that takes text in an argument has it checked before
 * its resolver runs — one rule for every field of every subgraph, present and future, rather than
 * one per input that someone remembered — and refused with BAD_USER_INPUT naming the argument
 * (inside `input`, the path within it: `logs.1.message`; otherwise from the argument:
 * `filter.region`).
 */
import {
  defaultFieldResolver,
  getNamedType,
  isInputObjectType,
  isObjectType,
  isScalarType,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { badUserInput } from '../../platform/errors';

// eslint-disable-next-line no-control-regex -- NUL is precisely what this rule refuses.
const NOT_STORABLE = /[\u0000\uD800-\uDFFF]/u;

/** The path to the first string in `value` PostgreSQL could not store as sent, or null. */
function unstorable(value: unknown): (string | number)[] | null {
  if (typeof value === 'string') return NOT_STORABLE.test(value) ? [] : null;
  if (value === null || typeof value !== 'object' || value instanceof Date) return null;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const path = unstorable(value[index]);
      if (path) return [index, ...path];
    }
    return null;
  }
  // Every field with a text argument runs this, on every row it resolves for (a deployment's
  // `events(last: 3)` on each of a page's 50): no allocation unless something is refused.
  for (const key in value) {
    const path = unstorable((value as Record<string, unknown>)[key]);
    if (path) return [key, ...path];
  }
  return null;
}

type Resolver = GraphQLFieldResolver<unknown, unknown>;

const checkingText =
  (resolve: Resolver): Resolver =>
  (parent, args, context, info) => {
    const path = unstorable(args);
    if (path) {
      const field = (path[0] === 'input' && path.length > 1 ? path.slice(1) : path).join('.');
      throw badUserInput(
        `${field} must not contain NUL characters or unpaired UTF-16 surrogates.`,
        field,
      );
    }
    return resolve(parent, args, context, info);
  };

/** Whether values of `type` may hold client text (a string scalar, or an input holding one). */
function holdsText(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (isScalarType(named)) return named.name === 'String' || named.name === 'ID';
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => holdsText(field.type, seen));
}

/**
 * Wraps the resolver of every field with an argument that may hold text — a subscription
 * field's `subscribe`, so that it is refused before it starts — in the check. Fields without
 * such arguments keep their resolvers as they are. Done on the built schema before any
 * middleware, so that the subgraph's permissions come first: a caller who may not call a field
 * hears that, not what is wrong with the arguments.
 */
export function refuseUnstorableText(schema: GraphQLSchema): void {
  const subscription = schema.getSubscriptionType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.some((arg) => holdsText(arg.type))) continue;
      if (type === subscription)
        field.subscribe = checkingText(field.subscribe ?? defaultFieldResolver);
      else field.resolve = checkingText(field.resolve ?? defaultFieldResolver);
    }
  }
}
