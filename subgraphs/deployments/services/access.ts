/** Who may see which deployment. Organization checks live here, next to the data. */
import type { Principal } from '../../../platform/principal';
import type { DeploymentsContext } from '../context';
import type { Deployment } from '../entities/deployment';

/** Users see their organization's deployments; a node agent sees its own node's only. */
export function canSee(principal: Principal | null, deployment: Deployment): boolean {
  if (!principal || principal.organizationId !== deployment.organizationId) return false;
  return principal.kind === 'user' || principal.nodeId === deployment.nodeId;
}

/** A deployment the caller may see, or null: others do not exist for them. */
export async function findVisibleDeployment(
  ctx: DeploymentsContext,
  id: string,
): Promise<Deployment | null> {
  const deployment = await ctx.loaders.deploymentById.load(id);
  return deployment && canSee(ctx.principal, deployment) ? deployment : null;
}
