/**
 * Runs a subgraph's queries and mutations through graphql-jit instead of graphql-js's
 * interpreter. Every subgraph request is one of a handful of documents (the gateway's query
 * plans), so each is compiled once into plain JavaScript and then only run: graphql-js's
 * per-field work (field lookup, argument coercion for `_entities`' 50 representations, path
 * and info objects) was the largest share of what a subgraph request cost after the data.
 *
 * Apollo Server has no executor option for a plain schema; its gateway interface is the one
 * public hook that hands it an executor, so the subgraph's schema is served as a "gateway"
 * whose schema never changes. Apollo still parses, validates, runs every plugin and formats
 * every error; only execution itself is replaced. Resolvers are the schema's own, so
 * graphql-middleware's wrappers (graphql-shield) still run.
 */
import type {
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
} from '@apollo/server-gateway-interface';
import {
  execute,
  getNamedType,
  GraphQLError,
  type ExecutionResult,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLScalarType,
  printSchema,
  specifiedScalarTypes,
  typeFromAST,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** The compiled operations of one document by name (a document rarely has two). */
type CompiledOperations = Map<string | null, CompiledQuery | null>;

/**
 * Scalars whose parseValue returns a value it accepts again unchanged: graphql-js's own, and
 * federation's `_Any` (representations pass through as they are).
 */
const REPARSABLE_SCALARS = new Set([...specifiedScalarTypes.map((t) => t.name), '_Any']);

/**
 * Whether coercing this type's already coerced values again changes nothing: true for the
 * scalars above, enums whose values are their names, and input objects and lists of those.
 */
function coercesIdempotently(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (seen.has(named.name)) return true;
  seen.add(named.name);
  if (named instanceof GraphQLScalarType) return REPARSABLE_SCALARS.has(named.name);
  if (named instanceof GraphQLEnumType) return named.getValues().every((v) => v.value === v.name);
  if (named instanceof GraphQLInputObjectType) {
    return Object.values(named.getFields()).every((f) => coercesIdempotently(f.type, seen));
  }
  return false;
}

/**
 * graphql-jit coerces variables its own way: other messages than graphql-js's, and an input
 * field's default is not applied where the field is non-null (`level: LogLevel! = INFO` inside
 * a list). So graphql-js coerces them, as it would in `execute`, and graphql-jit is handed the
 * result — which it coerces again, a no-op only for the types coercesIdempotently accepts;
 * operations with other variable types are left to graphql-js.
 */
function variablesSurviveRecoercion(schema: GraphQLSchema, operation: OperationDefinitionNode) {
  return (operation.variableDefinitions ?? []).every((definition) => {
    const type = typeFromAST(schema, definition.type);
    return type !== undefined && coercesIdempotently(type as GraphQLInputType);
  });
}

/**
 * Compiles each (document, operation) once. Documents are keyed by identity: Apollo Server's
 * document store hands back the same parsed document for the same query text, and drops it
 * when the store evicts it, so the cache is bounded by that store.
 */
function compiledExecutor(schema: GraphQLSchema): GatewayExecutor {
  const compiled = new WeakMap<DocumentNode, CompiledOperations>();

  const compiledFor = (
    document: DocumentNode,
    operation: OperationDefinitionNode,
    operationName: string | null,
  ) => {
    let operations = compiled.get(document);
    if (!operations) compiled.set(document, (operations = new Map()));
    let query = operations.get(operationName);
    if (query === undefined) {
      const result = variablesSurviveRecoercion(schema, operation)
        ? compileQuery(schema, document, operationName ?? undefined)
        : null;
      // What does not compile runs in graphql-js, which then reports what is wrong with it.
      query = result && isCompiledQuery(result) ? result : null;
      operations.set(operationName, query);
    }
    return query;
  };

  return async (requestContext: GatewayGraphQLRequestContext) => {
    const { document, operation, operationName, context, request } = requestContext;
    const query = compiledFor(document, operation, operationName);
    if (query) {
      // As graphql-js's execute does before running anything (maxErrors as there).
      const variables = getVariableValues(
        schema,
        operation.variableDefinitions ?? [],
        request.variables ?? {},
        { maxErrors: 50 },
      );
      if (variables.errors) return { errors: variables.errors };
      return withGraphQLJsErrors(await query.query(undefined, context, variables.coerced));
    }
    return execute({
      schema,
      document,
      contextValue: context,
      variableValues: request.variables,
      operationName,
    });
  };
}

/**
 * graphql-jit's errors only look like graphql-js's: one raised by a plain Error has no
 * `extensions`, on which GraphQLError#toJSON (and so Apollo's error formatting) fails. Each is
 * rebuilt as graphql-js's locatedError would have built it: same message, locations and path,
 * the original error kept (for logging and for the client codes it carries).
 */
function withGraphQLJsErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((jitError) => {
    const error = new GraphQLError(jitError.message, {
      path: jitError.path,
      originalError: jitError.originalError ?? undefined,
    });
    // graphql-js derives locations from AST nodes; the compiled query kept only the locations.
    return Object.assign(error, { locations: jitError.locations });
  });
  return { ...result, errors };
}

/** The subgraph's schema served as an unchanging "gateway" whose executor is compiled. */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  let onLoad: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0] | null = null;
  return {
    onSchemaLoadOrUpdate(callback) {
      onLoad = callback;
      return () => {
        onLoad = null;
      };
    },
    async load() {
      // Only Apollo's schema reporting reads the SDL; it is printed once, at start.
      onLoad?.({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return { executor: compiledExecutor(schema) };
    },
    async stop() {},
  };
}
