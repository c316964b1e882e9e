/**
 * Asks the nodes subgraph about a node on the caller's behalf: the caller's own credentials are
 * forwarded, so the nodes subgraph decides what the caller may see (zero trust between services).
 */
import { request } from 'undici';
import type { CredentialHeaders } from '../../kit/credentials';
import { forbidden, unauthenticated } from '../../kit/errors';

export interface NodeSummary {
  id: string;
  status: string;
}

export interface NodesClient {
  /** The node if the caller may see it, else null. */
  findNode(
    caller: { credentials: CredentialHeaders; requestId: string },
    id: string,
  ): Promise<NodeSummary | null>;
}

const NODE_QUERY = 'query DeploymentTargetNode($id: ID!) { node(id: $id) { id status } }';

interface NodeQueryResponse {
  data?: { node?: NodeSummary | null } | null;
  errors?: { message?: string; extensions?: { code?: unknown } }[];
}

export function createNodesClient(url: string, timeoutMs = 5000): NodesClient {
  return {
    async findNode({ credentials, requestId }, id) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-request-id': requestId,
      };
      if (credentials.authorization) headers.authorization = credentials.authorization;
      if (credentials.apiKey) headers['x-api-key'] = credentials.apiKey;
      const response = await request(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: NODE_QUERY, variables: { id } }),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      let body: NodeQueryResponse;
      try {
        body = (await response.body.json()) as NodeQueryResponse;
      } catch {
        throw new Error(`The nodes subgraph answered HTTP ${response.statusCode} without JSON.`);
      }
      const code = body.errors?.[0]?.extensions?.code;
      if (code === undefined) return body.data?.node ?? null;
      if (code === 'NOT_FOUND') return null;
      // The caller's credentials, refused by the nodes subgraph as they would be here.
      if (code === 'UNAUTHENTICATED') throw unauthenticated();
      if (code === 'FORBIDDEN') throw forbidden('You may not see this node.');
      throw new Error(`The nodes subgraph answered ${String(code)}: ${body.errors?.[0]?.message}`);
    },
  };
}
