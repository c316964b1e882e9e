/**
 * Keeps the revocation list in Redis whole. Every service refuses a revoked session's access
 * tokens through that list (platform/revocations.ts), and a process loads it from Redis when it
 * starts. But Redis keeps nothing across a restart, and a logout whose write to Redis failed is
 * revoked in the database only: a process started then would accept the session's tokens for
 * the rest of their lifetime. The sessions table is the record that survives, so the users
 * subgraph writes back what Redis lacks of the sessions revoked within an access token's
 * lifetime: at start, whenever its Redis connection is back, and every interval.
 */
import type { Logger } from '../../../platform/logger';
import type { RedisConnections } from '../../../platform/redis';
import type { RevocationList } from '../../../platform/revocations';
import type { Database } from '../../kit/orm';

export interface RevocationKeeper {
  stop(): void;
}

export async function keepRevocations(deps: {
  database: Database;
  redis: RedisConnections;
  revocations: RevocationList;
  accessTokenTtlSeconds: number;
  intervalMs: number;
  logger: Logger;
}): Promise<RevocationKeeper> {
  const { accessTokenTtlSeconds: ttl, logger } = deps;
  const restore = async () => {
    const rows = await deps.database
      .fork()
      .execute<{ id: string; revoked_at: string }[]>(
        `select id, revoked_at from users.sessions where revoked_at > ?`,
        [new Date(Date.now() - ttl * 1000)],
      );
    // As logout revokes: until the last access token issued before the revocation expires.
    await Promise.all(
      rows.map((row) =>
        deps.revocations.restore(
          row.id,
          Math.ceil(new Date(row.revoked_at).getTime() / 1000) + ttl,
        ),
      ),
    );
  };
  // A failure is logged; the next interval or reconnect tries again.
  const run = () =>
    restore().catch((error: unknown) =>
      logger.warn({ err: error }, 'could not restore session revocations to Redis'),
    );
  // Before the subgraph answers: this process refuses those sessions from its first request.
  await run();
  const timer = setInterval(() => void run(), deps.intervalMs);
  timer.unref();
  const stopOnReconnect = deps.redis.channels.onReconnected(() => void run());
  return {
    stop() {
      clearInterval(timer);
      stopOnReconnect();
    },
  };
}
