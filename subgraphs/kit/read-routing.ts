/**
 * Which queries read from a replica, so that none reads older data than its caller has written.
 *
 * A streaming replica replays the primary's WAL a moment behind it. That moment is fine for most
 * reads (a dashboard is as stale as its last refresh anyway), but not for a caller reading what
 * they have just changed: a client that renames a node and reloads the list must see the new
 * name, even when the reload is answered by another process of the subgraph.
 *
 * So after a caller's mutation, the primary's WAL position is recorded in Redis under the caller
 * (the user, or the node for an agent) for READ_YOUR_WRITES_MS. A query by a caller with such a
 * position reads from the replica only if that replica has replayed up to it — one short
 * statement on the replica — and from the primary otherwise. Callers without a recent write (and
 * anonymous ones) read from the replica at once. Everything else — mutations and what they
 * return, subscriptions and their resumable replays, claims, API key lookups, sweepers — never
 * comes here and runs on the primary (kit/orm.ts).
 *
 * When Redis cannot answer, a query reads from the primary: staleness is never the fallback.
 */
import type { Logger } from '../../platform/logger';
import type { Database, Replica } from './orm';
import type { Principal } from '../../platform/principal';
import type { RedisConnections } from '../../platform/redis';

export interface ReadRouting {
  /** The replica a query by `principal` reads from, or null for the primary. */
  replicaFor(principal: Principal | null): Promise<Replica | null>;
  /** Called once a mutation by `principal` has committed, before its response is sent. */
  wrote(principal: Principal | null): Promise<void>;
}

/**
 * How long a caller's queries wait for a replica to have their last write. Far longer than the
 * lag of a healthy replica (milliseconds): a replica further behind is an outage to fix, and
 * until then its callers read the primary for a minute after each write, which costs the
 * primary no more than having no replica.
 */
const READ_YOUR_WRITES_MS = 60_000;

/** Keeps the highest position recorded (concurrent mutations may finish in any order). */
const RECORD_POSITION = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`;

const callerOf = (principal: Principal) =>
  principal.kind === 'user' ? `user:${principal.userId}` : `node:${principal.nodeId}`;

/** Null when the database has no replicas: every query reads from the primary. */
export function createReadRouting(options: {
  database: Database;
  redis: RedisConnections;
  logger: Logger;
}): ReadRouting | null {
  const { database, redis, logger } = options;
  if (database.replicas.length === 0) return null;
  const keyOf = (principal: Principal) => `${redis.prefix}written:${callerOf(principal)}`;
  return {
    async replicaFor(principal) {
      const replica = database.pickReplica();
      if (!replica || !principal) return replica;
      try {
        const position = await redis.commands.get(keyOf(principal));
        if (position === null) return replica;
        return (await database.hasReplayed(replica, position)) ? replica : null;
      } catch (error) {
        logger.warn({ err: error }, 'cannot tell whether a replica has the caller’s writes');
        return null;
      }
    },
    async wrote(principal) {
      if (!principal) return;
      try {
        const position = await database.primaryPosition();
        await redis.commands.eval(
          RECORD_POSITION,
          1,
          keyOf(principal),
          position,
          READ_YOUR_WRITES_MS,
        );
      } catch (error) {
        // The mutation is committed and answered regardless; the caller's next queries may read
        // a replica that has not replayed it yet.
        logger.warn({ err: error }, 'cannot record a caller’s write position');
      }
    },
  };
}
