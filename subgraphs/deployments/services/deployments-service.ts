/** Reading deployments: one, a filtered list, and the pages contributed to Node and User. */
import type { FilterQuery } from '@mikro-orm/core';
import { notFound } from '../../../platform/errors';
import { requireUser } from '../../kit/guards';
import { isUuid } from '../../kit/ids';
import {
  cursorScope,
  decodeTimestampCursor,
  forwardConnection,
  pageSize,
  type Connection,
} from '../../kit/pagination';
import { findRows } from '../../kit/reads';
import type { DeploymentsContext } from '../context';
import { Deployment, type DeploymentStatus } from '../entities/deployment';
import { findVisibleDeployment } from './access';
import { isStoredName } from './validation';

export interface DeploymentFilter {
  status?: DeploymentStatus | null;
  nodeId?: string | null;
  application?: string | null;
  environment?: string | null;
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/**
 * Newest first; the cursor holds the sort key, scoped to its list: the organization's
 * (`deployments`, whatever its filter: one order for all), or one node's or user's.
 */
const cursorKey = (deployment: Deployment) => [deployment.createdAt.toISOString(), deployment.id];

export async function getDeployment(ctx: DeploymentsContext, id: string): Promise<Deployment> {
  requireUser(ctx.principal);
  const deployment = await findVisibleDeployment(ctx, id);
  if (!deployment) throw notFound('Deployment');
  return deployment;
}

export async function listDeployments(
  ctx: DeploymentsContext,
  args: PageArgs & { filter?: DeploymentFilter | null },
): Promise<Connection<Deployment>> {
  const { organizationId } = requireUser(ctx.principal);
  const size = pageSize(args.first, 'first');
  const scope = cursorScope('deployments', organizationId);
  const after = args.after != null ? decodeTimestampCursor(args.after, 'after', scope) : null;
  const filter = args.filter ?? {};
  const where: FilterQuery<Deployment> = { organizationId };
  if (filter.status) where.status = filter.status;
  // Exact matches. A value no deployment can have (names are stored as nameRule leaves them:
  // trimmed, without spaces), like an ill-formed node id, matches nothing.
  const { application, environment, nodeId } = filter;
  if (
    (application != null && !isStoredName(application)) ||
    (environment != null && !isStoredName(environment)) ||
    (nodeId != null && !isUuid(nodeId))
  ) {
    return forwardConnection([], size, cursorKey, Boolean(after), scope);
  }
  if (application != null) where.application = application;
  if (environment != null) where.environment = environment;
  if (nodeId != null) where.nodeId = nodeId;
  if (after) {
    // The first condition bounds the index scan; the second breaks ties on the timestamp.
    where.createdAt = { $lte: after.at };
    where.$or = [{ createdAt: { $lt: after.at } }, { id: { $lt: after.id } }];
  }
  const rows = await findRows(ctx, Deployment, where, {
    orderBy: { createdAt: 'desc', id: 'desc' },
    limit: size + 1,
  });
  return forwardConnection(rows, size, cursorKey, Boolean(after), scope);
}

/** `Node.deployments` and `User.deployments`: batched across all parents of a response. */
export async function ownerDeployments(
  ctx: DeploymentsContext,
  owner: 'node' | 'user',
  ownerId: string,
  args: PageArgs & { status?: DeploymentStatus | null },
): Promise<Connection<Deployment>> {
  const { organizationId } = requireUser(ctx.principal);
  const size = pageSize(args.first, 'first');
  const scope = cursorScope(`${owner}-deployments`, ownerId);
  const after = args.after != null ? decodeTimestampCursor(args.after, 'after', scope) : null;
  const rows = isUuid(ownerId)
    ? await ctx.loaders.deploymentPages.load({
        owner,
        ownerId,
        organizationId,
        status: args.status ?? null,
        limit: size + 1,
        after,
      })
    : [];
  return forwardConnection(rows, size, cursorKey, Boolean(after), scope);
}
