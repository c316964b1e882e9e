/** Small answers at the edge that need neither Apollo Server nor GraphiQL. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * `HEAD /graphql`, as uptime checks and proxies send it: the endpoint exists and says which
 * methods it takes (Apollo Server would answer 400, as if it were a malformed GET).
 */
export function answerHead(req: IncomingMessage, path: string, res: ServerResponse): boolean {
  if (req.method !== 'HEAD' || path !== '/graphql') return false;
  res.writeHead(200, { allow: 'GET, POST, HEAD, OPTIONS', 'content-length': 0 });
  res.end();
  return true;
}
