/**
 * What users do to deployments: queue one, cancel one, roll one back. Each change happens in one
 * transaction holding the deployment's row, then is announced (announce.ts).
 */
import { LockMode } from '@mikro-orm/core';
import { conflict, notFound } from '../../../platform/errors';
import { requireRole } from '../../kit/guards';
import { isUuid } from '../../kit/ids';
import type { EntityManager } from '../../kit/orm';
import { validate } from '../../kit/validation';
import type { DeploymentsContext } from '../context';
import { Deployment } from '../entities/deployment';
import { findVisibleDeployment } from './access';
import { announce, recordUpdates } from './announce';
import { changeStatus, noChanges, recordQueued } from './history';
import { assertNodeNotRetired, decommissioned } from './retired-nodes';
import { nameRule } from './validation';

/** The deployment's row, locked until the transaction ends (and read afresh, not from cache). */
export function lockDeployment(
  em: EntityManager,
  where: { id: string; organizationId: string; nodeId?: string },
): Promise<Deployment | null> {
  return em.findOne(Deployment, where, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/**
 * The node must exist for the caller and take deployments. The nodes subgraph answers on the
 * caller's behalf, with the caller's credentials: it decides what the caller may see.
 */
async function assertDeployableNode(ctx: DeploymentsContext, nodeId: string): Promise<void> {
  const node = isUuid(nodeId) ? await ctx.deps.nodes.findNode(ctx, nodeId) : null;
  if (!node) throw notFound('Node');
  if (node.status === 'DECOMMISSIONED') throw decommissioned();
}

export async function createDeployment(
  ctx: DeploymentsContext,
  input: { nodeId: string; application: string; version: string; environment: string },
): Promise<Deployment> {
  const user = requireRole(ctx.principal, 'DEVELOPER');
  const application = validate(nameRule, input.application, 'application');
  const version = validate(nameRule, input.version, 'version');
  const environment = validate(nameRule, input.environment, 'environment');
  await assertDeployableNode(ctx, input.nodeId);
  const deployment = new Deployment(
    user.organizationId,
    input.nodeId,
    application,
    version,
    environment,
    user.userId,
  );
  const changes = noChanges();
  await ctx.em.transactional(async (em) => {
    await assertNodeNotRetired(em, deployment.nodeId);
    recordQueued(em, changes, deployment, `Queued ${application} ${version} for ${environment}.`);
    await recordUpdates(em, changes);
  });
  await announce(ctx, changes);
  return deployment;
}

export async function cancelDeployment(ctx: DeploymentsContext, id: string): Promise<Deployment> {
  const { organizationId } = requireRole(ctx.principal, 'DEVELOPER');
  const changes = noChanges();
  const deployment = await ctx.em.transactional(async (em) => {
    const locked = isUuid(id) ? await lockDeployment(em, { id, organizationId }) : null;
    if (!locked) throw notFound('Deployment');
    changeStatus(em, changes, locked, 'CANCELLED', { message: 'Cancelled by a user.' });
    await recordUpdates(em, changes);
    return locked;
  });
  await announce(ctx, changes);
  return deployment;
}

export async function rollbackDeployment(ctx: DeploymentsContext, id: string): Promise<Deployment> {
  const user = requireRole(ctx.principal, 'DEVELOPER');
  const original = await findVisibleDeployment(ctx, id);
  if (!original) throw notFound('Deployment');
  // Asked before the transaction: no row stays locked while another service answers.
  await assertDeployableNode(ctx, original.nodeId);
  const changes = noChanges();
  const rollback = await ctx.em.transactional(async (em) => {
    // Locked, so that two concurrent rollbacks of it cannot both pass the checks below.
    const locked = await lockDeployment(em, { id, organizationId: user.organizationId });
    if (!locked) throw notFound('Deployment');
    if (locked.status !== 'SUCCEEDED') {
      throw conflict(
        `Only a SUCCEEDED deployment can be rolled back; this one is ${locked.status}.`,
        {
          status: locked.status,
        },
      );
    }
    // Only what is in place can be rolled back: a later deployment of the application there
    // that succeeded, or is under way (a pending rollback of this one included), replaced it.
    const later = await em.findOne(
      Deployment,
      {
        id: { $ne: locked.id },
        organizationId: locked.organizationId,
        nodeId: locked.nodeId,
        application: locked.application,
        environment: locked.environment,
        status: { $in: ['SUCCEEDED', 'QUEUED', 'RUNNING'] },
        createdAt: { $gte: locked.createdAt },
      },
      { orderBy: { createdAt: 'desc', id: 'desc' } },
    );
    if (later) {
      throw conflict(
        later.rollbackOf === locked.id
          ? 'A rollback of this deployment is already pending.'
          : `A later deployment of ${locked.application} (${later.version}, ${later.status}) replaced this one; roll that one back instead.`,
        { deploymentId: later.id },
      );
    }
    const target = await em.findOne(
      Deployment,
      {
        organizationId: locked.organizationId,
        nodeId: locked.nodeId,
        application: locked.application,
        environment: locked.environment,
        status: 'SUCCEEDED',
        version: { $ne: locked.version },
        createdAt: { $lt: locked.createdAt },
      },
      { orderBy: { createdAt: 'desc', id: 'desc' } },
    );
    if (!target) {
      throw conflict(
        `No earlier successful version of ${locked.application} on this node to roll back to.`,
      );
    }
    await assertNodeNotRetired(em, locked.nodeId);
    const deployment = new Deployment(
      locked.organizationId,
      locked.nodeId,
      locked.application,
      target.version,
      locked.environment,
      user.userId,
      locked.id,
    );
    recordQueued(
      em,
      changes,
      deployment,
      `Queued rollback of ${locked.application} from ${locked.version} to ${target.version}.`,
    );
    await recordUpdates(em, changes);
    return deployment;
  });
  await announce(ctx, changes);
  return rollback;
}
