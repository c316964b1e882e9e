/**
 * Asks the nodes subgraph about a node on the caller's behalf: the caller's own credentials are
 * forwarded, so the nodes subgraph decides what the caller may see (zero trust between services).
 */
import { queryOnBehalf, type Caller } from '../../kit/on-behalf';
import { forbidden, unauthenticated } from '../../../platform/errors';

export interface NodeSummary {
  id: string;
  status: string;
}

export interface NodesClient {
  /** The node if the caller may see it, else null. */
  findNode(caller: Caller, id: string): Promise<NodeSummary | null>;
}

const NODE_QUERY = 'query DeploymentTargetNode($id: ID!) { node(id: $id) { id status } }';

export function createNodesClient(url: string, timeoutMs = 5000): NodesClient {
  return {
    async findNode(caller, id) {
      const body = await queryOnBehalf<{ node?: NodeSummary | null }>(
        { name: 'nodes', url },
        caller,
        NODE_QUERY,
        { id },
        timeoutMs,
      );
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
