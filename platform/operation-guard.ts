import type { ApolloServerPlugin } from '@apollo/server';
import {
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ErrorCode } from './errors';

const badRequest = (message: string, status = 400) =>
  new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status } },
  });

const noOperationMessage = (operationName: string | null | undefined) =>
  operationName
    ? `The document has no operation named "${operationName}".`
    : 'The document has several operations: name the one to run in `operationName`.';

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
            throw badRequest(noOperationMessage(request.operationName));
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

/*
 * The same refusals for the transports Apollo Server does not carry (subscriptions over
 * graphql-ws, SSE and multipart), run before subscribing. graphql-js reports both as a result
 * without a code, which a subgraph masks as an internal error and the gateway's executor takes
 * for a passing refusal (subscribing again, then "unavailable, retry"): the client must hear that
 * its request is wrong, at once.
 */

/** A document whose operation cannot be chosen, refused as over HTTP. */
export const noOperationError = (operationName: string | null | undefined) =>
  new GraphQLError(noOperationMessage(operationName), {
    extensions: { code: ErrorCode.BAD_USER_INPUT },
  });

/**
 * Variables that do not coerce to the operation's definitions, refused as Apollo Server refuses
 * them over HTTP (graphql-js's message, BAD_USER_INPUT); null when they coerce.
 */
export function variableErrors(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
): GraphQLError[] | null {
  const { errors } = getVariableValues(
    schema,
    operation.variableDefinitions ?? [],
    variables ?? {},
  );
  return errors
    ? errors.map(
        (error) =>
          new GraphQLError(error.message, {
            nodes: error.nodes,
            extensions: { code: ErrorCode.BAD_USER_INPUT },
          }),
      )
    : null;
}
