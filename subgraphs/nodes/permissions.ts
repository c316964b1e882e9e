/**
 * Who may call what in the nodes subgraph: graphql-shield's coarse rules (fallback: deny) and the
 * rate limit on node authentication. Organization and own-node checks stay in the services.
 */
import type { RateLimiter, RateLimits } from '../../platform/rate-limit';
import {
  createPermissions,
  hasRole,
  isAuthenticated,
  isNodeAgent,
  isUser,
  rateLimitRule,
} from '../kit/shield';
import type { MutationAuthenticateNodeArgs } from './__generated__/resolvers-types';
import type { NodesContext } from './context';

/** Defaults; RATE_LIMITS overrides them by name. */
export const NODES_RATE_LIMITS: RateLimits = {
  /**
   * Per node and client address: an agent authenticates once per token lifetime, a little more
   * after restarts. Counted before the signature is checked, so per node alone anyone who knows
   * a node's id could spend its budget with made-up signatures and lock its agent out.
   */
  authenticateNode: { max: 30, windowMs: 15 * 60_000 },
};

export function createNodesPermissions(limiter: RateLimiter) {
  return createPermissions({
    Query: {
      // A node agent may read its own node; the service says which.
      node: isAuthenticated,
      nodes: isUser,
      // As nodeStatusChanged: users, and an agent for its own node (the service checks).
      nodeStatusChangedHead: isAuthenticated,
    },
    Mutation: {
      registerNode: hasRole('OPERATOR'),
      // The signature is the credential here.
      authenticateNode: rateLimitRule<MutationAuthenticateNodeArgs, NodesContext>(
        limiter,
        'authenticateNode',
        ({ input }, ctx) => `${ctx.clientAddress}|${input.nodeId}`,
      ),
      heartbeat: isNodeAgent,
      decommissionNode: hasRole('OPERATOR'),
    },
    Subscription: {
      // Users watch their organization's nodes, an agent only its own node (the service checks).
      nodeStatusChanged: isAuthenticated,
    },
    reachable: [
      'Node',
      'NodeConnection',
      'NodeEdge',
      'NodeMetrics',
      'PageInfo',
      'AuthenticateNodePayload',
      'User',
    ],
  });
}
