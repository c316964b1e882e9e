/**
 * Typed Redis pub/sub for domain events (graphql-redis-subscriptions over ioredis). Each subgraph
 * declares one topic map (topic → payload type) in its pubsub.ts; payloads are JSON, documented
 * in docs/events.md. Publishing and subscribing use separate connections, as Redis requires.
 */
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { connectRedis } from './redis';

export interface TypedPubSub<TopicMap extends Record<string, unknown>> {
  publish<K extends keyof TopicMap & string>(topic: K, payload: TopicMap[K]): Promise<void>;
  /** The underlying RedisPubSub, for subscription resolvers. Topics carry the Redis prefix. */
  readonly engine: RedisPubSub;
  /** The Redis channel name of a topic. */
  channel(topic: keyof TopicMap & string): string;
  close(): Promise<void>;
}

export function createPubSub<TopicMap extends Record<string, unknown>>(
  redisUrl: string,
  prefix: string,
): TypedPubSub<TopicMap> {
  const engine = new RedisPubSub({
    publisher: connectRedis(redisUrl, 'opsgraph-publish'),
    subscriber: connectRedis(redisUrl, 'opsgraph-events'),
  });
  const channel = (topic: string) => `${prefix}${topic}`;
  return {
    engine,
    channel,
    publish: (topic, payload) => engine.publish(channel(topic), payload),
    async close() {
      await engine.close().catch(() => undefined);
    },
  };
}
