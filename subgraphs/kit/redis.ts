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

export function createRedisConnections(url: string, prefix: string): RedisConnections {
  const options = { maxRetriesPerRequest: 3, enableAutoPipelining: true, lazyConnect: false };
  const commands = new Redis(url, { ...options, connectionName: 'opsgraph-commands' });
  const subscriber = new Redis(url, { ...options, connectionName: 'opsgraph-subscriber' });
  // ioredis reconnects on its own; without a listener an 'error' event would crash the process.
  commands.on('error', () => undefined);
  subscriber.on('error', () => undefined);
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
