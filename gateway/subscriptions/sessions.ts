/**
 * What every client subscription goes through at the gateway, whichever transport carries it
 * (graphql-ws, SSE, multipart HTTP): the operation limits HTTP requests obey, planning, the
 * shared executor (deduplicated upstreams, resume), and the end of the stream with an
 * UNAUTHENTICATED error when its session or API key is revoked (on any replica) or its token
 * expires — the client then subscribes again with a fresh token, after its last cursor.
 */
import type { ExecutionResult } from 'graphql-ws';
import { GraphQLError } from 'graphql';
import type { Channel } from '../../platform/channel';
import { clientError, ErrorCode } from '../../platform/errors';
import { variableErrors } from '../../platform/operation-guard';
import type { ApiKeyIntrospection } from '../../platform/api-keys';
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
  /** Client subscriptions being served, by transport. */
  active(): Record<SubscriptionTransport, number>;
  /** Results handed to clients, by transport. */
  delivered(): Record<SubscriptionTransport, number>;
  /** Stops listening for revocations. */
  close(): void;
}

const unauthenticatedEnd = (message: string): ExecutionResult =>
  ({ data: null, errors: [{ message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] }) as never;

const perTransport = () =>
  Object.fromEntries(SUBSCRIPTION_TRANSPORTS.map((transport) => [transport, 0])) as Record<
    SubscriptionTransport,
    number
  >;

/** setTimeout's longest delay (about 24.8 days); a later expiry is re-armed on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ends each channel when its credentials expire, with one timer for all of them — armed for the
 * earliest expiry — rather than a timer per subscription, which a gateway holding tens of
 * thousands of them paid for in memory. Tokens expire on whole seconds: channels are kept by
 * their second, the seconds in order.
 */
export function expirySchedule(expire: (channel: Channel<ExecutionResult>) => void) {
  const bySecond = new Map<number, Set<Channel<ExecutionResult>>>();
  /** The keys of bySecond, ascending. */
  const seconds: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let armedFor = Infinity;

  const arm = () => {
    const earliest = seconds[0] ?? Infinity;
    if (earliest === armedFor) return;
    clearTimeout(timer);
    timer = undefined;
    armedFor = earliest;
    if (earliest === Infinity) return;
    timer = setTimeout(fire, Math.min(MAX_TIMER_MS, Math.max(0, earliest * 1000 - Date.now())));
    timer.unref();
  };
  const fire = () => {
    armedFor = Infinity;
    const now = Date.now() / 1000;
    while (seconds.length > 0 && seconds[0]! <= now) {
      const second = seconds.shift()!;
      const channels = bySecond.get(second)!;
      bySecond.delete(second);
      for (const channel of channels) expire(channel);
    }
    arm();
  };

  return {
    add(channel: Channel<ExecutionResult>, second: number) {
      let channels = bySecond.get(second);
      if (!channels) {
        bySecond.set(second, (channels = new Set()));
        let index = seconds.length;
        while (index > 0 && seconds[index - 1]! > second) index -= 1;
        seconds.splice(index, 0, second);
      }
      channels.add(channel);
      arm();
    },
    remove(channel: Channel<ExecutionResult>, second: number) {
      const channels = bySecond.get(second);
      if (!channels?.delete(channel) || channels.size > 0) return;
      bySecond.delete(second);
      seconds.splice(seconds.indexOf(second), 1);
      arm();
    },
    stop: () => clearTimeout(timer),
  };
}

export function createSubscriptionSessions(options: {
  planner: () => SubscriptionPlanner | null;
  /** The operation limits HTTP requests obey (depth, aliases, root fields, … cost). */
  checkOperation: CheckOperation;
  executor: SubscriptionExecutor;
  revocations: RevocationList | null;
  /** Ends the subscriptions of a revoked API key (when the gateway verifies keys). */
  apiKeys: Pick<ApiKeyIntrospection, 'watch'> | null;
}): SubscriptionSessions {
  /** Live subscriber channels by session, to end them when the session is revoked. */
  const bySession = new Map<string, Set<Channel<ExecutionResult>>>();
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

  const expiries = expirySchedule((channel) => {
    channel.push(unauthenticatedEnd('Access token expired; reconnect with a fresh one.'));
    channel.end();
  });
  const stopListening = options.revocations?.onRevoked((sessionId) => {
    for (const channel of bySession.get(sessionId) ?? []) {
      channel.push(unauthenticatedEnd('This session has ended; sign in again.'));
      channel.end();
    }
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
      return variableErrors(schema, plan.operationContext.operation, variables) ?? plan;
    },
    start(plan, request, principal, transport, onOverflow) {
      // Only the variables the operation declares: others would be held for the subscription's
      // life for nothing, and would keep identical subscriptions from sharing a topic.
      const variables = Object.fromEntries(
        (plan.operationContext.operation.variableDefinitions ?? [])
          .map(({ variable }) => variable.name.value)
          .filter((name) => name in request.variables)
          .map((name) => [name, request.variables[name]]),
      );
      const channel = options.executor.subscribe(plan, { ...request, variables }, onOverflow);
      active[transport] += 1;
      const sessionId = principal?.kind === 'user' ? principal.sessionId : undefined;
      if (sessionId) {
        const channels = bySession.get(sessionId) ?? new Set();
        channels.add(channel);
        bySession.set(sessionId, channels);
      }
      const expiresAt = principal?.expiresAt;
      if (expiresAt !== undefined) expiries.add(channel, expiresAt);
      const { apiKey } = request.forwarded;
      const unwatch =
        apiKey && options.apiKeys
          ? options.apiKeys.watch(apiKey, () => {
              channel.push(unauthenticatedEnd('This API key has been revoked.'));
              channel.end();
            })
          : undefined;
      channel.onClose(() => {
        active[transport] -= 1;
        unwatch?.();
        if (expiresAt !== undefined) expiries.remove(channel, expiresAt);
        if (sessionId) bySession.get(sessionId)?.delete(channel);
        if (sessionId && bySession.get(sessionId)?.size === 0) bySession.delete(sessionId);
      });
      channel.onTake(countDelivered[transport]);
      return channel;
    },
    active: () => ({ ...active }),
    delivered: () => ({ ...delivered }),
    close() {
      stopListening?.();
      expiries.stop();
    },
  };
}
