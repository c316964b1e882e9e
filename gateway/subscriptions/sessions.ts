/**
 * What every client subscription goes through at the gateway, whichever transport carries it
 * (graphql-ws, SSE, multipart HTTP): the operation limits HTTP requests obey, planning, the
 * shared executor (deduplicated upstreams, resume), and the end of the stream with an
 * UNAUTHENTICATED error when its session is revoked (logout, on any replica) or its token
 * expires — the client then subscribes again with a fresh token, after its last cursor.
 */
import type { ExecutionResult } from 'graphql-ws';
import { GraphQLError } from 'graphql';
import type { Channel } from '../../platform/channel';
import { ErrorCode } from '../../platform/errors';
import type { Principal } from '../../platform/principal';
import type { RevocationList } from '../../platform/revocations';
import type { CheckOperation } from '../operation-limits';
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

const sessionEnded = (message: string): ExecutionResult =>
  ({ data: null, errors: [{ message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] }) as never;

const perTransport = () =>
  Object.fromEntries(SUBSCRIPTION_TRANSPORTS.map((transport) => [transport, 0])) as Record<
    SubscriptionTransport,
    number
  >;

export function createSubscriptionSessions(options: {
  planner: () => SubscriptionPlanner | null;
  /** The operation limits HTTP requests obey (depth, aliases, root fields, … cost). */
  checkOperation: CheckOperation;
  executor: SubscriptionExecutor;
  revocations: RevocationList | null;
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

  const stopListening = options.revocations?.onRevoked((sessionId) => {
    for (const channel of bySession.get(sessionId) ?? []) {
      channel.push(sessionEnded('This session has ended; sign in again.'));
      channel.end();
    }
  });

  return {
    prepare({ query, operationName, variables }) {
      const planner = options.planner();
      if (!planner) return [new GraphQLError('The supergraph is not loaded yet.')];
      const refused = options.checkOperation(
        planner.schemas.apiGraphQLSchema,
        query,
        operationName,
        variables,
      );
      if (refused) return refused;
      return planner.plan(query, operationName);
    },
    start(plan, request, principal, transport, onOverflow) {
      const channel = options.executor.subscribe(plan, request, onOverflow);
      active[transport] += 1;
      const sessionId = principal?.kind === 'user' ? principal.sessionId : undefined;
      if (sessionId) {
        const channels = bySession.get(sessionId) ?? new Set();
        channels.add(channel);
        bySession.set(sessionId, channels);
      }
      const expiresAt = principal?.expiresAt;
      const expiry =
        expiresAt === undefined
          ? undefined
          : setTimeout(
              () => {
                channel.push(sessionEnded('Access token expired; reconnect with a fresh one.'));
                channel.end();
              },
              Math.max(0, expiresAt * 1000 - Date.now()),
            );
      channel.onClose(() => {
        active[transport] -= 1;
        clearTimeout(expiry);
        if (sessionId) bySession.get(sessionId)?.delete(channel);
        if (sessionId && bySession.get(sessionId)?.size === 0) bySession.delete(sessionId);
      });
      channel.onTake(countDelivered[transport]);
      return channel;
    },
    active: () => ({ ...active }),
    delivered: () => ({ ...delivered }),
    close: () => stopListening?.(),
  };
}
