/**
 * The gateway's hot path: operations it has already run once. A document's first request goes
 * through Apollo Server's whole pipeline — parsing, validation, operation limits, the operation
 * guard, planning — all of which depend on the document alone. When that request reaches
 * execution, its operation and query plan are remembered here, keyed by query text and
 * operation name. A later request for the same document skips the pipeline: it coerces its
 * variables, gets its context (token verification, request budget), runs the remembered plan
 * with @apollo/gateway's executeQueryPlan and writes the JSON.
 *
 * Anything out of the ordinary is left to Apollo Server, so the answer is exactly its answer: a
 * document not seen yet or longer than MAX_REMEMBERED_DOCUMENT_LENGTH, variables that do not
 * coerce or give null where the operation needs a value, a cost that depends on variables, APQ
 * or other extensions, a content type or Accept header other than plain JSON, a refused context.
 * Remembered plans are dropped when the supergraph changes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Experimental_DidResolveQueryPlanCallback } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import type { GraphQLError } from 'graphql';
import { getVariableValues, type GraphQLFormattedError } from 'graphql';
import Negotiator from 'negotiator';
import type { RequestObserver } from '../platform/metrics';
import {
  nonNullVariableUsages,
  nullVariableErrors,
  SINGLE_RESULT_MEDIA_TYPES,
} from '../platform/operation-guard';
import type { DocumentContext, Execution, GatewayContext } from './execution';
import type { OperationPath } from './metrics';
import { compileLeanQuery, type LeanQuery } from './lean-executor';
import { MAX_REMEMBERED_DOCUMENT_LENGTH, operationCost } from './operation-limits';

interface KnownOperation {
  queryPlan: QueryPlan;
  /** The plan compiled for the lean executor, when it covers this query. */
  lean: LeanQuery | null;
  /** Variables that may not be null here although they coerce from null: the guard refuses it. */
  nonNullVariables: ReadonlyMap<string, string>;
  /** The pipeline's own request context for this document, for executeQueryPlan. */
  document: DocumentContext;
  /** The executed operation's own name (null when anonymous), for metrics. */
  operationName: string | null;
  type: string;
}

/** A request the hot path will answer, once it has the request's context. */
export interface HotRequest {
  known: KnownOperation;
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  contentType: string;
}

export interface KnownOperations {
  /** For ApolloGateway's experimental_didResolveQueryPlan: remembers what Apollo let through. */
  remember: Experimental_DidResolveQueryPlanCallback;
  /** The hot request for this body, or null when Apollo Server must answer it. */
  match(req: IncomingMessage, body: unknown): HotRequest | null;
  answer(request: HotRequest, context: GatewayContext, res: ServerResponse): Promise<void>;
  /** Forgets every plan (the supergraph changed). */
  clear(): void;
}

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
/**
 * The media types Apollo Server negotiates for a single result, in its order
 * (chooseContentTypeForSingleResultResponse): the hot path serves the first two, and leaves a
 * request that prefers the third (Apollo's callback protocol) to Apollo.
 */
const MEDIA_TYPES = [...SINGLE_RESULT_MEDIA_TYPES];
const SERVED_MEDIA_TYPES = new Set<string>(MEDIA_TYPES.slice(0, 2));

export function createKnownOperations(options: {
  formatError: (formatted: GraphQLFormattedError) => GraphQLFormattedError;
  observer: RequestObserver;
  onAnswered: (path: OperationPath) => void;
  execution: Execution;
  maxEntries: number;
}): KnownOperations {
  const { execution } = options;
  const operations = new Map<string, KnownOperation>();
  // An empty operationName is not a missing one: Apollo refuses it, so it is never remembered.
  const keyOf = (query: string, operationName: string | null | undefined) =>
    operationName == null ? `\n${query}` : `${operationName}\u0000\n${query}`;

  return {
    remember({ queryPlan, requestContext, operationContext }) {
      const { source, request, document } = requestContext;
      if (!source || request.extensions || operations.size >= options.maxEntries) return;
      if (source.length > MAX_REMEMBERED_DOCUMENT_LENGTH) return;
      // Plans whose cost depends on variables need the limit checked per request: Apollo's.
      if (operationCost(operationContext.schema, document, request.operationName, {}).usesVariables)
        return;
      operations.set(keyOf(source, request.operationName), {
        queryPlan,
        lean: compileLeanQuery(
          operationContext.schema,
          operationContext.operation,
          operationContext.fragments,
          queryPlan,
        ),
        nonNullVariables: nonNullVariableUsages(
          operationContext.schema,
          operationContext.operation,
          Object.values(operationContext.fragments),
        ),
        document: {
          schema: requestContext.schema,
          schemaHash: requestContext.schemaHash,
          queryHash: requestContext.queryHash,
          document,
          source,
          operationName: requestContext.operationName,
          operation: requestContext.operation,
          operationContext,
        },
        operationName: operationContext.operation.name?.value ?? null,
        type: operationContext.operation.operation,
      });
    },

    match(req, body) {
      if (!execution.current() || !isPlainRequest(body)) return null;
      if (!JSON_CONTENT_TYPE.test(req.headers['content-type'] ?? '')) return null;
      const accept = req.headers.accept;
      const contentType = accept
        ? new Negotiator({ headers: { accept } }).mediaType(MEDIA_TYPES)
        : MEDIA_TYPES[0];
      if (!contentType || !SERVED_MEDIA_TYPES.has(contentType)) return null;
      const operationName = body.operationName ?? undefined;
      const known = operations.get(keyOf(body.query, operationName));
      if (!known) return null;
      const variables = body.variables ?? {};
      const { operation, schema } = known.document.operationContext;
      const definitions = operation.variableDefinitions;
      if (definitions?.length && getVariableValues(schema, definitions, variables).errors)
        return null;
      if (nullVariableErrors(operation, variables, () => known.nonNullVariables)) return null;
      return { known, query: body.query, operationName, variables, contentType };
    },

    async answer({ known, query, operationName, variables, contentType }, context, res) {
      const answered = options.observer.start();
      const respond = (status: number, body: object) => {
        // Apollo Server's field order and trailing newline: both paths answer byte for byte alike.
        const payload = `${JSON.stringify(body)}\n`;
        res.writeHead(status, {
          // Apollo's cache control plugin says the same of every answer without cache hints,
          // and no type or field of ours has one.
          'cache-control': 'no-store',
          'content-type': contentType,
          'content-length': Buffer.byteLength(payload),
        });
        res.end(payload);
        answered(known.operationName, known.type);
      };
      const lean = await known.lean?.execute(variables, context, execution.current()!.services);
      if (lean && 'data' in lean) {
        options.onAnswered('lean');
        return respond(200, { data: lean.data });
      }
      options.onAnswered('cached-plan');
      const result = await execution.runPlan(
        known.queryPlan,
        known.document,
        { query, operationName, variables, context },
        lean?.fallBack,
      );
      let status: number | undefined;
      const errors = result.errors?.map((error) => {
        const formatted = formatLikeApollo(error, options.formatError);
        if (formatted.status) status = formatted.status;
        options.observer.countError(formatted.error.extensions?.code);
        return formatted.error;
      });
      // Apollo Server 5 answers 400 for errors without data when no error chose a status.
      status ??= errors?.length && result.data === undefined ? 400 : 200;
      respond(status, { errors, data: result.data, extensions: result.extensions });
    },

    clear() {
      operations.clear();
    },
  };
}

interface PlainRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

function isPlainRequest(body: unknown): body is PlainRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { query, operationName, variables, extensions } = body as Record<string, unknown>;
  return (
    typeof query === 'string' &&
    extensions === undefined &&
    (operationName == null || typeof operationName === 'string') &&
    (variables == null || (typeof variables === 'object' && !Array.isArray(variables)))
  );
}

/** What Apollo Server's error normalization does to an execution error, then formatError. */
function formatLikeApollo(
  error: GraphQLError,
  formatError: (formatted: GraphQLFormattedError) => GraphQLFormattedError,
): { error: GraphQLFormattedError; status?: number } {
  const { http, ...extensions } = error.extensions as Record<string, unknown> & {
    http?: { status?: number };
  };
  extensions.code ??= 'INTERNAL_SERVER_ERROR';
  return {
    error: formatError({ ...error.toJSON(), extensions }),
    ...(typeof http?.status === 'number' ? { status: http.status } : {}),
  };
}
