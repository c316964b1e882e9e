import type { ApolloServerPlugin } from '@apollo/server';
import {
  getVariableValues,
  GraphQLError,
  isNonNullType,
  Kind,
  TypeInfo,
  ValidationContext,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import Negotiator from 'negotiator';
import { ErrorCode } from './errors';

const badRequest = (message: string, status = 400) =>
  new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status } },
  });

// An empty operationName names no operation (graphql-js looks for one named ""): told so, not
// that the document has several.
const noOperationMessage = (operationName: string | null | undefined) =>
  operationName != null
    ? `The document has no operation named "${operationName}".`
    : 'The document has several operations: name the one to run in `operationName`.';

/**
 * The media types Apollo Server answers a single result in, in its order
 * (chooseContentTypeForSingleResultResponse), charset included: Negotiator matches a parameter of
 * an Accept entry only against the same parameter of a type offered, so a client sending
 * `Accept: application/json; charset=utf-8` is served these, and would be refused a bare
 * `application/json`. The third is Apollo's callback protocol (subscriptions).
 */
export const SINGLE_RESULT_MEDIA_TYPES = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
] as const;

/** The answers a query or mutation gets over HTTP: one JSON result. */
const JSON_ANSWERS = SINGLE_RESULT_MEDIA_TYPES.slice(0, 2);

/** Told to a subscription asking for no answer it can be given over HTTP (406). */
export const SUBSCRIPTION_TRANSPORTS =
  'Subscriptions are served at this same URL over WebSocket (graphql-ws), or over HTTP ' +
  'with `Accept: text/event-stream` (GraphQL over SSE) or ' +
  '`Accept: multipart/mixed;subscriptionSpec=1.0` (multipart).';

/** Whether a request's Accept header takes the one JSON result a query or mutation gets. */
export const acceptsJsonAnswer = (accept: string | undefined) =>
  !accept || new Negotiator({ headers: { accept } }).mediaType(JSON_ANSWERS) !== undefined;

/**
 * Requests Apollo would fail with a masked internal error (at the gateway, or in a subgraph
 * without subscriptions) get a clear 400 instead:
 * subscriptions sent over HTTP without asking for a streaming response (406: they are served
 * over graphql-ws, SSE or multipart HTTP), and documents whose operation cannot be chosen (an unknown `operationName`, or several operations and none named).
 * A query or mutation whose Accept header takes no JSON (only a stream) is refused with 406
 * before it runs: Apollo refuses it too, but only once it has executed, so a client told "not
 * acceptable" had its mutation carried out.
 */
export function useOperationGuard<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, schema, document }) {
          if (!operation) {
            throw badRequest(noOperationMessage(request.operationName));
          }
          const [nullVariable] =
            nullVariableErrors(operation, request.variables, () =>
              nonNullVariableUsages(schema, operation, fragmentsOf(document)),
            ) ?? [];
          if (nullVariable) {
            throw new GraphQLError(nullVariable.message, {
              nodes: nullVariable.nodes,
              extensions: { ...nullVariable.extensions, http: { status: 400 } },
            });
          }
          if (operation.operation === 'subscription')
            throw badRequest(SUBSCRIPTION_TRANSPORTS, 406);
          // Apollo words the answer itself: it refuses the error response too.
          if (!acceptsJsonAnswer(request.http?.headers.get('accept'))) {
            throw badRequest(
              'The Accept header takes neither application/json nor ' +
                'application/graphql-response+json, the answers a query or mutation gets.',
              406,
            );
          }
        },
      };
    },
  };
}

/*
 * The same refusals for the transports Apollo Server does not carry (subscriptions over
 * graphql-ws, SSE and multipart), run before subscribing. graphql-js reports both as a result
 * without a code, which a subgraph masks as an internal error and the gateway's executor takes
 * for a passing refusal (subscribing again, then "unavailable, retry"): the client must hear that
 * its request is wrong, at once.
 */

/** A document whose operation cannot be chosen, refused as over HTTP. */
export const noOperationError = (operationName: string | null | undefined) =>
  new GraphQLError(noOperationMessage(operationName), {
    extensions: { code: ErrorCode.BAD_USER_INPUT },
  });

/**
 * Variables that do not coerce to the operation's definitions, refused as Apollo Server refuses
 * them over HTTP (graphql-js's message, BAD_USER_INPUT), or a null where the operation needs a
 * value (nullVariableErrors); null when they coerce. `fragments`: those of the operation's
 * document, where variables are used too.
 */
export function variableErrors(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
  fragments: readonly FragmentDefinitionNode[] = [],
): GraphQLError[] | null {
  const { errors } = getVariableValues(
    schema,
    operation.variableDefinitions ?? [],
    variables ?? {},
  );
  return errors
    ? errors.map(
        (error) =>
          new GraphQLError(error.message, {
            nodes: error.nodes,
            extensions: { code: ErrorCode.BAD_USER_INPUT },
          }),
      )
    : nullVariableErrors(operation, variables, () =>
        nonNullVariableUsages(schema, operation, fragments),
      );
}

/** The fragment definitions of a document. */
export const fragmentsOf = (document: DocumentNode): FragmentDefinitionNode[] =>
  document.definitions.filter(
    (definition): definition is FragmentDefinitionNode =>
      definition.kind === Kind.FRAGMENT_DEFINITION,
  );

/**
 * The variables an operation declares nullable but uses where a value must not be null (name →
 * the type needed there), in its fragments too. Validation allows such a use when the variable
 * or the argument has a default (VariablesInAllowedPositionRule), and the variable coerces when
 * the client sends an explicit null; only execution then fails, with an error without a code:
 * masked as INTERNAL_SERVER_ERROR, beside null fields for a field's argument, and as the whole
 * answer, HTTP 400 and no data, for the `if` of `@skip` or `@include`.
 */
export function nonNullVariableUsages(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: readonly FragmentDefinitionNode[],
): ReadonlyMap<string, string> {
  const usages = new Map<string, string>();
  const nullable = new Set(
    (operation.variableDefinitions ?? [])
      .filter((definition) => definition.type.kind !== Kind.NON_NULL_TYPE)
      .map((definition) => definition.variable.name.value),
  );
  if (nullable.size === 0) return usages;
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
  const context = new ValidationContext(schema, document, new TypeInfo(schema), () => undefined);
  for (const { node, type } of context.getRecursiveVariableUsages(operation)) {
    const name = node.name.value;
    if (type && isNonNullType(type) && nullable.has(name) && !usages.has(name))
      usages.set(name, String(type));
  }
  return usages;
}

/**
 * An explicit null given to a variable of nonNullVariableUsages (`usages`, asked for only when
 * some variable is null: the gateway's hot path keeps them per operation, others work them out):
 * the client's mistake, refused before execution as a variable that does not coerce is
 * (BAD_USER_INPUT); null when there is none.
 */
export function nullVariableErrors(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
  usages: () => ReadonlyMap<string, string>,
): GraphQLError[] | null {
  // The usual request has no null variable: nothing to look at.
  if (!variables || !Object.values(variables).includes(null)) return null;
  const errors = [...usages()]
    .filter(([name]) => Object.hasOwn(variables, name) && variables[name] === null)
    .map(
      ([name, type]) =>
        new GraphQLError(
          `Variable "$${name}" must not be null: it is used where a value of type "${type}" is required.`,
          {
            nodes: operation.variableDefinitions?.find(
              (definition) => definition.variable.name.value === name,
            ),
            extensions: { code: ErrorCode.BAD_USER_INPUT },
          },
        ),
    );
  return errors.length > 0 ? errors : null;
}

/**
 * The GraphQL spec's rule (since graphql-spec#860; graphql-js 17 has it, our 16 does not): no
 * `@skip` or `@include` in a subscription's top level selection, fragments included; one error
 * per subscription that has them. Run before graphql-js's validation, which throws rather than
 * reports when such a directive takes a variable (its single-field rule collects the root fields
 * without variables): a 500 over HTTP, and the client's whole WebSocket closed with 4500 at the
 * gateway. With a literal, a directive that leaves no root field made Apollo's planner throw.
 */
export function subscriptionRootDirectiveErrors(document: DocumentNode): GraphQLError[] {
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition.selectionSet);
  return document.definitions.flatMap((operation) => {
    if (operation.kind !== Kind.OPERATION_DEFINITION || operation.operation !== 'subscription')
      return [];
    const found: DirectiveNode[] = [];
    const spread = new Set<string>();
    const visit = ({ selections }: SelectionSetNode) => {
      for (const selection of selections) {
        for (const directive of selection.directives ?? [])
          if (directive.name.value === 'skip' || directive.name.value === 'include')
            found.push(directive);
        if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
        if (selection.kind === Kind.FRAGMENT_SPREAD && !spread.has(selection.name.value)) {
          spread.add(selection.name.value);
          const fragment = fragments.get(selection.name.value);
          if (fragment) visit(fragment);
        }
      }
    };
    visit(operation.selectionSet);
    if (found.length === 0) return [];
    const subscription = operation.name
      ? `Subscription "${operation.name.value}"`
      : 'Anonymous Subscription';
    return [
      new GraphQLError(
        `${subscription} must not use \`@skip\` or \`@include\` directives in the top level selection.`,
        { nodes: found, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      ),
    ];
  });
}
