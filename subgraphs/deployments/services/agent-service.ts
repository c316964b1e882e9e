/**
 * What node agents do: claim their node's next deployment and report its progress. Only a node
 * token will do, and an agent reaches its own node's deployments only.
 */
import { badUserInput, conflict, notFound } from '../../../platform/errors';
import { requireNode } from '../../kit/guards';
import { isUuid } from '../../kit/ids';
import { isUniqueViolation, type EntityManager } from '../../kit/orm';
import { validate } from '../../kit/validation';
import type { DeploymentsContext } from '../context';
import { Deployment, type DeploymentStatus } from '../entities/deployment';
import type { LogLevel } from '../entities/deployment-event';
import { announce, recordUpdates } from './announce';
import { appendLog, changeStatus, noChanges, type Changes } from './history';
import { renewLease } from './leases';
import { lockDeployment } from './lifecycle-service';
import { assertReportingNodeNotRetired } from './retired-nodes';
import { hasFinished } from './state-machine';
import { logMessageRule, MAX_LOGS_PER_REPORT } from './validation';

/** The database's guarantee of at most one RUNNING deployment per application and node. */
const ONE_RUNNING = 'deployments_one_running_per_application';

const alreadyRunning = () =>
  conflict('Another deployment of this application is already RUNNING on this node.', {
    from: 'QUEUED',
    to: 'RUNNING',
  });

/**
 * The oldest QUEUED deployment of the node among those that may start now: its application is
 * not RUNNING there, and no older deployment of it waits (deployments of one application start
 * in order). SKIP LOCKED: a concurrent claim passes over a row being claimed instead of waiting
 * for it, so no deployment is handed out twice and no claim blocks another.
 */
const NEXT_QUEUED = `
  select d.* from "deployments"."deployments" d
  where d."node_id" = ? and d."organization_id" = ? and d."status" = 'QUEUED'
    and not exists (
      select 1 from "deployments"."deployments" r
      where r."node_id" = d."node_id" and r."application" = d."application"
        and r."status" = 'RUNNING'
    )
    and not exists (
      select 1 from "deployments"."deployments" o
      where o."node_id" = d."node_id" and o."application" = d."application"
        and o."status" = 'QUEUED' and (o."created_at", o."id") < (d."created_at", d."id")
    )
  order by d."created_at", d."id"
  limit 1
  for update of d skip locked`;

/**
 * A claim that lost a race to start the same application (an agent may also start a deployment
 * by reporting it RUNNING) looks again; each retry follows the winner's commit.
 */
const CLAIM_ATTEMPTS = 3;

export async function claimDeployment(ctx: DeploymentsContext): Promise<Deployment | null> {
  const { nodeId, organizationId } = requireNode(ctx.principal);
  for (let attempt = 1; ; attempt++) {
    const changes = noChanges();
    try {
      const claimed = await ctx.em.transactional(async (em) => {
        const [row] = await em.execute<Record<string, unknown>[]>(NEXT_QUEUED, [
          nodeId,
          organizationId,
        ]);
        if (!row) return null;
        const deployment = em.map(Deployment, row);
        changeStatus(em, changes, deployment, 'RUNNING', { message: 'Claimed by the node agent.' });
        renewLease(deployment, ctx.deps.config.leaseMs);
        await recordUpdates(em, changes);
        return deployment;
      });
      await announce(ctx, changes);
      return claimed;
    } catch (error) {
      // A deployment of the same application started meanwhile: that one runs.
      if (!isUniqueViolation(error, ONE_RUNNING)) throw error;
      if (attempt === CLAIM_ATTEMPTS) return null;
    }
  }
}

export async function reportDeploymentProgress(
  ctx: DeploymentsContext,
  input: {
    deploymentId: string;
    status?: DeploymentStatus | null;
    /** `level` is INFO unless given (the SDL's default, for callers that bypass it). */
    logs?: { level?: LogLevel | null; message: string }[] | null;
  },
): Promise<Deployment> {
  const { nodeId, organizationId } = requireNode(ctx.principal);
  const logs = input.logs ?? [];
  if (logs.length > MAX_LOGS_PER_REPORT) {
    throw badUserInput(`At most ${MAX_LOGS_PER_REPORT} log lines per report.`, 'logs');
  }
  logs.forEach((log, i) => validate(logMessageRule, log.message, `logs.${i}.message`));
  const changes = noChanges();
  try {
    const deployment = await ctx.em.transactional(async (em) => {
      await assertReportingNodeNotRetired(em, nodeId);
      const id = input.deploymentId;
      const locked = isUuid(id) ? await lockDeployment(em, { id, organizationId, nodeId }) : null;
      if (!locked) throw notFound('Deployment');
      // Log lines narrate an agent's work on the deployment. Once it has finished (a user
      // cancelled it, its lease lapsed while the agent was cut off), lines stored after its
      // final event would say that work went on; the agent learns from `from` why it must stop.
      if (logs.length > 0 && hasFinished(locked.status)) {
        throw conflict(`The deployment is ${locked.status}: it takes no more log lines.`, {
          from: locked.status,
        });
      }
      // The logs explain what led to the status change, so they come first.
      for (const { level, message } of logs) {
        appendLog(em, changes, locked, { level: level ?? 'INFO', message });
      }
      if (input.status && input.status !== locked.status) {
        changeStatus(em, changes, locked, input.status);
        if (input.status === 'SUCCEEDED' && locked.rollbackOf) {
          await markRolledBack(em, changes, locked, locked.rollbackOf);
        }
      }
      // Any report, even an empty one, shows the agent is at work on it.
      renewLease(locked, ctx.deps.config.leaseMs);
      await recordUpdates(em, changes);
      return locked;
    });
    await announce(ctx, changes);
    return deployment;
  } catch (error) {
    if (isUniqueViolation(error, ONE_RUNNING)) throw alreadyRunning();
    throw error;
  }
}

/** A rollback succeeded: the deployment it rolled back is now ROLLED_BACK, in the same commit. */
async function markRolledBack(
  em: EntityManager,
  changes: Changes,
  rollback: Deployment,
  originalId: string,
): Promise<void> {
  const original = await lockDeployment(em, {
    id: originalId,
    organizationId: rollback.organizationId,
  });
  // Only a SUCCEEDED deployment can be rolled back; rollbackDeployment checked it, and nothing
  // else moves it while its rollback is pending.
  if (original?.status !== 'SUCCEEDED') return;
  changeStatus(em, changes, original, 'ROLLED_BACK', {
    cause: 'rollback',
    message: `Rolled back to ${rollback.version} by deployment ${rollback.id}.`,
  });
}
