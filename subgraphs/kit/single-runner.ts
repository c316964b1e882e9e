/**
 * A periodic task that runs in every replica but on one at a time: only the holder of a Redis
 * lease runs it. The holder renews its lease at each tick, so the task runs once per interval;
 * the others try to take the lease at theirs and succeed only once it is free — released at
 * shutdown, or expired when its holder died.
 *
 * The lease saves duplicate work; correctness must not depend on it (a holder paused longer than
 * the lease overlaps with the next one): tasks change each row with a conditional statement, so
 * two overlapping runs still change (and announce) each row once.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../platform/logger';
import type { RedisConnections } from '../../platform/redis';

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

export interface SingleRunner {
  /** Runs this replica has made (tests compare replicas). */
  runCount(): number;
  /** Stops ticking, waits for a running task and releases the lease. */
  stop(): Promise<void>;
}

export function runOnOneReplica(deps: {
  redis: RedisConnections;
  /** The lease's key, after the Redis prefix. */
  leaseKey: string;
  intervalMs: number;
  logger: Logger;
  /** What the task is, for the log line of a failed run. */
  name: string;
  task: () => Promise<void>;
}): SingleRunner {
  const { redis, logger } = deps;
  const holder = randomUUID();
  const key = `${redis.prefix}${deps.leaseKey}`;
  // Three intervals: a holder whose tick is late (a busy event loop) does not lose the lease,
  // and a dead holder's is free again soon.
  const leaseMs = deps.intervalMs * 3;
  let runs = 0;
  let running: Promise<void> | null = null;

  const tick = async () => {
    const held = await redis.commands.eval(ACQUIRE_OR_RENEW, 1, key, holder, leaseMs);
    if (held !== 1) return;
    runs += 1;
    await deps.task();
  };

  const timer = setInterval(() => {
    if (running) return; // the previous run is still going: skip rather than pile up
    running = tick()
      .catch((error: unknown) => logger.error({ err: error }, `${deps.name} failed`))
      .finally(() => {
        running = null;
      });
  }, deps.intervalMs);
  timer.unref();

  return {
    runCount: () => runs,
    async stop() {
      clearInterval(timer);
      await running;
      await redis.commands.eval(RELEASE, 1, key, holder).catch(() => undefined);
    },
  };
}
