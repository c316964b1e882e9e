/** Small answers at the edge that need neither Apollo Server nor GraphiQL. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { malformedRequest } from '../platform/http';

/** The methods `/graphql` takes. */
const ALLOW = 'GET, POST, HEAD, OPTIONS';

/**
 * The methods of `/graphql` other than GET and POST, which Apollo Server answers. `HEAD`, as
 * uptime checks and proxies send it: the endpoint exists and says which methods it takes.
 * `OPTIONS` without a preflight handleCors answered (no Origin, or one not allowed, which gets no
 * CORS header and so stays refused by the browser): the same, with 204. Any other method: 405
 * with the same `Allow`. Apollo Server answered HEAD 400 as a malformed GET, OPTIONS and a DELETE
 * without a body 400 as cross-site requests, and PUT or PATCH with JSON 405 naming only GET and
 * POST.
 */
export function answerMethods(req: IncomingMessage, path: string, res: ServerResponse): boolean {
  if (path !== '/graphql' || req.method === 'GET' || req.method === 'POST') return false;
  if (req.method === 'HEAD') {
    res.writeHead(200, { allow: ALLOW, 'content-length': 0 });
    res.end();
    return true;
  }
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { allow: ALLOW });
    res.end();
    return true;
  }
  res.setHeader('allow', ALLOW);
  throw malformedRequest(405, `/graphql takes ${ALLOW}, not ${req.method}.`);
}
