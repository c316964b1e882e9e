/**
 * Trusted documents (persisted operations): the documents a client repository's codegen wrote
 * into a manifest, which clients then send by id instead of by text. The gateway accepts the two
 * conventions clients use:
 *
 * - `documentId` beside `variables` and `operationName` (graphql-codegen's client preset, Hive,
 *   the GraphQL over HTTP persisted documents proposal), on POST and on GET;
 * - `extensions.persistedQuery: { version: 1, sha256Hash }` (Apollo Client's persisted query
 *   link, with or without `useGETForHashedQueries`).
 *
 * A request naming a known id is rewritten to carry the document's text, so everything after it
 * (operation limits, the hot path, Apollo Server) sees an ordinary request. With `require`, a
 * request that names no id is refused: only the manifests' documents run, GraphiQL is not served
 * and introspection runs only where a manifest holds it. With `allow`, free text is answered as
 * before, including Apollo Server's automatic persisted queries for ids no manifest knows.
 */
import { readFileSync } from 'node:fs';
import { GraphQLError, parse } from 'graphql';
import { ConfigError } from '../platform/env';
import { clientError, ErrorCode } from '../platform/errors';
import { HttpError } from '../platform/http';

export type TrustedDocumentsMode = 'allow' | 'require';

export interface TrustedDocumentsConfig {
  mode: TrustedDocumentsMode;
  /** Document id (as clients send it) → document text. */
  documents: ReadonlyMap<string, string>;
}

/** What a client sent, on any transport: the fields a document may be named by. */
export interface DocumentRequest {
  query?: unknown;
  documentId?: unknown;
  extensions?: unknown;
}

/**
 * Reads the manifests, failing with one message naming every bad file. Two formats: the client
 * preset's `persisted-documents.json` (`{ "<id>": "<document>" }`) and Apollo's persisted query
 * manifest (`{ "format": "apollo-persisted-query-manifest", "operations": [{ id, body }] }`).
 */
export function loadTrustedDocuments(
  mode: TrustedDocumentsMode,
  pathList: string | undefined,
): TrustedDocumentsConfig {
  const paths = (pathList ?? '')
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean);
  const problems: string[] = [];
  if (mode === 'require' && paths.length === 0)
    problems.push('TRUSTED_DOCUMENTS: "require" needs TRUSTED_DOCUMENTS_PATH (a manifest)');
  const documents = new Map<string, string>();
  for (const path of paths) {
    try {
      for (const [id, text] of manifestEntries(JSON.parse(readFileSync(path, 'utf8')))) {
        parse(text);
        if (documents.has(id) && documents.get(id) !== text)
          throw new Error(`id ${id} names two different documents`);
        documents.set(id, text);
      }
    } catch (error) {
      problems.push(`TRUSTED_DOCUMENTS_PATH: ${path}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { mode, documents };
}

function manifestEntries(manifest: unknown): [string, string][] {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
    throw new Error('not a JSON object');
  const record = manifest as Record<string, unknown>;
  if (record.format === 'apollo-persisted-query-manifest') {
    if (!Array.isArray(record.operations)) throw new Error('"operations" is not a list');
    return record.operations.map((operation: unknown) => {
      const { id, body } = (operation ?? {}) as Record<string, unknown>;
      if (typeof id !== 'string' || typeof body !== 'string')
        throw new Error('every operation needs a string "id" and "body"');
      return [id, body];
    });
  }
  return Object.entries(record).map(([id, text]) => {
    if (typeof text !== 'string') throw new Error(`the document of ${id} is not a string`);
    return [id, text];
  });
}

/** Apollo's message for an unknown id: Apollo's and urql's clients look for it. */
export const NOT_FOUND = 'PersistedQueryNotFound';

/** The id a request names, by either convention, or undefined. */
function documentIdOf(request: DocumentRequest): string | undefined {
  if (typeof request.documentId === 'string') return request.documentId;
  const persisted = (request.extensions as { persistedQuery?: { sha256Hash?: unknown } } | null)
    ?.persistedQuery?.sha256Hash;
  return typeof persisted === 'string' ? persisted : undefined;
}

/**
 * The trusted text of the request's document, null when the request goes on as it is (free
 * text, or an Apollo hash left to Apollo Server's automatic persisted queries, under `allow`),
 * or throws the GraphQLError refusing it: PERSISTED_QUERY_NOT_FOUND for an id no manifest holds
 * (Apollo's clients then resend the text, which `allow` accepts), PERSISTED_QUERY_ID_REQUIRED for
 * a document sent as text under `require`.
 */
export function trustedText(
  config: TrustedDocumentsConfig,
  request: DocumentRequest,
): string | null {
  const id = documentIdOf(request);
  const text = id === undefined ? undefined : config.documents.get(id);
  const query = typeof request.query === 'string' && request.query ? request.query : undefined;
  if (text !== undefined) {
    if (query !== undefined && query !== text)
      throw clientError(ErrorCode.BAD_USER_INPUT, 'The document does not match its id.');
    return text;
  }
  const apqHash = id !== undefined && typeof request.documentId !== 'string';
  if (id !== undefined && (config.mode === 'require' || !apqHash))
    throw clientError(ErrorCode.PERSISTED_QUERY_NOT_FOUND, NOT_FOUND);
  if (config.mode === 'require')
    throw clientError(
      ErrorCode.PERSISTED_QUERY_ID_REQUIRED,
      'This gateway only runs trusted documents: send the id of a document from its manifest.',
    );
  return null;
}

/** Extensions once the document they named is resolved (undefined when none are left). */
export function withoutPersistedQuery(extensions: unknown): Record<string, unknown> | undefined {
  if (!isRecord(extensions)) return undefined;
  const { persistedQuery: _persistedQuery, ...rest } = extensions;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/**
 * A POST body with its document resolved. Bodies that are not a JSON object (other content
 * types, batches) go on unchanged: Apollo Server refuses them with its own 400s.
 */
export function resolveBody(config: TrustedDocumentsConfig, body: unknown): unknown {
  if (!isRecord(body)) return body;
  const text = trustedText(config, body);
  if (text === null) return body;
  const { documentId: _documentId, extensions: _extensions, ...rest } = body;
  const extensions = withoutPersistedQuery(body.extensions);
  // Apollo Server refuses an `extensions` key that is present but not an object.
  return { ...rest, query: text, ...(extensions ? { extensions } : {}) };
}

/**
 * A GET request's search with its document resolved, or null when it names no persisted
 * document. An Apollo hash the manifests do not hold is left to Apollo's automatic persisted
 * queries as it is. The client's `variables` and `operationName` are kept; Apollo Server still
 * refuses a mutation over GET.
 */
export function resolveSearch(config: TrustedDocumentsConfig, search: string): string | null {
  const params = new URLSearchParams(search);
  // Which one would run is anybody's guess: refused as Apollo Server refuses a second `query`.
  if (params.getAll('documentId').length > 1)
    throw clientError(
      ErrorCode.BAD_USER_INPUT,
      "The 'documentId' search parameter may only be specified once.",
    );
  const request = {
    query: params.get('query') ?? undefined,
    documentId: params.get('documentId') ?? undefined,
    extensions: parseJson(params.get('extensions')),
  };
  const text = trustedText(config, request);
  if (text === null) return documentIdOf(request) === undefined ? null : search;
  const extensions = withoutPersistedQuery(parseJson(params.get('extensions')));
  params.delete('documentId');
  params.delete('extensions');
  params.set('query', text);
  if (extensions) params.set('extensions', JSON.stringify(extensions));
  return `?${params.toString()}`;
}

function parseJson(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A refusal as the HTTP answer: an unknown id answers 200 like Apollo's APQ, the rest 400. */
export function httpRefusal(error: unknown): unknown {
  if (!(error instanceof GraphQLError)) return error;
  const code = String(error.extensions.code);
  return new HttpError(
    code === ErrorCode.PERSISTED_QUERY_NOT_FOUND ? 200 : 400,
    error.message,
    code,
  );
}
