/**
 * The subgraphs' fast path for the requests they serve most: a query from the gateway, POSTed as
 * JSON, that succeeds. Apollo Server's HTTP pipeline (header maps, content negotiation, hashing
 * the document for its cache, plugin hooks around every step) cost a subgraph about as much CPU
 * as executing a small `_entities` query; here a request is parsed and validated once per
 * document, its operation compiled once by graphql-jit (graphql-js's per-field execution and the
 * JSON output of its null-prototype results were most of what was left of a page's cost; Apollo
 * runs graphql-js, so the differential test holds the two to the same bytes), and answered with
 * the bytes Apollo would send. A compiled query coerces its own variables, and whatever it
 * refuses goes to Apollo, whose messages clients get — including what graphql-jit refuses that
 * graphql-js takes (a non-null input field left to its default value: no query of ours takes
 * one), so such a difference costs a second execution, never a different answer.
 *
 * It is deliberately the success path only: anything else — a mutation, a document that does not
 * parse or validate, introspection, persisted-query extensions, another content type or `Accept`
 * header, a refused credential, a result with errors — returns false before anything is written,
 * and the caller hands the same request to Apollo Server, whose answer, errors included, is the
 * one clients get. Only queries run here, so running one again there changes nothing but the
 * cost: a query answered with errors is executed twice (errors are rare on the gateway's
 * traffic; formatting them here would be a second copy of Apollo's error handling).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  execute,
  getOperationAST,
  parse,
  validate,
  visit,
  BREAK,
  Kind,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { RequestObserver } from '../../platform/metrics';
import type { RequestInfo } from './request-info';

/**
 * Documents kept parsed and validated: the gateway sends a few dozen distinct ones. The cache
 * starts over when it holds this many, or this many characters of documents in all, so that
 * clients sending ever new documents cannot make it grow; longer documents are Apollo's.
 */
const MAX_DOCUMENTS = 1000;
const MAX_CACHED_CHARACTERS = 2_000_000;
const MAX_DOCUMENT_LENGTH = 16_384;

/** Apollo Server's content type for a single result when the request sends no `Accept`. */
const CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * A document that validated, with its operations compiled as they are asked for again (by
 * operation name; null where graphql-jit cannot compile one), or null when Apollo must answer it.
 */
type Checked = {
  document: DocumentNode;
  compiled: Map<string | undefined, CompiledQuery | null>;
  /** Requests for it so far, up to the second: the first runs on graphql-js. */
  requests: number;
  /** Whether graphql-jit answers it as graphql-js does (jitAnswersAlike); graphql-js if not. */
  compilable: boolean;
} | null;

/** Whether a node of `kind` in `document` passes `test`. */
function anyNode(
  document: DocumentNode,
  kind: Kind.FIELD | Kind.DIRECTIVE,
  test: (node: { name: { value: string } }) => boolean,
): boolean {
  let found = false;
  visit(document, {
    [kind](node: { name: { value: string } }) {
      if (!test(node)) return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

const usesIntrospection = (document: DocumentNode) =>
  anyNode(document, Kind.FIELD, ({ name }) => name.value === '__schema' || name.value === '__type');

/**
 * Whether graphql-jit (0.8) answers the document as graphql-js does. It does not when a
 * fragment is spread under @skip/@include in one place and without in another: the condition
 * sticks to the fragment's fields, and the other spread loses them. Documents with either
 * directive run on graphql-js.
 */
const jitAnswersAlike = (document: DocumentNode) =>
  !anyNode(
    document,
    Kind.DIRECTIVE,
    ({ name }) => name.value === 'skip' || name.value === 'include',
  );

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Fields of a GraphQL-over-HTTP POST body this path takes; anything more goes to Apollo. */
const BODY_FIELDS = new Set(['query', 'variables', 'operationName', 'extensions']);

interface LeanRequest {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

/** The request this path can answer, or null. */
function leanRequest(req: IncomingMessage, body: unknown): LeanRequest | null {
  if (req.method !== 'POST' || req.headers.accept !== undefined) return null;
  // Exactly JSON: a "simple" content type naming JSON in a parameter is Apollo's to refuse (CSRF).
  const contentType = req.headers['content-type'];
  if (contentType?.split(';')[0]?.trim().toLowerCase() !== 'application/json') return null;
  if (!isRecord(body) || typeof body.query !== 'string') return null;
  for (const key in body) if (!BODY_FIELDS.has(key)) return null;
  const { variables, operationName, extensions } = body;
  if (extensions != null && !(isRecord(extensions) && Object.keys(extensions).length === 0))
    return null;
  if (variables != null && !isRecord(variables)) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  return {
    query: body.query,
    variables: variables ?? undefined,
    operationName: operationName ?? undefined,
  };
}

export interface LeanQueryOptions<TContext extends RequestInfo> {
  schema: GraphQLSchema;
  observer: RequestObserver;
  /** Marks the request as a query, as Apollo's path does once the operation is known. */
  enterQueryMode(context: TContext): Promise<void>;
  /** What Apollo's path does once a query is answered, before the response leaves. */
  queryAnswered(context: TContext): Promise<void>;
}

/**
 * Answers `req` if it is a successful query and says so; false means nothing was written and
 * Apollo Server must answer it. `context` builds the request's context (it may throw).
 */
export type LeanQueries<TContext> = (
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  context: () => Promise<TContext>,
) => Promise<boolean>;

export function createLeanQueries<TContext extends RequestInfo>(
  options: LeanQueryOptions<TContext>,
): LeanQueries<TContext> {
  const documents = new Map<string, Checked>();
  let cachedCharacters = 0;
  const check = (query: string): Checked => {
    if (query.length > MAX_DOCUMENT_LENGTH) return null;
    let checked = documents.get(query);
    if (checked !== undefined) return checked;
    try {
      // No locations: they only serve error messages, and errors are Apollo's to report.
      const document = parse(query, { noLocation: true });
      checked =
        validate(options.schema, document).length === 0 && !usesIntrospection(document)
          ? { document, compiled: new Map(), requests: 0, compilable: jitAnswersAlike(document) }
          : null;
    } catch {
      checked = null; // a syntax error: Apollo's to report
    }
    if (
      documents.size >= MAX_DOCUMENTS ||
      cachedCharacters + query.length > MAX_CACHED_CHARACTERS
    ) {
      documents.clear();
      cachedCharacters = 0;
    }
    documents.set(query, checked);
    cachedCharacters += query.length;
    return checked;
  };

  /**
   * The operation compiled, from a document's second request on: compiling costs a few times
   * what validating does, and the gateway sends the same few dozen documents over and over,
   * while a document seen once — all that sending ever new ones can make — is not worth it.
   */
  const compiledOperation = (checked: NonNullable<Checked>, operationName: string | undefined) => {
    if (checked.requests < 2) checked.requests += 1;
    if (checked.requests < 2 || !checked.compilable) return null;
    let compiled = checked.compiled.get(operationName);
    if (compiled === undefined) {
      try {
        const made = compileQuery(options.schema, checked.document, operationName);
        compiled = isCompiledQuery(made) ? made : null;
      } catch {
        compiled = null; // what graphql-jit cannot compile, graphql-js executes
      }
      checked.compiled.set(operationName, compiled);
    }
    return compiled;
  };

  return async (req, res, body, context) => {
    const request = leanRequest(req, body);
    const checked = request && check(request.query);
    if (!request || !checked) return false;
    const { document } = checked;
    const operation = getOperationAST(document, request.operationName);
    if (operation?.operation !== 'query') return false;

    const answered = options.observer.start();
    let data: unknown;
    try {
      const contextValue = await context();
      await options.enterQueryMode(contextValue);
      const compiled = compiledOperation(checked, request.operationName);
      const result = compiled
        ? await compiled.query(undefined, contextValue, request.variables ?? {})
        : await execute({
            schema: options.schema,
            document,
            contextValue,
            variableValues: request.variables,
            operationName: request.operationName,
          });
      if (result.errors) return false;
      await options.queryAnswered(contextValue);
      data = result.data;
    } catch {
      return false; // refused credentials, an unreachable replica router: Apollo's to answer
    }
    // What Apollo Server sends for a result without errors: `{"data":…}` and a newline.
    const payload = `${JSON.stringify({ data })}\n`;
    res.writeHead(200, {
      'content-type': CONTENT_TYPE,
      'content-length': Buffer.byteLength(payload),
    });
    res.end(payload);
    answered(operation.name?.value, 'query');
    return true;
  };
}
