/**
 * The contract between the gateway and the subgraphs, on the wire: what the gateway forwards,
 * what a subgraph answers beyond GraphQL's own fields, and the limits both sides agree on. Each
 * side reads and writes it through these functions, so the two cannot drift apart. The error
 * codes that cross the wire are the catalogue's (errors.ts): subgraphs raise them, the gateway
 * passes them through and adds SUBGRAPH_UNAVAILABLE (a subgraph that is starting answers it
 * too, see dependencies.ts); refused credentials are UNAUTHENTICATED with HTTP 401 at both.
 */
import { GraphQLError } from 'graphql';
import type { CredentialHeaders } from './credentials';

/** The largest page a subgraph serves; the gateway costs an operation assuming no more. */
export const MAX_PAGE_SIZE = 500;

/** The page a subgraph serves when `first` (or `last`) is left out and the field names none. */
export const DEFAULT_PAGE_SIZE = 20;

/** The per-request values the gateway forwards to every subgraph. */
export interface ForwardedRequest {
  requestId: string;
  clientAddress: string;
  authorization?: string | undefined;
  apiKey?: string | undefined;
}

const REQUEST_ID = 'x-request-id';
const CLIENT_ADDRESS = 'x-forwarded-for';
const AUTHORIZATION = 'authorization';
const API_KEY = 'x-api-key';

/** The headers every subgraph request carries on the caller's behalf (HTTP and WebSocket alike). */
export function forwardedHeaders(forwarded: ForwardedRequest): Record<string, string> {
  const headers: Record<string, string> = {
    [REQUEST_ID]: forwarded.requestId,
    [CLIENT_ADDRESS]: forwarded.clientAddress,
  };
  if (forwarded.authorization) headers[AUTHORIZATION] = forwarded.authorization;
  if (forwarded.apiKey) headers[API_KEY] = forwarded.apiKey;
  return headers;
}

/** One header's value: Node's headers may repeat one (the first counts); absent or empty is none. */
function headerText(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first ? first : undefined;
}

/**
 * What a request says about its caller, from Node's request headers or, for a WebSocket
 * subscription, the headers the gateway puts in the subscribe payload. `clientAddress` is the
 * forwarded one: trust it only from a trusted proxy.
 */
export function readForwarded(headers: Record<string, unknown>): {
  requestId: string | undefined;
  clientAddress: string | undefined;
  credentials: CredentialHeaders;
} {
  return {
    requestId: headerText(headers[REQUEST_ID]),
    clientAddress: headerText(headers[CLIENT_ADDRESS]),
    credentials: {
      authorization: headerText(headers[AUTHORIZATION]),
      apiKey: headerText(headers[API_KEY]),
    },
  };
}

/**
 * Refused credentials answer HTTP 401 with the refusal as the one error, at the gateway's edge
 * and at a subgraph alike (Apollo Server would make an error thrown by the context 500).
 */
export function credentialRefusal(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { ...error.extensions, http: { status: 401 } },
  });
}

type Extensions = Record<string, unknown> | undefined;

/**
 * The subscribe payload's extensions as the gateway sends them: the forwarded headers and, once
 * the stream has a position, `resumeAfter` its cursor. graphql-ws re-sends the same payload when
 * it re-subscribes after a lost connection, so `resumeAfter` is read from `position` each time
 * the payload is serialized: the subgraph resumes where the stream was. `sendStartCursor` asks a
 * stream without cursor for a first result that carries only where it starts
 * (`extensions.resumeCursor`, no `data`): until its first event it would otherwise have no
 * position, and after a lost connection start again from a later head.
 */
export function subscribeExtensions(
  forwarded: ForwardedRequest,
  position: () => string | undefined,
): Record<string, unknown> {
  return {
    headers: forwardedHeaders(forwarded),
    sendStartCursor: true,
    get resumeAfter() {
      return position();
    },
  };
}

/** The subgraph's side of the subscribe payload: the headers sent, and where to resume. */
export function readSubscribeExtensions(extensions: Extensions | null): {
  headers: Record<string, unknown> | undefined;
  resumeAfter: string | undefined;
  sendStartCursor: boolean;
} {
  const headers = extensions?.headers;
  return {
    headers: typeof headers === 'object' && headers !== null ? (headers as Extensions) : undefined,
    resumeAfter: headerText(extensions?.resumeAfter),
    sendStartCursor: extensions?.sendStartCursor === true,
  };
}

/** Whether a subscription result carries only a position: no event, no error. */
export const isPositionOnly = (result: { data?: unknown; errors?: unknown }): boolean =>
  !('data' in result) && result.errors === undefined;

/** A subgraph's subscription result with the cursor of the item it carries. */
export function withResumeCursor<T extends { extensions?: Extensions }>(
  result: T,
  cursor: string,
): T {
  return { ...result, extensions: { ...result.extensions, resumeCursor: cursor } };
}

/** The cursor a subgraph's subscription result carries, if any (the gateway's side). */
export function resumeCursorOf(result: { extensions?: unknown }): string | undefined {
  return headerText((result.extensions as Extensions)?.resumeCursor);
}
