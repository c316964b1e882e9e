/**
 * Operation limits, checked at the gateway before any subgraph is called. graphql-armor (its
 * Apollo flavour) enforces depth, aliases, directives and tokens and hides field suggestions;
 * two small checks of our own cover what it does not: root fields per operation, and cost as
 * opsgraph's lists multiply it (a list field costs its page size, `first`/`last`, times what it
 * selects). Every violation is QUERY_TOO_COMPLEX and names the limit.
 *
 * The armor and root-field checks are validation rules, so Apollo Server runs them once per
 * distinct document (its document store caches validated documents); the cost depends on
 * variables and is cached per document when the document's lists take no variables.
 */
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { GraphQLError, parse, validate, type GraphQLFormattedError } from 'graphql';
import { clientError, ErrorCode, formatErrorForClient } from '../platform/errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../platform/wire';

/**
 * Documents longer than this are not remembered by the caches keyed by their text (the hot
 * path's known operations, the cost limit's costs), and subscriptions, which hold theirs for
 * their life, refuse them: ever new long ones — a megabyte of comment each, sent anonymously —
 * made the gateway hold about 1.8 MB per document, up to a thousand of them. Operations clients
 * send are a few kilobytes.
 */
export const MAX_REMEMBERED_DOCUMENT_LENGTH = 16_384;

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  /** "Did you mean …?" hints in validation errors (they reveal the schema). */
  fieldSuggestions: boolean;
}

export const OPERATION_LIMIT_DEFAULTS = {
  maxDepth: 12,
  maxAliases: 30,
  maxRootFields: 20,
  maxDirectives: 50,
  maxTokens: 5_000,
  maxCost: 50_000,
} as const;

/** graphql-js's own message when `parse` stops at `maxTokens` (16.x spells it "more that"). */
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] \d+ tokens/;

const tooComplex = (limit: string, message: string) =>
  clientError(ErrorCode.QUERY_TOO_COMPLEX, message, {
    limit,
    http: { status: 400, headers: new HeaderMap() },
  });

/** Armor's own errors are validation failures; ours say which limit the operation broke. */
const reportAs =
  (limit: string) =>
  (context: ValidationContext | null, error: GraphQLError): void => {
    const ours = tooComplex(limit, error.message.replace(/^Syntax Error: /, ''));
    if (context) context.reportError(ours);
    else throw ours;
  };

const maxRootFieldsRule =
  (max: number): ValidationRule =>
  (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions)
      if (definition.kind === Kind.FRAGMENT_DEFINITION)
        fragments.set(definition.name.value, definition);
    const count = (set: SelectionSetNode, seen: Set<string>): number =>
      set.selections.reduce((total, selection) => {
        if (selection.kind === Kind.FIELD) return total + 1;
        if (selection.kind === Kind.INLINE_FRAGMENT)
          return total + count(selection.selectionSet, seen);
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) return total;
        return total + count(fragment.selectionSet, new Set([...seen, fragment.name.value]));
      }, 0);
    return {
      OperationDefinition(operation) {
        const found = count(operation.selectionSet, new Set());
        if (found > max)
          context.reportError(
            tooComplex('maxRootFields', `Root field limit of ${max} exceeded, found ${found}.`),
          );
      },
    };
  };

/**
 * A list's size from its `first`/`last` argument (literal or variable), as the subgraph serves
 * it: left out or null, a paged field serves its declared default, or DEFAULT_PAGE_SIZE.
 */
function listSize(
  field: FieldNode,
  definition: GraphQLField<unknown, unknown>,
  variables: Record<string, unknown>,
  usesVariables: { value: boolean },
): number {
  let paged = false;
  for (const name of ['first', 'last']) {
    const declared = definition.args.find((a) => a.name === name);
    if (!declared) continue;
    paged = true;
    const argument = field.arguments?.find((a) => a.name.value === name);
    const value = argument
      ? valueOf(argument.value, variables, usesVariables)
      : declared.defaultValue;
    if (typeof value === 'number') return Math.max(0, Math.min(value, MAX_PAGE_SIZE));
  }
  return paged ? DEFAULT_PAGE_SIZE : 1;
}

function valueOf(
  node: ValueNode,
  variables: Record<string, unknown>,
  usesVariables: { value: boolean },
): unknown {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    usesVariables.value = true;
    return variables[node.name.value];
  }
  return undefined;
}

/** The variables as execution sees them: a variable left out takes its declared default. */
function withDefaults(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  let filled = variables;
  for (const { variable, defaultValue } of operation.variableDefinitions ?? [])
    if (defaultValue && variables[variable.name.value] === undefined)
      filled = { ...filled, [variable.name.value]: valueFromASTUntyped(defaultValue) };
  return filled;
}

/**
 * The cost of an operation: 1 per field, a list field's selection multiplied by its page size.
 * Connections (`edges { node }`) are costed through their `first`/`last` on the field that
 * returns the connection.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
): { cost: number; usesVariables: boolean } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
    else if (
      definition.kind === Kind.OPERATION_DEFINITION &&
      (!operationName || definition.name?.value === operationName)
    )
      operation ??= definition;
  }
  const usesVariables = { value: false };
  if (!operation) return { cost: 0, usesVariables: false };
  const values = withDefaults(operation, variables);
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();

  const costOf = (
    set: SelectionSetNode,
    parent: GraphQLObjectType | null,
    seen: ReadonlySet<string>,
  ): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : parent;
        total += costOf(selection.selectionSet, isObjectType(type) ? type : parent, seen);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        // Cycles are refused by validation; never loop on them here.
        if (!fragment || seen.has(fragment.name.value)) continue;
        const type = schema.getType(fragment.typeCondition.name.value);
        total += costOf(
          fragment.selectionSet,
          isObjectType(type) ? type : parent,
          new Set([...seen, fragment.name.value]),
        );
        continue;
      }
      if (selection.name.value.startsWith('__')) continue;
      const definition = parent?.getFields()[selection.name.value];
      if (!definition || !selection.selectionSet) {
        total += 1;
        continue;
      }
      const named = getNamedType(definition.type);
      const child = isObjectType(named) ? named : null;
      const inner = costOf(selection.selectionSet, child, seen);
      const isList =
        isListType(getNullableType(definition.type)) ||
        definition.args.some((a) => a.name === 'first' || a.name === 'last');
      const multiplier = isList ? listSize(selection, definition, values, usesVariables) : 1;
      total += 1 + multiplier * inner;
    }
    return total;
  };
  return {
    cost: costOf(operation.selectionSet, root ?? null, new Set()),
    usesVariables: usesVariables.value,
  };
}

/** Cost as an Apollo plugin: after the operation is resolved, before it is planned or sent. */
function useCostLimit(maxCost: number): ApolloServerPlugin {
  const cache = new Map<string, number>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, schema, request, source }) {
          let cost = source ? cache.get(source) : undefined;
          if (cost === undefined) {
            const result = operationCost(
              schema,
              document,
              request.operationName ?? undefined,
              request.variables ?? {},
            );
            cost = result.cost;
            if (
              source &&
              source.length <= MAX_REMEMBERED_DOCUMENT_LENGTH &&
              !result.usesVariables
            ) {
              if (cache.size >= 1000) cache.clear();
              cache.set(source, cost);
            }
          }
          if (cost > maxCost)
            throw tooComplex('maxCost', `Query cost limit of ${maxCost} exceeded, found ${cost}.`);
        },
      };
    },
  };
}

/** The limits' verdict on an operation outside Apollo Server: null, or the errors refusing it. */
export type CheckOperation = (
  schema: GraphQLSchema,
  query: string,
  operationName: string | undefined,
  variables: Record<string, unknown>,
) => readonly GraphQLError[] | null;

export function createOperationLimits(limits: OperationLimits): {
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
  parseOptions: { maxTokens: number };
  /** The gateway's formatError: limit violations named, suggestions hidden when asked. */
  formatError: (formatted: GraphQLFormattedError, original?: unknown) => GraphQLFormattedError;
  /**
   * The same limits for transports Apollo Server does not carry (subscriptions over WebSocket),
   * with the codes and messages its pipeline gives. Other parse and validation errors are left to
   * the caller's own validation (null).
   */
  checkOperation: CheckOperation;
} {
  const callbacks = (limit: string) => ({
    onReject: [reportAs(limit)],
    propagateOnRejection: false,
    exposeLimits: true,
  });
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ...callbacks('maxDepth') },
    maxAliases: { n: limits.maxAliases, ...callbacks('maxAliases') },
    maxDirectives: { n: limits.maxDirectives, ...callbacks('maxDirectives') },
    // graphql-js counts tokens while parsing (parseOptions below); armor's Apollo plugin throws
    // from a hook, which Apollo answers with a 500.
    maxTokens: { enabled: false },
    // Armor's cost counts depth, not page sizes; ours (below) follows `first`/`last`.
    costLimit: { enabled: false },
    // Its plugin edits messages after they are formatted; formatError below hides them instead.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  const validationRules = [...armor.validationRules, maxRootFieldsRule(limits.maxRootFields)];
  /** What the client sees of a limit error over HTTP: its message and {code, limit}. */
  const asSeenOverHttp = (error: GraphQLError) => {
    const { code, limit } = error.extensions;
    return new GraphQLError(error.message, {
      source: error.source,
      positions: error.positions,
      extensions: { code, limit },
    });
  };
  return {
    plugins: [...(armor.plugins as ApolloServerPlugin[]), useCostLimit(limits.maxCost)],
    validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    checkOperation(schema, query, operationName, variables) {
      let document: DocumentNode;
      try {
        document = parse(query, { maxTokens: limits.maxTokens });
      } catch (error) {
        if (!(error instanceof GraphQLError) || !TOKEN_LIMIT.test(error.message)) return null;
        return [
          new GraphQLError(`Token limit of ${limits.maxTokens} exceeded.`, {
            source: error.source,
            positions: error.positions,
            extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit: 'maxTokens' },
          }),
        ];
      }
      const refused = validate(schema, document, validationRules).filter(
        (error) => typeof error.extensions.limit === 'string',
      );
      if (refused.length > 0) return refused.map(asSeenOverHttp);
      const { cost } = operationCost(schema, document, operationName, variables);
      if (cost > limits.maxCost)
        return [
          asSeenOverHttp(
            tooComplex('maxCost', `Query cost limit of ${limits.maxCost} exceeded, found ${cost}.`),
          ),
        ];
      return null;
    },
    formatError: (formatted, original) => {
      if (TOKEN_LIMIT.test(formatted.message))
        return {
          ...formatted,
          message: `Token limit of ${limits.maxTokens} exceeded.`,
          extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit: 'maxTokens' },
        };
      const { code, limit } = formatted.extensions ?? {};
      // Apollo re-labels every validation error GRAPHQL_VALIDATION_FAILED; ours carry `limit`.
      if (typeof limit === 'string' && code !== ErrorCode.QUERY_TOO_COMPLEX)
        return { ...formatted, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit } };
      const message = limits.fieldSuggestions
        ? formatted.message
        : formatted.message.replace(/ ?Did you mean .+\?$/, '');
      return formatErrorForClient({ ...formatted, message }, original);
    },
  };
}
