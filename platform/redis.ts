/**
 * Redis connections: every one this code base makes is made here, to one Redis, a Redis Cluster or
 * a Sentinel-managed primary, as `REDIS_URL` says (kit/redis-target.ts). Commands and
 * subscriptions use separate connections (a subscribed connection can do nothing else). Every key
 * and channel carries a prefix so that several deployments, or parallel test runs, can share one
 * Redis.
 *
 * In a cluster, keys spread over the nodes by hash slot; a command or script touching several
 * keys needs them in one slot, so such keys share a hash tag (`{…}`, see `hashTagged`). Pub/sub
 * there is sharded (SPUBLISH/SSUBSCRIBE): a channel lives on the node owning its slot, so fan-out
 * grows with the shards instead of every message crossing every node.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { parseRedisUrl } from './redis-target';

/** One Redis or a cluster: both take the same commands (multi-key ones within one slot). */
export type RedisClient = Redis | Cluster;

/** Publish/subscribe on named channels, plain on one Redis and sharded on a cluster. */
export interface RedisChannels {
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once subscribed, with a function that stops `onMessage` (and the subscription). */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  /**
   * Calls `listener` each time subscriptions are back after a lost connection (a restart, a
   * failover, a cluster's new topology): messages published meanwhile were lost.
   */
  onReconnected(listener: () => void): () => void;
}

export interface RedisConnections {
  /** Prefix for every key and channel this process uses, e.g. `opsgraph:`. */
  prefix: string;
  commands: RedisClient;
  channels: RedisChannels;
  close(): Promise<void>;
}

/** `memory://<name>`: an in-process stand-in, for a single process with no Redis at all. */
export const IN_PROCESS_REDIS_URL = 'memory://opsgraph';

/**
 * A key of `name` within `group`: every key of one group hashes to the same cluster slot, so one
 * script or MULTI may touch them together. (Harmless on one Redis; a prefix that carries a hash
 * tag of its own puts everything in one slot, which is correct too.)
 */
export const hashTagged = (group: string, name = '') => `{${group}}${name}`;

export interface ConnectOptions {
  /** Subscribes (a cluster then keeps one subscriber connection per primary, for SSUBSCRIBE). */
  subscriber?: boolean;
  /** A one-off check: no reconnection, no retries, quick time-out, connects on `connect()`. */
  probe?: boolean;
}

const PROBE = {
  lazyConnect: true,
  connectTimeout: 3000,
  maxRetriesPerRequest: 0,
  retryStrategy: () => null,
} satisfies RedisOptions;

/**
 * One Redis client. `memory://` URLs give an in-process store (ioredis-mock: clients with the same
 * URL share data and pub/sub) for `npm start` on a machine without Redis — one process only.
 */
export function connectRedis(
  url: string,
  connectionName: string,
  options: ConnectOptions = {},
): RedisClient {
  const target = parseRedisUrl(url);
  if (target.kind === 'memory') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const InProcessRedis = require('ioredis-mock') as new (url: string) => Redis;
    return new InProcessRedis(url.replace('memory://', 'redis://'));
  }
  const common: RedisOptions = {
    connectionName,
    maxRetriesPerRequest: 3,
    ...(options.probe ? PROBE : {}),
  };
  let redis: RedisClient;
  if (target.kind === 'single') {
    redis = new Redis(url, { ...common, enableAutoPipelining: !options.probe });
  } else if (target.kind === 'cluster') {
    const { username, password } = target;
    const clusterOptions: ClusterOptions = {
      redisOptions: { ...common, username, password, ...(target.tls ? { tls: {} } : {}) },
      enableAutoPipelining: !options.probe,
      shardedSubscribers: options.subscriber === true,
      ...(options.probe ? { lazyConnect: true, clusterRetryStrategy: () => null } : {}),
    };
    redis = new Cluster(target.nodes, clusterOptions);
  } else {
    redis = new Redis({
      ...common,
      sentinels: target.sentinels,
      name: target.name,
      username: target.username,
      password: target.password,
      ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      enableAutoPipelining: !options.probe,
      // No `failoverDetector`: its +switch-master disconnect can land while the client is
      // already reconnecting (the primary died), which ends the client for good ("Connection is
      // closed", seen in test/redis-sentinel.test.ts). It is not needed: a dead primary drops
      // its connections, and sentinels kill the clients of a demoted one.
      // A command that reached the old primary after it was demoted: reconnect and resend it.
      reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
      ...(options.probe ? { sentinelRetryStrategy: () => null } : {}),
    });
  }
  // ioredis reconnects on its own; without a listener an 'error' event would crash the process.
  redis.on('error', () => undefined);
  return redis;
}

/** How long the signals that subscriptions are back must stay quiet before listeners hear. */
const RECONNECTION_SETTLE_MS = 1_000;

/** Whether `url`'s channels are sharded (a cluster's). */
const isSharded = (url: string) => parseRedisUrl(url).kind === 'cluster';

/**
 * Channels over a publishing client and a subscribing one. Each channel is subscribed to once,
 * however many listen to it, and unsubscribed from when the last one stops.
 */
export function createChannels(
  publisher: RedisClient,
  subscriber: RedisClient,
  sharded: boolean,
): RedisChannels {
  const listeners = new Map<
    string,
    { handlers: Set<(message: string) => void>; ready: Promise<unknown> }
  >();
  subscriber.on(sharded ? 'smessage' : 'message', (channel: string, message: string) => {
    for (const handler of listeners.get(channel)?.handlers ?? []) handler(message);
  });
  const reconnected = new Set<() => void>();
  // Both events follow the first connection too, which is no reconnection. ('ready' follows
  // each of one Redis' connections; a cluster's sharded subscribers are ready again, after a
  // topology change or a lost node, when 'subscribersReady' fires.) A cluster fires it after
  // every reset of its subscribers, failed ones included: dozens of times in one primary's
  // failover, each of which would reload what the listeners keep. So they hear of it once the
  // signals have settled.
  let connectedBefore = false;
  let settling: NodeJS.Timeout | undefined;
  subscriber.on(sharded ? 'subscribersReady' : 'ready', () => {
    if (!connectedBefore) {
      connectedBefore = true;
      return;
    }
    clearTimeout(settling);
    settling = setTimeout(() => {
      for (const listener of reconnected) listener();
    }, RECONNECTION_SETTLE_MS).unref();
  });
  const unsubscribe = (channel: string) =>
    (sharded ? subscriber.sunsubscribe(channel) : subscriber.unsubscribe(channel)).catch(
      () => undefined, // closed meanwhile (shutdown): nothing is left to undo
    );
  return {
    async publish(channel, message) {
      await (sharded ? publisher.spublish(channel, message) : publisher.publish(channel, message));
    },
    async subscribe(channel, onMessage) {
      let entry = listeners.get(channel);
      if (!entry) {
        // One channel per command: a cluster's channels of one command must share a slot.
        const ready = sharded ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel);
        entry = { handlers: new Set(), ready };
        listeners.set(channel, entry);
      }
      const { handlers, ready } = entry;
      handlers.add(onMessage);
      const stop = async () => {
        handlers.delete(onMessage);
        if (handlers.size > 0 || listeners.get(channel) !== entry) return;
        listeners.delete(channel);
        await unsubscribe(channel);
      };
      try {
        await ready;
      } catch (error) {
        await stop();
        throw error;
      }
      return stop;
    },
    onReconnected(listener) {
      reconnected.add(listener);
      return () => reconnected.delete(listener);
    },
  };
}

/** The command connection and the channels of a process (its own subscriber connection). */
export function createRedisConnections(url: string, prefix: string): RedisConnections {
  const commands = connectRedis(url, 'opsgraph-commands');
  const subscriber = connectRedis(url, 'opsgraph-subscriber', { subscriber: true });
  return {
    prefix,
    commands,
    channels: createChannels(commands, subscriber, isSharded(url)),
    async close() {
      await Promise.allSettled([commands.quit(), subscriber.quit()]);
    },
  };
}

/** Channels on connections of their own (domain events, apart from the process's own traffic). */
export function connectChannels(url: string): RedisChannels & { close(): Promise<void> } {
  const publisher = connectRedis(url, 'opsgraph-publish');
  const subscriber = connectRedis(url, 'opsgraph-events', { subscriber: true });
  return {
    ...createChannels(publisher, subscriber, isSharded(url)),
    async close() {
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}

/**
 * The keys matching `pattern`, a batch at a time: SCAN on one Redis, on every primary of a
 * cluster (each holds its own slots' keys).
 */
export async function* scanKeys(redis: RedisClient, pattern: string): AsyncGenerator<string[]> {
  // A cluster knows its primaries once connected, which a first command waits for.
  if (redis instanceof Cluster) await redis.ping();
  for (const node of redis instanceof Cluster ? redis.nodes('master') : [redis]) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

export async function pingRedis(redis: RedisClient): Promise<void> {
  const reply = await redis.ping();
  if (reply !== 'PONG') throw new Error(`Redis answered ${reply}`);
}
