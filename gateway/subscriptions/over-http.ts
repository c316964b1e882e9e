import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../subgraphs/kit/errors';

/**
 * Subscriptions sent over HTTP get a clear 400 pointing at the WebSocket endpoint, instead of
 * @apollo/gateway's "not supported" failure.
 */
export function useSubscriptionsOverWebSocketOnly<
  TContext extends object,
>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError(
            'Subscriptions are served over WebSocket (graphql-ws) at this same URL.',
            {
              extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
            },
          );
        },
      };
    },
  };
}
