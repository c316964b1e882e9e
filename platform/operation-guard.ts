import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from './errors';

const badRequest = (message: string) =>
  new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
  });

/**
 * Requests Apollo would fail with a masked internal error (at the gateway, or in a subgraph
 * without subscriptions) get a clear 400 instead:
 * subscriptions sent over HTTP (they are served over WebSocket), and documents whose operation
 * cannot be chosen (an unknown `operationName`, or several operations and none named).
 */
export function useOperationGuard<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (!operation) {
            throw badRequest(
              request.operationName
                ? `The document has no operation named "${request.operationName}".`
                : 'The document has several operations: name the one to run in `operationName`.',
            );
          }
          if (operation.operation === 'subscription') {
            throw badRequest(
              'Subscriptions are served over WebSocket (graphql-ws) at this same URL.',
            );
          }
        },
      };
    },
  };
}
