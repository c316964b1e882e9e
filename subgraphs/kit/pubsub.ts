/**
 * Typed Redis pub/sub for domain events (graphql-redis-subscriptions over ioredis). Each subgraph
 * declares one topic map (topic → payload type) in its pubsub.ts; payloads are JSON, documented
 * in docs/events.md. It runs on the subgraph runtime's two Redis connections (commands publish,
 * the subscriber listens, as Redis requires), beside the revocation list and API key cache.
 */
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { RedisConnections } from '../../platform/redis';
import { DEFAULT_POLL_INTERVAL_MS } from './resumable';

export interface TypedPubSub<TopicMap extends Record<string, unknown>> {
  publish<K extends keyof TopicMap & string>(topic: K, payload: TopicMap[K]): Promise<void>;
  /**
   * Listens to a topic, mapping each payload to an item (null: not for this listener). Resolves
   * once subscribed, with a function that stops listening.
   */
  listen<K extends keyof TopicMap & string, T>(
    topic: K,
    accept: (payload: TopicMap[K]) => T | null,
    push: (item: T) => void,
  ): Promise<() => Promise<void>>;
  /**
   * Calls `listener` each time the subscriber connection is back after a loss: announcements
   * published meanwhile were lost, so resumable streams check the store then.
   */
  onRecovered(listener: () => void): () => void;
  /** How long a resumable stream stays without a live item before it checks the store. */
  readonly pollIntervalMs: number;
  /**
   * A head position for an idle check, shared by every stream of this process that checks the
   * same `key` within half a poll interval: thousands of idle subscriptions to one channel cost
   * one read per interval, not thousands. (A head read a moment ago is still a safe bound.)
   */
  sharedHead(key: string, read: () => Promise<number>): Promise<number>;
  close(): Promise<void>;
}

export function createPubSub<TopicMap extends Record<string, unknown>>(
  redis: Pick<RedisConnections, 'commands' | 'subscriber' | 'prefix'>,
  pollIntervalMs = DEFAULT_POLL_INTERVAL_MS,
): TypedPubSub<TopicMap> {
  const { subscriber, prefix } = redis;
  // 'ready' follows every (re)connection; the first one is no recovery.
  const recovered = new Set<() => void>();
  let connectedBefore = false;
  subscriber.on('ready', () => {
    if (connectedBefore) for (const listener of recovered) listener();
    connectedBefore = true;
  });
  // RedisPubSub.unsubscribe fires these without awaiting them: once the connection is closed
  // (shutdown), their rejection would surface as an unhandled one. Nothing is left to undo then.
  for (const method of ['unsubscribe', 'punsubscribe'] as const) {
    const original = subscriber[method].bind(subscriber) as (
      ...channels: string[]
    ) => Promise<unknown>;
    (subscriber as unknown as Record<string, unknown>)[method] = (...channels: string[]) =>
      original(...channels).catch(() => 0);
  }
  const engine = new RedisPubSub({ publisher: redis.commands, subscriber });
  const listening = new Set<number>();
  const channel = (topic: string) => `${prefix}${topic}`;
  const heads = new Map<string, { at: number; head: Promise<number> }>();
  return {
    publish: (topic, payload) => engine.publish(channel(topic), payload),
    pollIntervalMs,
    async listen(topic, accept, push) {
      const id = await engine.subscribe(channel(topic), (payload: TopicMap[typeof topic]) => {
        const item = accept(payload);
        if (item !== null) push(item);
      });
      listening.add(id);
      return async () => {
        listening.delete(id);
        engine.unsubscribe(id);
      };
    },
    sharedHead(key, read) {
      const now = Date.now();
      const recent = heads.get(key);
      if (recent && now - recent.at < pollIntervalMs / 2) return recent.head;
      // Stale entries go at once when they would pile up (one per stream ever checked).
      if (heads.size >= 10_000) heads.clear();
      const head = read();
      heads.set(key, { at: now, head });
      head.catch(() => heads.delete(key));
      return head;
    },
    onRecovered(listener) {
      recovered.add(listener);
      return () => recovered.delete(listener);
    },
    /** Stops listening; the connections are the runtime's, which closes them. */
    async close() {
      for (const id of listening) engine.unsubscribe(id);
      listening.clear();
    },
  };
}
