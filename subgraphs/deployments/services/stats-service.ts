/**
 * deploymentStats: counts per status for the whole organization, the dashboard's headline. They
 * are cached in Redis per organization (the cache-aside pattern of the seeds' dashboard stats),
 * under the position of the organization's DEPLOYMENT_UPDATED change records, which every change
 * of a status moves: a cached count is served only at the position it was counted at.
 */
import { changeHead } from '../../kit/change-log';
import { requireUser } from '../../kit/guards';
import type { EntityManager } from '../../kit/orm';
import type { DeploymentsContext } from '../context';
import type { DeploymentCounts, DeploymentStatus } from '../entities/deployment';

const FIELD_OF: Record<DeploymentStatus, keyof DeploymentCounts> = {
  QUEUED: 'queued',
  RUNNING: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  ROLLED_BACK: 'rolledBack',
};

async function countByStatus(em: EntityManager, organizationId: string): Promise<DeploymentCounts> {
  const rows = await em.execute<{ status: DeploymentStatus; count: number }[]>(
    `select "status", count(*)::int as "count" from "deployments"."deployments"
      where "organization_id" = ? group by "status"`,
    [organizationId],
  );
  const counts: DeploymentCounts = {
    queued: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    rolledBack: 0,
  };
  for (const row of rows) counts[FIELD_OF[row.status]] = row.count;
  return counts;
}

export async function getDeploymentStats(ctx: DeploymentsContext): Promise<DeploymentCounts> {
  const { organizationId } = requireUser(ctx.principal);
  // Every change of a count moves the organization's change-record head, in its transaction.
  const head = await changeHead(ctx.em, 'deployments', 'DEPLOYMENT_UPDATED', organizationId);
  return ctx.deps.statsCache.get(organizationId, head, () => countByStatus(ctx.em, organizationId));
}
