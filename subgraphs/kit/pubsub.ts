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
  const subscriber = connectRedis(redisUrl, 'opsgraph-events');
  // RedisPubSub.unsubscribe fires these without awaiting them: once the connection is closed
  // (shutdown), their rejection would surface as an unhandled one. Nothing is left to undo then.
  for (const method of ['unsubscribe', 'punsubscribe'] as const) {
    const original = subscriber[method].bind(subscriber) as (
      ...channels: string[]
    ) => Promise<unknown>;
    (subscriber as unknown as Record<string, unknown>)[method] = (...channels: string[]) =>
      original(...channels).catch(() => 0);
  }
  const engine = new RedisPubSub({
    publisher: connectRedis(redisUrl, 'opsgraph-publish'),
    subscriber,
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
