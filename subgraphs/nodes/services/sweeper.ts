/**
 * The sweeper marks heartbeating nodes OFFLINE once they fall silent, and announces again the
 * retirements of decommissioned nodes that the deployments subgraph has not confirmed
 * (retirements.ts). It runs in every replica, but only one sweeps at a time (kit/single-runner).
 * Correctness does not depend on that: the sweep is a single conditional UPDATE, so two
 * overlapping sweeps still change (and announce) each node once, and a retirement announced
 * twice is harmless.
 */
import type { Logger } from '../../../platform/logger';
import type { Database } from '../../kit/orm';
import type { RedisConnections } from '../../../platform/redis';
import { runOnOneReplica } from '../../kit/single-runner';
import type { NodeStatus } from '../entities/node';
import type { NodesPubSub } from '../pubsub';
import { reannounceRetirements } from './retirements';
import { publishStatusChanges, recordStatusChanges } from './status-events';

/** The lease's key, after the Redis prefix. */
export const SWEEPER_LEASE_KEY = 'nodes:sweeper-lease';

/** Nodes turned OFFLINE per statement: a huge backlog is worked off over several intervals. */
const BATCH = 1000;

export interface Sweeper {
  /** Sweeps this replica has run (tests compare replicas). */
  sweepCount(): number;
  /** Stops ticking, waits for a running sweep and releases the lease. */
  stop(): Promise<void>;
}

export function startSweeper(deps: {
  database: Database;
  redis: RedisConnections;
  pubsub: NodesPubSub;
  logger: Logger;
  offlineAfterMs: number;
  intervalMs: number;
}): Sweeper {
  const { logger } = deps;

  const sweep = async () => {
    const now = new Date();
    const cutoff = new Date(now.getTime() - deps.offlineAfterMs);
    // Rows a heartbeat holds locked are skipped: they are not silent. The changes are stored
    // in the same transaction, then announced.
    const events = await deps.database.fork().transactional(async (em) => {
      const rows = await em.execute<
        {
          id: string;
          organization_id: string;
          previous_status: NodeStatus;
          last_heartbeat_at: Date | string;
          cpu_percent: number | null;
          memory_percent: number | null;
          disk_percent: number | null;
          agent_version: string | null;
        }[]
      >(
        `with silent as (
           select id, status from nodes.nodes
            where status in ('ONLINE', 'DEGRADED') and last_heartbeat_at < ?
            limit ${BATCH}
            for update skip locked
         )
         update nodes.nodes node set status = 'OFFLINE', status_changed_at = ?
           from silent where node.id = silent.id
         returning node.id, node.organization_id, silent.status as previous_status,
                   node.last_heartbeat_at, node.cpu_percent, node.memory_percent,
                   node.disk_percent, node.agent_version`,
        [cutoff, now],
      );
      return recordStatusChanges(
        em,
        rows.map((row) => ({
          node: {
            id: row.id,
            organizationId: row.organization_id,
            status: 'OFFLINE',
            statusChangedAt: now,
            // Its last heartbeat's readings, which the change records (only heartbeating nodes
            // are swept, so there was one).
            lastHeartbeatAt: new Date(row.last_heartbeat_at),
            cpuPercent: row.cpu_percent,
            memoryPercent: row.memory_percent,
            diskPercent: row.disk_percent,
            agentVersion: row.agent_version,
          },
          previousStatus: row.previous_status,
        })),
      );
    });
    await publishStatusChanges(deps.pubsub, logger, events);
    if (events.length > 0) logger.info({ count: events.length }, 'silent nodes marked OFFLINE');
    // Unconfirmed for a whole interval: the announcement or the confirmation was lost.
    const before = new Date(now.getTime() - deps.intervalMs);
    await reannounceRetirements(deps.database, deps.pubsub, logger, before);
  };

  const runner = runOnOneReplica({
    redis: deps.redis,
    leaseKey: SWEEPER_LEASE_KEY,
    intervalMs: deps.intervalMs,
    logger,
    name: 'node sweep',
    task: sweep,
  });
  return { sweepCount: runner.runCount, stop: runner.stop };
}
