/**
 * The sweeper marks heartbeating nodes OFFLINE once they fall silent. It runs in every replica,
 * but only the holder of a Redis lease sweeps: the holder renews its lease at each tick, so it
 * sweeps exactly once per interval; the others try to take the lease at theirs and succeed only
 * once it is free — released at shutdown, or expired when its holder died.
 *
 * The lease saves duplicate work; correctness does not depend on it: the sweep is a single
 * conditional UPDATE, so two overlapping sweeps still change (and announce) each node once.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../platform/logger';
import type { Database } from '../../kit/orm';
import type { RedisConnections } from '../../../platform/redis';
import type { NodeStatus } from '../entities/node';
import type { NodesPubSub } from '../pubsub';
import { publishStatusChanges, recordStatusChanges } from './status-events';

/** The lease's key, after the Redis prefix. */
export const SWEEPER_LEASE_KEY = 'nodes:sweeper-lease';

/** Takes the lease (SET NX PX), or extends it when this replica already holds it. */
const ACQUIRE_OR_RENEW = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
return 0`;

/** Deletes the lease only if this replica still holds it. */
const RELEASE = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`;

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
  const { redis, logger } = deps;
  const holder = randomUUID();
  const key = `${redis.prefix}${SWEEPER_LEASE_KEY}`;
  // Three intervals: a holder whose tick is late (a busy event loop) does not lose the lease,
  // and a dead holder's is free again soon.
  const leaseMs = deps.intervalMs * 3;
  let sweeps = 0;
  let running: Promise<void> | null = null;

  const sweep = async () => {
    const now = new Date();
    const cutoff = new Date(now.getTime() - deps.offlineAfterMs);
    // Rows a heartbeat holds locked are skipped: they are not silent. The changes are stored
    // in the same transaction, then announced.
    const events = await deps.database.fork().transactional(async (em) => {
      const rows = await em.execute<
        { id: string; organization_id: string; previous_status: NodeStatus }[]
      >(
        `with silent as (
           select id, status from nodes.nodes
            where status in ('ONLINE', 'DEGRADED') and last_heartbeat_at < ?
            limit ${BATCH}
            for update skip locked
         )
         update nodes.nodes node set status = 'OFFLINE', status_changed_at = ?
           from silent where node.id = silent.id
         returning node.id, node.organization_id, silent.status as previous_status`,
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
          },
          previousStatus: row.previous_status,
        })),
      );
    });
    await publishStatusChanges(deps.pubsub, logger, events);
    if (events.length > 0) logger.info({ count: events.length }, 'silent nodes marked OFFLINE');
  };

  const tick = async () => {
    const held = await redis.commands.eval(ACQUIRE_OR_RENEW, 1, key, holder, leaseMs);
    if (held !== 1) return;
    sweeps += 1;
    await sweep();
  };

  const timer = setInterval(() => {
    if (running) return; // the previous sweep is still running: skip rather than pile up
    running = tick()
      .catch((error: unknown) => logger.error({ err: error }, 'node sweep failed'))
      .finally(() => {
        running = null;
      });
  }, deps.intervalMs);
  timer.unref();

  return {
    sweepCount: () => sweeps,
    async stop() {
      clearInterval(timer);
      await running;
      await redis.commands.eval(RELEASE, 1, key, holder).catch(() => undefined);
    },
  };
}
