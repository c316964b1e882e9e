/**
 * Nothing stays RUNNING without an agent. A claim carries a lease: the claim sets it, and each
 * report of the agent (reportDeploymentProgress) and each heartbeat naming the deployment (the
 * nodes subgraph's NODE_HEARTBEAT event) renews it. When it lapses — the claim's answer was
 * lost, the agent was killed, the node is gone — the lease sweeper makes the deployment FAILED
 * with an event saying why. And when a node is decommissioned (NODE_RETIRED), its QUEUED
 * deployments are cancelled, each with an event, and once that is committed the retirement is
 * confirmed (NODE_RETIREMENT_CONFIRMED): the nodes subgraph announces it until then, so a lost
 * announcement, or a failed cancellation, is made good at its next sweep.
 *
 * Every replica listens to the events and runs the sweeper's timer; one sweeps at a time
 * (kit/single-runner). Each change locks its row and re-checks the status, so replicas that
 * overlap — two handling the same event, two sweeps — still change each deployment once.
 *
 * Heartbeats arrive over Redis pub/sub, at most once: those sent while this replica could not
 * hear them (Redis down, its connection lost, the replica itself not running) renewed nothing.
 * So a claim lapses only after the sweeping replica could hear heartbeats for a whole lease:
 * until then, a lapsed lease is extended to a full lease from when it could hear again.
 */
import { isUuid } from '../../kit/ids';
import type { Logger } from '../../../platform/logger';
import type { EntityManager } from '../../kit/orm';
import type { RedisConnections } from '../../../platform/redis';
import { runOnOneReplica } from '../../kit/single-runner';
import type { DeploymentsDeps } from '../context';
import { Deployment } from '../entities/deployment';
import type { ListenedTopics } from '../pubsub';
import { announce, recordUpdates } from './announce';
import { changeStatus, noChanges } from './history';
import { retireNode } from './retired-nodes';

/** The sweeper lease's key, after the Redis prefix. */
export const LEASE_SWEEPER_KEY = 'deployments:lease-sweeper-lease';

/** Deployments failed per sweep: a huge backlog is worked off over several intervals. */
const BATCH = 500;

/** Sets a RUNNING deployment's lease to `leaseMs` from now (claims and reports call it). */
export function renewLease(deployment: Deployment, leaseMs: number): void {
  deployment.leaseExpiresAt =
    deployment.status === 'RUNNING' ? new Date(Date.now() + leaseMs) : null;
}

/**
 * Lapsed claims, locked; rows a report holds locked are skipped (that agent is not silent).
 * Oldest lapse first, so a backlog is worked off in order.
 */
const LAPSED = `
  select * from "deployments"."deployments"
  where "status" = 'RUNNING' and "lease_expires_at" < ?
  order by "lease_expires_at"
  limit ${BATCH}
  for update skip locked`;

/**
 * QUEUED deployments of a node, locked. Waiting for a lock (not skipping) re-checks the status
 * once the holder commits: a replica handling the same event finds them CANCELLED already.
 */
const QUEUED_ON_NODE = `
  select * from "deployments"."deployments"
  where "node_id" = ? and "organization_id" = ? and "status" = 'QUEUED'
  for update`;

/** Changes the rows `select` locks to `status`, each with an event, and announces them. */
async function changeAll(
  deps: DeploymentsDeps,
  logger: Logger,
  select: (em: EntityManager) => Promise<Record<string, unknown>[]>,
  status: 'FAILED' | 'CANCELLED',
  message: (deployment: Deployment) => string,
): Promise<number> {
  const changes = noChanges();
  const changed = await deps.fork().transactional(async (em) => {
    const rows = await select(em);
    for (const row of rows) {
      const deployment = em.map(Deployment, row);
      changeStatus(em, changes, deployment, status, { message: message(deployment) });
    }
    if (rows.length > 0) await recordUpdates(em, changes);
    return rows.length;
  });
  await announce({ deps, logger }, changes);
  return changed;
}

export interface LeaseKeeper {
  /** Sweeps this replica has run (tests compare replicas). */
  sweepCount(): number;
  /** Stops listening and sweeping, and releases the sweeper lease. */
  stop(): Promise<void>;
}

/** Lapsed claims extended to the given time (their heartbeats may have gone unheard). */
const EXTEND_LAPSED = `
  update "deployments"."deployments" set "lease_expires_at" = ?
  where "status" = 'RUNNING' and "lease_expires_at" < ?`;

export async function startLeaseKeeper(
  deps: DeploymentsDeps,
  redis: RedisConnections,
  logger: Logger,
): Promise<LeaseKeeper> {
  const { leaseMs, leaseSweepIntervalMs } = deps.config;
  const seconds = leaseMs / 1000;
  /** Since when this replica has heard heartbeats without a break (as far as it can tell). */
  let hearingSince = Date.now();
  const stopWatchingRecovery = deps.pubsub.onRecovered(() => (hearingSince = Date.now()));
  /**
   * When this replica last swept. A longer gap than the sweeper's Redis lease (three intervals)
   * means that it could not reach Redis meanwhile, or that another replica swept.
   */
  let lastSweepAt: number | null = null;

  const sweep = async () => {
    const now = Date.now();
    if (lastSweepAt !== null && now - lastSweepAt > 3 * leaseSweepIntervalMs) {
      hearingSince = Math.max(hearingSince, now);
    }
    lastSweepAt = now;
    const heardFullLeaseAt = hearingSince + leaseMs;
    if (now < heardFullLeaseAt) {
      await deps.fork().execute(EXTEND_LAPSED, [new Date(heardFullLeaseAt), new Date(now)]);
    }
    const failed = await changeAll(
      deps,
      logger,
      (em) => em.execute(LAPSED, [new Date()]),
      'FAILED',
      () =>
        `No report or heartbeat from the node's agent for ${seconds} s: its claim lapsed ` +
        '(the claim was lost, or the agent or its node stopped).',
    );
    if (failed > 0) logger.warn({ count: failed }, 'deployments with lapsed claims FAILED');
  };

  const renew = async (event: ListenedTopics['NODE_HEARTBEAT']) => {
    const ids = Array.isArray(event.deploymentIds) ? event.deploymentIds.filter(isUuid) : [];
    if (ids.length === 0 || !isUuid(event.nodeId) || !isUuid(event.organizationId)) return;
    await deps.fork().execute(
      `update "deployments"."deployments" set "lease_expires_at" = ?
        where "id" in (${ids.map(() => '?').join(', ')})
          and "node_id" = ? and "organization_id" = ? and "status" = 'RUNNING'`,
      [new Date(Date.now() + leaseMs), ...ids, event.nodeId, event.organizationId],
    );
  };

  const retireQueue = async (event: ListenedTopics['NODE_RETIRED']) => {
    if (!isUuid(event.nodeId) || !isUuid(event.organizationId)) return;
    const cancelled = await changeAll(
      deps,
      logger,
      async (em) => {
        await retireNode(em, event);
        return em.execute(QUEUED_ON_NODE, [event.nodeId, event.organizationId]);
      },
      'CANCELLED',
      () => 'Cancelled: its node was decommissioned.',
    );
    if (cancelled > 0)
      logger.info(
        { nodeId: event.nodeId, count: cancelled },
        'decommissioned node: queue cancelled',
      );
    await deps.pubsub
      .publish('NODE_RETIREMENT_CONFIRMED', { nodeId: event.nodeId })
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'node retirement not confirmed: it will be announced again'),
      );
  };

  /** Runs the work an event asks for, logging a failure rather than losing it to the event loop. */
  const handle =
    <T>(what: string, work: (event: T) => Promise<void>) =>
    (event: T) =>
      void work(event).catch((error: unknown) => logger.error({ err: error }, what));

  const unlisten = await Promise.all([
    deps.pubsub.listen(
      'NODE_HEARTBEAT',
      (event) => event,
      handle('renewing leases from a heartbeat failed', renew),
    ),
    deps.pubsub.listen(
      'NODE_RETIRED',
      (event) => event,
      handle("cancelling a decommissioned node's queue failed", retireQueue),
    ),
  ]);
  const runner = runOnOneReplica({
    redis,
    leaseKey: LEASE_SWEEPER_KEY,
    intervalMs: leaseSweepIntervalMs,
    logger,
    name: 'deployment lease sweep',
    task: sweep,
  });
  return {
    sweepCount: runner.runCount,
    async stop() {
      stopWatchingRecovery();
      await Promise.all(unlisten.map((stop) => stop()));
      await runner.stop();
    },
  };
}
