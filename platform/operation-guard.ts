import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from './errors';

const badRequest = (message: string, status = 400) =>
  new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status } },
  });

/**
 * Requests Apollo would fail with a masked internal error (at the gateway, or in a subgraph
 * without subscriptions) get a clear 400 instead:
 * subscriptions sent over HTTP without asking for a streaming response (406: they are served
 * over graphql-ws, SSE or multipart HTTP), and documents whose operation cannot be chosen (an unknown `operationName`, or several operations and none named).
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
              'Subscriptions are served at this same URL over WebSocket (graphql-ws), or over HTTP ' +
                'with `Accept: text/event-stream` (GraphQL over SSE) or ' +
                '`Accept: multipart/mixed;subscriptionSpec=1.0` (multipart).',
              406,
            );
          }
        },
      };
    },
  };
}
