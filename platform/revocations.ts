/**
 * Revoked sessions, shared by every replica of every service. A revocation is written to Redis
 * (so replicas that start later see it) and published (so running replicas learn it at once);
 * each process keeps the live set in memory, so checking a token costs no round trip.
 */
import { scanKeys, type RedisConnections } from './redis';

export interface RevocationList {
  /** Revokes a session until `untilEpochSeconds` (when its last access token expires anyway). */
  revoke(sessionId: string, untilEpochSeconds: number): Promise<void>;
  /**
   * Revokes a session that the owner of sessions knows to be revoked, in case Redis has lost it
   * (a restart) or never got it (a failed write): written only if missing, and then published.
   */
  restore(sessionId: string, untilEpochSeconds: number): Promise<void>;
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
  // Subscribe before loading, so nothing revoked in between is missed.
  const stopListening = await redis.channels.subscribe(channel, (message) => {
    const [sessionId, until] = message.split(' ');
    if (sessionId && until) remember(sessionId, Number(until));
  });
  const load = async () => {
    for await (const keys of scanKeys(redis.commands, `${keyPrefix}*`)) {
      // One GET per key (auto-pipelined): in a cluster the keys lie in many slots, beyond MGET.
      const values = await Promise.all(keys.map((key) => redis.commands.get(key)));
      keys.forEach((key, i) => remember(key.slice(keyPrefix.length), Number(values[i])));
    }
  };
  await load();
  // After a reconnect, publications sent while disconnected are lost: reload from the keys.
  const stopReloading = redis.channels.onReconnected(() => void load().catch(() => undefined));

  const prune = setInterval(() => {
    const now = Date.now() / 1000;
    for (const [sessionId, until] of revoked) if (until < now) revoked.delete(sessionId);
  }, 60_000);
  prune.unref();

  /** Writes a revocation to Redis (`NX`: unless it is there) and publishes it once written. */
  const write = async (sessionId: string, until: number, onlyIfMissing: boolean) => {
    if (until * 1000 <= Date.now()) return;
    remember(sessionId, until);
    const key = `${keyPrefix}${sessionId}`;
    const written = onlyIfMissing
      ? await redis.commands.set(key, String(until), 'EXAT', until, 'NX')
      : await redis.commands.set(key, String(until), 'EXAT', until);
    if (written === 'OK') await redis.channels.publish(channel, `${sessionId} ${until}`);
  };

  return {
    revoke: (sessionId, untilEpochSeconds) => write(sessionId, untilEpochSeconds, false),
    restore: (sessionId, untilEpochSeconds) => write(sessionId, untilEpochSeconds, true),
    isRevoked: (sessionId) => revoked.has(sessionId),
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      clearInterval(prune);
      stopReloading();
      await stopListening();
    },
  };
}
