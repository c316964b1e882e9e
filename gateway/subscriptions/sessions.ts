/**
 * What every client subscription goes through at the gateway, whichever transport carries it
 * (graphql-ws, SSE, multipart HTTP): the operation limits HTTP requests obey, planning, the
 * shared executor (deduplicated upstreams, resume), and the end of the stream with an
 * UNAUTHENTICATED error when its session or API key is revoked (on any replica) or its token
 * expires — the client then subscribes again with a fresh token, after its last cursor. The
 * subgraphs end what is opened on them the same way (platform/credential-watch.ts).
 */
import type { ExecutionResult } from 'graphql-ws';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Channel } from '../../platform/channel';
import { clientError, ErrorCode } from '../../platform/errors';
import { variableErrors } from '../../platform/operation-guard';
import type { ApiKeyIntrospection } from '../../platform/api-keys';
import { createCredentialWatch } from '../../platform/credential-watch';
import type { Principal } from '../../platform/principal';
import type { RevocationList } from '../../platform/revocations';
import { MAX_REMEMBERED_DOCUMENT_LENGTH, type CheckOperation } from '../operation-limits';
import type { SubscriptionExecutor, SubscriptionRequest } from './executor';
import type { SubscriptionPlan, SubscriptionPlanner } from './planner';

export type SubscriptionTransport = 'graphql-ws' | 'sse' | 'multipart';
export const SUBSCRIPTION_TRANSPORTS: readonly SubscriptionTransport[] = [
  'graphql-ws',
  'sse',
  'multipart',
];

export interface SubscriptionSessions {
  /** The operation's plan, or the errors refusing it (limits, invalid document, not loaded). */
  prepare(request: {
    query: string;
    operationName: string | undefined;
    variables: Record<string, unknown>;
  }): SubscriptionPlan | readonly GraphQLError[];
  /** Starts a prepared subscription; returning the channel releases it. */
  start(
    plan: SubscriptionPlan,
    request: SubscriptionRequest,
    principal: Principal | null,
    transport: SubscriptionTransport,
    /** Runs when the subscriber falls too far behind (the executor's bounded buffer). */
    onOverflow: () => void,
  ): Channel<ExecutionResult>;
  /**
   * Errors refusing a subscription as the client reads them: formatted as the same errors are
   * over HTTP (masked, and without "Did you mean" hints where FIELD_SUGGESTIONS is off).
   */
  refusal(errors: readonly GraphQLError[]): GraphQLFormattedError[];
  /** Client subscriptions being served, by transport. */
  active(): Record<SubscriptionTransport, number>;
  /** Results handed to clients, by transport. */
  delivered(): Record<SubscriptionTransport, number>;
  /** Stops listening for revocations and expiries. */
  close(): void;
}

/** Ends a subscriber's channel whose credential ended: one function for all of them. */
function endWith(channel: Channel<ExecutionResult>, message: string): void {
  channel.push({
    data: null,
    errors: [{ message, extensions: { code: ErrorCode.UNAUTHENTICATED } }],
  } as never);
  channel.end();
}

const perTransport = () =>
  Object.fromEntries(SUBSCRIPTION_TRANSPORTS.map((transport) => [transport, 0])) as Record<
    SubscriptionTransport,
    number
  >;

export function createSubscriptionSessions(options: {
  planner: () => SubscriptionPlanner | null;
  /** The operation limits HTTP requests obey (depth, aliases, root fields, … cost). */
  checkOperation: CheckOperation;
  /** How HTTP answers format their errors (operation-limits.ts): refusals are formatted alike. */
  formatError: (formatted: GraphQLFormattedError) => GraphQLFormattedError;
  executor: SubscriptionExecutor;
  revocations: RevocationList | null;
  /** Ends the subscriptions of a revoked API key (when the gateway verifies keys). */
  apiKeys: Pick<ApiKeyIntrospection, 'watch'> | null;
}): SubscriptionSessions {
  const active = perTransport();
  const delivered = perTransport();
  // One counting function per transport, shared by all its channels.
  const countDelivered = Object.fromEntries(
    SUBSCRIPTION_TRANSPORTS.map((transport) => [
      transport,
      () => {
        delivered[transport] += 1;
      },
    ]),
  ) as Record<SubscriptionTransport, () => void>;

  // Ends each subscription when its credentials do, as every subgraph ends those opened on it.
  const credentials = createCredentialWatch({
    revocations: options.revocations,
    apiKeys: options.apiKeys,
  });

  return {
    prepare({ query, operationName, variables }) {
      const planner = options.planner();
      if (!planner) return [new GraphQLError('The supergraph is not loaded yet.')];
      // A subscription holds its document for its life: long ones (a padded comment) would let
      // one client's subscriptions pin gigabytes within the connection limits.
      if (query.length > MAX_REMEMBERED_DOCUMENT_LENGTH) {
        return [
          clientError(
            ErrorCode.QUERY_TOO_COMPLEX,
            `A subscription's document may be at most ${MAX_REMEMBERED_DOCUMENT_LENGTH} characters long.`,
            { limit: 'maxSubscriptionDocumentLength' },
          ),
        ];
      }
      const refused = options.checkOperation(
        planner.schemas.apiGraphQLSchema,
        query,
        operationName,
        variables,
      );
      if (refused) return refused;
      const plan = planner.plan(query, operationName);
      if (!('operationContext' in plan)) return plan;
      const schema = planner.schemas.apiGraphQLSchema;
      const { operation, fragments } = plan.operationContext;
      return variableErrors(schema, operation, variables, Object.values(fragments)) ?? plan;
    },
    start(plan, request, principal, transport, onOverflow) {
      // Only the variables the operation declares and the client gave: others would be held for
      // the subscription's life for nothing, and would keep identical subscriptions from sharing
      // a topic. Without a prototype, so that a variable named like a member of Object's
      // (`$constructor`, `$__proto__`) and not given is not found in it (`name in variables`)
      // and sent upstream as a value the client never sent.
      const variables: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const { variable } of plan.operationContext.operation.variableDefinitions ?? []) {
        const name = variable.name.value;
        if (Object.hasOwn(request.variables, name)) variables[name] = request.variables[name];
      }
      const channel = options.executor.subscribe(plan, { ...request, variables }, onOverflow);
      active[transport] += 1;
      const watching = credentials.watch(principal, request.forwarded.apiKey, channel, endWith);
      channel.onClose(() => {
        active[transport] -= 1;
        watching.stop();
      });
      channel.onTake(countDelivered[transport]);
      return channel;
    },
    refusal: (errors) => errors.map((error) => options.formatError(error.toJSON())),
    active: () => ({ ...active }),
    delivered: () => ({ ...delivered }),
    close: () => credentials.close(),
  };
}
