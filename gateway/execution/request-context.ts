/**
 * The request context @apollo/gateway's executeQueryPlan reads (variables, the caller's context
 * for the subgraph clients, metrics it writes into). Its document-dependent half is built once
 * per operation — taken from Apollo Server's own context when the pipeline remembers a plan, or
 * computed for a subscription — and each request adds its variables and caller context.
 */
import type { buildOperationContext } from '@apollo/gateway';
import type {
  GatewayCachePolicy,
  GatewayGraphQLRequestContext,
} from '@apollo/server-gateway-interface';
import type { DocumentNode } from 'graphql';
import type { Logger } from '../../platform/logger';
import type { ForwardedRequest } from '../../platform/wire';
import { sha256, type LoadedSupergraph } from './schemas';

export type OperationContext = ReturnType<typeof buildOperationContext>;

/** What the subgraph clients read from the context: the caller's forwarded credentials. */
export interface GatewayContext {
  forwarded: ForwardedRequest;
}

/** The half of a request context that depends on the document alone. */
export type DocumentContext = Pick<
  GatewayGraphQLRequestContext<GatewayContext>,
  'schema' | 'schemaHash' | 'queryHash' | 'document' | 'source' | 'operationName' | 'operation'
> & { operationContext: OperationContext };

export interface ExecutionRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  context: GatewayContext;
}

/** A document context for an operation the gateway planned itself (subscriptions). */
export function documentContextOf(
  loaded: LoadedSupergraph,
  source: string,
  document: DocumentNode,
  operationContext: OperationContext,
): DocumentContext {
  const { operation } = operationContext;
  return {
    schema: loaded.schemas.apiGraphQLSchema,
    schemaHash: loaded.schemaHash,
    queryHash: sha256(source),
    document,
    source,
    operationName: operation.name?.value ?? null,
    operation,
    operationContext,
  };
}

/** No response cache: the gateway caches plans, never results. */
const NO_CACHE: GatewayGraphQLRequestContext['cache'] = {
  get: async () => undefined,
  set: async () => undefined,
  delete: async () => undefined,
};
const UNCACHEABLE: GatewayCachePolicy = {
  replace: () => undefined,
  restrict: () => undefined,
  policyIfCacheable: () => null,
};

export function requestContextFor(
  document: DocumentContext,
  request: ExecutionRequest,
  logger: Logger,
): GatewayGraphQLRequestContext<GatewayContext> {
  const { operationContext: _plannedWith, ...documentParts } = document;
  return {
    ...documentParts,
    request: {
      query: request.query,
      operationName: request.operationName,
      variables: request.variables,
    },
    context: request.context,
    logger,
    cache: NO_CACHE,
    metrics: {},
    overallCachePolicy: UNCACHEABLE,
  };
}
