/**
 * Federation's `_entities` takes its representations as raw JSON (`_Any`), so nothing in GraphQL
 * validation checks them. @apollo/subgraph throws an error without a code for one that names no
 * type of the schema, and a type's `__resolveReference` trusts its key fields to be there and of
 * their type. The kit checks every representation first: an object naming one of this
 * subgraph's entity types, with every field of one of its keys, each a value of that field's
 * type. Anything else is BAD_USER_INPUT, before any of it is resolved.
 */
import {
  getNamedType,
  isUnionType,
  Kind,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { badUserInput } from '../../platform/errors';

/** One `@key`: its field names, each with a test of the value a representation gives it. */
type Key = [field: string, accepts: (value: unknown) => boolean][];

const isString = (value: unknown) => typeof value === 'string';
const SCALAR_VALUES: Record<string, (value: unknown) => boolean> = {
  ID: (value) => isString(value) || Number.isInteger(value),
  String: isString,
  Int: Number.isInteger,
};
const isPresent = (value: unknown) => value !== null && value !== undefined;

/** The type's `@key(fields: …)` directives; keys over nested selections are not checked here. */
function keysOf(type: GraphQLObjectType): Key[] {
  const fields = type.getFields();
  const directives = [type.astNode, ...type.extensionASTNodes].flatMap(
    (node) => node?.directives ?? [],
  );
  return directives
    .filter((directive) => directive.name.value === 'key')
    .map((directive) => {
      const argument = directive.arguments?.find((arg) => arg.name.value === 'fields');
      const text = argument?.value.kind === Kind.STRING ? argument.value.value : '';
      if (text.includes('{')) return [];
      return text
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((name): Key[number] => {
          const fieldType = fields[name] && getNamedType(fields[name].type).name;
          return [name, (fieldType && SCALAR_VALUES[fieldType]) || isPresent];
        });
    });
}

/** What is wrong with a representation, or null when it names an entity by one of its keys. */
function problemWith(representation: unknown, keys: ReadonlyMap<string, Key[]>): string | null {
  if (
    typeof representation !== 'object' ||
    representation === null ||
    Array.isArray(representation)
  )
    return 'is not an object';
  const fields = representation as Record<string, unknown>;
  const typename = fields.__typename;
  const typeKeys = typeof typename === 'string' ? keys.get(typename) : undefined;
  if (!typeKeys) return 'names no entity type of this subgraph in `__typename`';
  const complete = typeKeys.some((key) =>
    key.every(([name, accepts]) => Object.hasOwn(fields, name) && accepts(fields[name])),
  );
  return complete
    ? null
    : `lacks a key of ${typename as string}, or gives one a value of the wrong type`;
}

/** Wraps the schema's `_entities` resolver (if it has one) in the check above. */
export function checkRepresentations(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()._entities;
  const entity = schema.getType('_Entity');
  if (!field?.resolve || !isUnionType(entity)) return;
  const keys = new Map(entity.getTypes().map((type) => [type.name, keysOf(type)]));
  const resolve = field.resolve as GraphQLFieldResolver<unknown, unknown>;
  field.resolve = (source, args: { representations: unknown[] }, context, info) => {
    args.representations.forEach((representation, index) => {
      const problem = problemWith(representation, keys);
      if (problem) throw badUserInput(`representations[${index}] ${problem}.`, 'representations');
    });
    return resolve(source, args, context, info);
  };
}
