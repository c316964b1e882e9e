/**
 * Plans subscription operations against the current supergraph with Apollo's own query planner.
 * @apollo/gateway plans subscriptions too but refuses to execute them; the plan's root is a
 * Subscription node: a `primary` fetch to the subgraph that owns the field, and an optional
 * `rest` that fetches fields owned elsewhere for each event. Plans are cached per document.
 */
import { buildOperationContext } from '@apollo/gateway';
import { operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';
import { type DocumentNode, type GraphQLError, getOperationAST, parse, validate } from 'graphql';
import { badUserInput, withRequestCode } from '../../platform/errors';
import { noOperationError, subscriptionRootDirectiveErrors } from '../../platform/operation-guard';
import type { OperationContext } from '../execution/request-context';
import type { LoadedSupergraph, PlanningSchemas } from '../execution/schemas';

export interface SubscriptionPlan {
  document: DocumentNode;
  operationContext: OperationContext;
  primary: FetchNode;
  rest: PlanNode | undefined;
}

export interface SubscriptionPlanner {
  readonly schemas: PlanningSchemas;
  /** A plan, or the GraphQL errors that make the operation invalid. */
  plan(
    query: string,
    operationName: string | undefined,
  ): SubscriptionPlan | readonly GraphQLError[];
}

const MAX_CACHED_PLANS = 1000;

export function createSubscriptionPlanner({
  supergraph,
  schemas,
}: LoadedSupergraph): SubscriptionPlanner {
  const { apiSchema } = schemas;
  const queryPlanner = new QueryPlanner(supergraph);
  const cache = new Map<string, SubscriptionPlan>();

  return {
    schemas,
    plan(query, operationName) {
      const key = `${operationName ?? ''}\n${query}`;
      const cached = cache.get(key);
      if (cached) return cached;
      let document: DocumentNode;
      try {
        document = parse(query);
      } catch (error) {
        return [withRequestCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
      }
      const rootErrors = subscriptionRootDirectiveErrors(document);
      const errors =
        rootErrors.length > 0 ? rootErrors : validate(schemas.apiGraphQLSchema, document);
      if (errors.length > 0)
        return errors.map((error) => withRequestCode(error, 'GRAPHQL_VALIDATION_FAILED'));
      if (!getOperationAST(document, operationName)) return [noOperationError(operationName)];
      const operationContext = buildOperationContext({
        schema: schemas.apiGraphQLSchema,
        operationDocument: document,
        operationName,
      });
      if (operationContext.operation.operation !== 'subscription') {
        return [
          badUserInput(
            'Only subscriptions are served over WebSocket; send queries and mutations over HTTP.',
          ),
        ];
      }
      const plan = queryPlanner.buildQueryPlan(
        operationFromDocument(apiSchema, document, { operationName }),
      );
      if (plan.node?.kind !== 'Subscription')
        throw new Error('subscription planned without a Subscription node');
      const prepared = {
        document,
        operationContext,
        primary: plan.node.primary,
        rest: plan.node.rest,
      };
      if (cache.size >= MAX_CACHED_PLANS) cache.delete(cache.keys().next().value as string);
      cache.set(key, prepared);
      return prepared;
    },
  };
}
