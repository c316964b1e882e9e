/**
 * The gateway's subscriptions over plain HTTP on `/graphql`: a subscription POSTed (or sent with
 * GET, under the same CSRF rule as Apollo's) with `Accept: text/event-stream` is served as
 * GraphQL over SSE, with `Accept: multipart/mixed;subscriptionSpec=1.0` as Apollo's multipart
 * protocol. Everything else — queries and mutations whatever their Accept header, malformed
 * requests, a subscription asking for neither (406) — is left to the regular HTTP pipeline.
 *
 * The behaviour is graphql-ws's: the edge checks credentials and charges the request budget as
 * for any HTTP request (a bad token is the same 401), and sessions.ts applies the limits, plans,
 * shares upstreams and ends streams on revocation or expiry. Refusals of the operation (limits,
 * invalid document) come as the protocol wants them: in the event stream over SSE, as a JSON
 * error response for multipart. On shutdown every stream ends cleanly (`complete`, the closing
 * boundary), the HTTP equivalent of graphql-ws's 1001.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { sendJson, type GraphQLHandler } from '../../platform/http';
import {
  createEventStreams,
  streamingSubscription,
  SLOW_CONSUMER,
  type StreamTransport,
} from '../../platform/subscriptions-over-http';
import type { Principal } from '../../platform/principal';
import type { ForwardedRequest } from '../../platform/wire';
import type { Edge } from '../edge';
import type { GatewayContext } from '../execution';
import { formatSubscriptionErrors } from './executor';
import type { SubscriptionPlan } from './planner';
import type { SubscriptionSessions } from './sessions';

export interface HttpSubscriptions {
  /**
   * Serves the request if it is a subscription over SSE or multipart; null otherwise, decided
   * at once so that every other request (queries on the hot path) waits on nothing here.
   */
  serve(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> | null;
  /** Open streams by transport. */
  active(): Record<StreamTransport, number>;
}

export function createHttpSubscriptions(options: {
  httpServer: Server;
  sessions: SubscriptionSessions;
  edge: Edge;
  /** Answers refused requests (bad token, budget spent) exactly as a query would be. */
  graphql: GraphQLHandler<GatewayContext>;
  heartbeatMs: number;
  maxBufferedBytes: number;
}): HttpSubscriptions {
  const streams = createEventStreams({
    httpServer: options.httpServer,
    heartbeatMs: options.heartbeatMs,
    maxBufferedBytes: options.maxBufferedBytes,
    formatResult: (result) =>
      result.errors ? { ...result, errors: formatSubscriptionErrors(result.errors) } : result,
  });

  const serveStream = async (
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    { transport, params }: NonNullable<ReturnType<typeof streamingSubscription>>,
  ) => {
    let forwarded: ForwardedRequest;
    let principal: Principal | null = null;
    try {
      ({ forwarded } = await options.edge.buildContext(req));
      // Verified at the edge already; the principal says which session to watch, until when.
      if (forwarded.authorization && options.edge.credentials)
        principal = await options.edge.credentials.authenticate({
          authorization: forwarded.authorization,
        });
    } catch (error) {
      await options.graphql(req, res, body, () => Promise.reject(error));
      return;
    }

    const plan = options.sessions.prepare(params);
    if (Array.isArray(plan)) {
      const errors = options.sessions.refusal(plan);
      if (transport === 'multipart') sendJson(res, 400, { errors });
      else streams.open(res, transport).fail(errors);
      return;
    }
    const stream = streams.open(res, transport);
    const channel = options.sessions.start(
      plan as SubscriptionPlan,
      {
        query: params.query,
        operationName: params.operationName,
        variables: params.variables,
        forwarded,
      },
      principal,
      transport,
      () => stream.fail([SLOW_CONSUMER]),
    );
    await stream.pipe(channel);
  };

  return {
    serve(req, res, body) {
      const subscription = streamingSubscription(req, body);
      return subscription ? serveStream(req, res, body, subscription) : null;
    },
    active: () => streams.active(),
  };
}
