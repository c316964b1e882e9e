/**
 * Redis connections. Commands and subscriptions use separate connections (a subscribed ioredis
 * connection can do nothing else). Every key and channel carries a prefix so that several
 * deployments, or parallel test runs, can share one Redis.
 */
import { Redis } from 'ioredis';

export interface RedisConnections {
  /** Prefix for every key and channel this process uses, e.g. `opsgraph:`. */
  prefix: string;
  commands: Redis;
  subscriber: Redis;
  close(): Promise<void>;
}

/** `memory://<name>`: an in-process stand-in, for a single process with no Redis at all. */
export const IN_PROCESS_REDIS_URL = 'memory://opsgraph';

/**
 * One Redis connection. `memory://` URLs give an in-process store (ioredis-mock: clients with the
 * same URL share data and pub/sub) for `npm start` on a machine without Redis — one process only.
 */
export function connectRedis(url: string, connectionName: string): Redis {
  if (url.startsWith('memory://')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const InProcessRedis = require('ioredis-mock') as new (url: string) => Redis;
    return new InProcessRedis(url.replace('memory://', 'redis://'));
  }
  const redis = new Redis(url, {
    connectionName,
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
  });
  // ioredis reconnects on its own; without a listener an 'error' event would crash the process.
  redis.on('error', () => undefined);
  return redis;
}

export function createRedisConnections(url: string, prefix: string): RedisConnections {
  const commands = connectRedis(url, 'opsgraph-commands');
  const subscriber = connectRedis(url, 'opsgraph-subscriber');
  return {
    prefix,
    commands,
    subscriber,
    async close() {
      await Promise.allSettled([commands.quit(), subscriber.quit()]);
    },
  };
}

export async function pingRedis(redis: Redis): Promise<void> {
  const reply = await redis.ping();
  if (reply !== 'PONG') throw new Error(`Redis answered ${reply}`);
}
