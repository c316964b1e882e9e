/**
 * The gateway's one execution seam. It owns, per supergraph, the planning schemas and the map of
 * subgraph services (built once when the supergraph loads, not per request or per event), and
 * runs a query plan with @apollo/gateway's executeQueryPlan for every path that does not go
 * through Apollo Server's pipeline: remembered plans, the lean executor's fallback, and the
 * `rest` of a subscription plan for each upstream event.
 */
import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import type { ExecutionResult } from 'graphql';
import type { Logger } from '../../platform/logger';
import { compileLeanEvents, type LeanEvents, type LeanOutcome } from '../subscriptions/lean-events';
import type { SubscriptionPlan } from '../subscriptions/planner';
import {
  documentContextOf,
  requestContextFor,
  type DocumentContext,
  type ExecutionRequest,
} from './request-context';
import { loadSupergraph, type LoadedSupergraph } from './schemas';

export type { DocumentContext, ExecutionRequest, GatewayContext } from './request-context';
export type { PlanningSchemas } from './schemas';

export interface Execution {
  /**
   * Loads a supergraph (when Apollo's gateway loads or reloads one): its schemas, and its
   * subgraph clients (`buildService` has made them by then).
   */
  load(
    supergraphSdl: string,
    services: ReadonlyMap<string, GraphQLDataSource>,
  ): LoadedSupergraph & { services: ServiceMap };
  /** The current supergraph, or null before one is loaded. */
  current(): (LoadedSupergraph & { services: ServiceMap }) | null;
  /** Runs a plan; `services` stands in for the current ones (e.g. replaying fetched answers). */
  runPlan(
    queryPlan: QueryPlan,
    document: DocumentContext,
    request: ExecutionRequest,
    services?: ServiceMap,
  ): Promise<GatewayExecutionResult>;
  /**
   * One subscription event: the plan's primary fetch answers with the event itself, its `rest`
   * fetches fields owned elsewhere, and the result is shaped to the client's selection.
   */
  runSubscriptionEvent(
    plan: SubscriptionPlan,
    request: ExecutionRequest,
    event: ExecutionResult,
    /** Wraps each subgraph's service for this event (e.g. to batch fetches or note failures). */
    wrap?: (name: string, service: GraphQLDataSource) => GraphQLDataSource,
  ): Promise<ExecutionResult>;
  /**
   * A window of subscription events completed at once by the lean path (one `rest` run for all
   * of them), or null when the plan needs runSubscriptionEvent for every event. An event whose
   * outcome is `fallBack` must go through runSubscriptionEvent.
   */
  runSubscriptionEvents(
    plan: SubscriptionPlan,
    request: ExecutionRequest,
    events: readonly ExecutionResult[],
    wrap?: (name: string, service: GraphQLDataSource) => GraphQLDataSource,
  ): Promise<LeanOutcome[]> | null;
}

export function createExecution(logger: Logger): Execution {
  let loaded: (LoadedSupergraph & { services: ServiceMap }) | null = null;
  /** Document contexts of subscription plans, per plan (plans are cached by the planner). */
  let eventDocuments = new WeakMap<SubscriptionPlan, DocumentContext>();
  /** Lean completions of subscription plans (null: not covered), per plan. */
  let leanEvents = new WeakMap<SubscriptionPlan, LeanEvents | null>();

  const runPlan: Execution['runPlan'] = (queryPlan, document, request, services) => {
    if (!loaded) throw new Error('no supergraph loaded');
    return executeQueryPlan(
      queryPlan,
      services ?? loaded.services,
      requestContextFor(document, request, logger),
      document.operationContext,
      loaded.schemas.supergraphSchema,
      loaded.schemas.apiSchema,
    );
  };

  return {
    load(supergraphSdl, clients) {
      const services = Object.create(null) as ServiceMap;
      for (const [name, client] of clients) services[name] = client;
      loaded = { ...loadSupergraph(supergraphSdl), services };
      eventDocuments = new WeakMap();
      leanEvents = new WeakMap();
      return loaded;
    },
    current: () => loaded,
    runPlan,
    async runSubscriptionEvent(plan, request, event, wrap) {
      if (!loaded) throw new Error('no supergraph loaded');
      let document = eventDocuments.get(plan);
      if (!document) {
        document = documentContextOf(loaded, request.query, plan.document, plan.operationContext);
        eventDocuments.set(plan, document);
      }
      const base: ServiceMap = wrap
        ? Object.fromEntries(
            Object.entries(loaded.services).map(([name, service]) => [name, wrap(name, service)]),
          )
        : loaded.services;
      const primary = base[plan.primary.serviceName];
      const services: ServiceMap = {
        ...base,
        [plan.primary.serviceName]: {
          process: (options) =>
            options.request.query === plan.primary.operation
              ? Promise.resolve(event as Awaited<ReturnType<GraphQLDataSource['process']>>)
              : primary!.process(options),
        },
      };
      // Even without `rest`, the plan runs: executeQueryPlan shapes the result to the client's
      // selection (aliases, __typename, fragments, hidden values).
      const queryPlan: QueryPlan = {
        kind: 'QueryPlan',
        node: plan.rest ? { kind: 'Sequence', nodes: [plan.primary, plan.rest] } : plan.primary,
      };
      const result = await runPlan(queryPlan, document, request, services);
      return {
        data: result.data ?? null,
        ...(result.errors?.length ? { errors: result.errors } : {}),
      };
    },
    runSubscriptionEvents(plan, request, events, wrap) {
      if (!loaded) throw new Error('no supergraph loaded');
      let lean = leanEvents.get(plan);
      if (lean === undefined) {
        lean = compileLeanEvents(loaded.schemas.apiGraphQLSchema, plan);
        leanEvents.set(plan, lean);
      }
      if (!lean) return null;
      const services: ServiceMap = wrap
        ? Object.fromEntries(
            Object.entries(loaded.services).map(([name, service]) => [name, wrap(name, service)]),
          )
        : loaded.services;
      return lean.run(events, request.variables, request.context, services);
    },
  };
}
