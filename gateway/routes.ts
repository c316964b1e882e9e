/**
 * The gateway's HTTP routes: CORS and security headers, health and readiness, metrics, GraphiQL,
 * and /graphql — answered by the hot path (known operations) when it can, by Apollo Server's
 * pipeline otherwise.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import {
  type GraphQLHandler,
  HttpError,
  readGraphQLBody,
  sendError,
  serveHealth,
  type ReadinessCheck,
} from '../platform/http';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';
import { handleCors, setSecurityHeaders } from '../platform/security-headers';
import { incomingContext } from '../platform/tracing';
import type { Edge } from './edge';
import { answerMethods } from './edge-routes';
import type { GatewayConfig } from './env';
import type { GatewayContext } from './execution';
import type { createGraphiQL } from './graphiql';
import type { KnownOperations } from './known-operations';
import type { GatewayMetrics } from './metrics';
import { httpRefusal, resolveBody, resolveSearch } from './trusted-documents';

export function createRoutes(options: {
  config: GatewayConfig;
  graphql: GraphQLHandler<GatewayContext>;
  /** Serves a subscription over SSE or multipart HTTP; null, at once, for any other request. */
  subscriptionsOverHttp: (
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ) => Promise<void> | null;
  edge: Edge;
  knownOperations: KnownOperations;
  graphiql: ReturnType<typeof createGraphiQL> | null;
  readiness: Record<string, ReadinessCheck>;
  metrics: Metrics;
  gatewayMetrics: GatewayMetrics;
  /** Counts an error the client sees that Apollo Server never saw (e.g. malformed JSON). */
  countError: (code: string) => void;
  logger: Logger;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, graphql, edge, knownOperations, graphiql, metrics, logger } = options;

  /**
   * Puts a trusted document's text in place of its id (or refuses the request). A GET naming a
   * persisted document (from the manifest, or an Apollo hash) is a query sent by id so that
   * caches can serve it: it is given the JSON content type Apollo's CSRF prevention asks of
   * browsers' requests, so that an unknown id is answered alike in either form. That opens
   * nothing: the gateway reads no ambient credential (cookies), only headers a cross-site page
   * cannot set without a preflight, and Apollo Server still refuses a mutation over GET.
   */
  const resolveDocument = (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    try {
      if (req.method !== 'GET') return resolveBody(config.trustedDocuments, body);
      const url = req.url ?? '/graphql';
      const queryStart = url.indexOf('?');
      const search = resolveSearch(
        config.trustedDocuments,
        queryStart === -1 ? '' : url.slice(queryStart),
      );
      if (search !== null) {
        req.url = `${url.slice(0, queryStart)}${search}`;
        req.headers['content-type'] = 'application/json';
      }
      return body;
    } catch (error) {
      // A refusal must not be cached: the id may be deployed a moment later.
      res.setHeader('cache-control', 'private, no-cache, must-revalidate');
      throw httpRefusal(error);
    }
  };

  const serveGraphQL = async (req: IncomingMessage, res: ServerResponse) => {
    const body = resolveDocument(req, res, await readGraphQLBody(req, config.maxBodyBytes));
    const streaming = options.subscriptionsOverHttp(req, res, body);
    if (streaming) return streaming;
    const hot = knownOperations.match(req, body);
    if (!hot) {
      options.gatewayMetrics.countOperation('pipeline');
      return graphql(req, res, body);
    }
    let requestContext: GatewayContext;
    try {
      requestContext = await edge.buildContext(req);
    } catch (error) {
      // Refused (bad token, budget spent): Apollo Server writes the error response.
      return graphql(req, res, body, () => Promise.reject(error));
    }
    await knownOperations.answer(hot, requestContext, res);
  };

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    setSecurityHeaders(res, config.security);
    const handle = async () => {
      if (handleCors(req, res, config.security)) return;
      if (await serveHealth(path, res, options.readiness)) return;
      if (path === '/metrics') return metrics.serve(res);
      if (graphiql?.serve(path, res)) return;
      if (answerMethods(req, path, res)) return;
      if (path !== '/graphql') throw new HttpError(404, 'Not found.', 'NOT_FOUND');
      if (graphiql && req.method === 'GET' && wantsHtml(req)) return graphiql.page(res);
      // @apollo/gateway's spans continue the client's trace, if it sent one.
      await context.with(incomingContext(req.headers), () => serveGraphQL(req, res));
    };
    handle().catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpError) {
        if (path === '/graphql') options.countError(error.code);
        return sendError(res, error);
      }
      logger.error({ err: error }, 'unhandled HTTP error');
      sendError(res, new HttpError(500, 'Internal server error.', 'INTERNAL_SERVER_ERROR'));
    });
  };
}

function wantsHtml(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return (req.headers.accept ?? '').includes('text/html') && !url.includes('query=');
}
