/**
 * Revoked sessions, shared by every replica of every service. A revocation is written to Redis
 * (so replicas that start later see it) and published (so running replicas learn it at once);
 * each process keeps the live set in memory, so checking a token costs no round trip.
 */
import type { RedisConnections } from './redis';

export interface RevocationList {
  /** Revokes a session until `untilEpochSeconds` (when its last access token expires anyway). */
  revoke(sessionId: string, untilEpochSeconds: number): Promise<void>;
  isRevoked(sessionId: string): boolean;
  /** Calls `listener` for each session revoked from now on, wherever it was revoked. */
  onRevoked(listener: (sessionId: string) => void): () => void;
  close(): Promise<void>;
}

export async function createRevocationList(redis: RedisConnections): Promise<RevocationList> {
  const keyPrefix = `${redis.prefix}revoked-session:`;
  const channel = `${redis.prefix}revocations`;
  const revoked = new Map<string, number>();
  const listeners = new Set<(sessionId: string) => void>();

  const remember = (sessionId: string, until: number) => {
    if (until * 1000 <= Date.now() || revoked.has(sessionId)) return;
    revoked.set(sessionId, until);
    for (const listener of listeners) listener(sessionId);
  };
  const onMessage = (from: string, message: string) => {
    if (from !== channel) return;
    const [sessionId, until] = message.split(' ');
    if (sessionId && until) remember(sessionId, Number(until));
  };
  redis.subscriber.on('message', onMessage);
  // Subscribe before loading, so nothing revoked in between is missed.
  await redis.subscriber.subscribe(channel);
  const load = async () => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.commands.scan(
        cursor,
        'MATCH',
        `${keyPrefix}*`,
        'COUNT',
        500,
      );
      cursor = next;
      if (keys.length > 0) {
        const values = await redis.commands.mget(keys);
        keys.forEach((key, i) => remember(key.slice(keyPrefix.length), Number(values[i])));
      }
    } while (cursor !== '0');
  };
  await load();
  // After a reconnect, publications sent while disconnected are lost: reload from the keys.
  redis.subscriber.on('ready', () => void load().catch(() => undefined));

  const prune = setInterval(() => {
    const now = Date.now() / 1000;
    for (const [sessionId, until] of revoked) if (until < now) revoked.delete(sessionId);
  }, 60_000);
  prune.unref();

  return {
    async revoke(sessionId, untilEpochSeconds) {
      remember(sessionId, untilEpochSeconds);
      await redis.commands.set(
        `${keyPrefix}${sessionId}`,
        String(untilEpochSeconds),
        'EXAT',
        untilEpochSeconds,
      );
      await redis.commands.publish(channel, `${sessionId} ${untilEpochSeconds}`);
    },
    isRevoked: (sessionId) => revoked.has(sessionId),
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      clearInterval(prune);
      redis.subscriber.off('message', onMessage);
      await redis.subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
