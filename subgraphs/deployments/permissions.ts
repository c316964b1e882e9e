/**
 * Who may call what in the deployments subgraph: graphql-shield's coarse rules (fallback: deny)
 * and the rate limit on new deployments. Organization and own-node checks stay in the services.
 */
import { chain } from 'graphql-shield';
import type { RateLimiter, RateLimits } from '../../platform/rate-limit';
import {
  createPermissions,
  hasRole,
  isAuthenticated,
  isNodeAgent,
  isUser,
  perUserRateLimitRule,
} from '../kit/shield';

/** Defaults; RATE_LIMITS overrides them by name. */
export const DEPLOYMENTS_RATE_LIMITS: RateLimits = {
  /** Per user. */
  createDeployment: { max: 30, windowMs: 60_000 },
};

export function createDeploymentsPermissions(limiter: RateLimiter) {
  const createDeployment = perUserRateLimitRule(limiter, 'createDeployment');
  return createPermissions({
    Query: {
      deployment: isUser,
      deployments: isUser,
      deploymentStats: isUser,
      // As deploymentUpdated: users, and an agent for its own node's (the service checks).
      deploymentUpdatedHead: isAuthenticated,
    },
    Mutation: {
      // The role first, so a refused caller is not counted.
      createDeployment: chain(hasRole('DEVELOPER'), createDeployment),
      cancelDeployment: hasRole('DEVELOPER'),
      rollbackDeployment: hasRole('DEVELOPER'),
      claimDeployment: isNodeAgent,
      reportDeploymentProgress: isNodeAgent,
    },
    Subscription: {
      // Users watch their organization's deployments, an agent only its own node's.
      deploymentUpdated: isAuthenticated,
      deploymentEvents: isUser,
    },
    reachable: [
      'Deployment',
      'DeploymentConnection',
      'DeploymentEdge',
      'DeploymentEvent',
      'DeploymentEventConnection',
      'DeploymentEventEdge',
      'DeploymentStats',
      'Node',
      'PageInfo',
      'User',
    ],
  });
}
