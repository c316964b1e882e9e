/**
 * Typed Redis pub/sub for domain events (kit/redis.ts channels: sharded in a Redis Cluster). Each
 * subgraph declares one topic map (topic → payload type) in its pubsub.ts; payloads are JSON,
 * documented in docs/events.md. It runs on the subgraph runtime's Redis connections (beside the
 * revocation list and API key cache), which the runtime closes.
 */
import type { Logger } from '../../platform/logger';
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

/**
 * Publishes `payloads` on `topic` one by one, once what they announce is committed. A failed
 * publish is logged (`unannounced` says what), not thrown: what was committed stands, and
 * whoever needs it finds it in the store.
 */
export async function publishEach<
  TopicMap extends Record<string, unknown>,
  K extends keyof TopicMap & string,
>(
  pubsub: TypedPubSub<TopicMap>,
  logger: Logger,
  topic: K,
  payloads: TopicMap[K][],
  unannounced: string,
): Promise<void> {
  for (const payload of payloads) {
    try {
      await pubsub.publish(topic, payload);
    } catch (error) {
      logger.warn({ err: error, topic, payload }, unannounced);
    }
  }
}

export function createPubSub<TopicMap extends Record<string, unknown>>(
  redis: RedisConnections,
  pollIntervalMs = DEFAULT_POLL_INTERVAL_MS,
): TypedPubSub<TopicMap> {
  const { channels, prefix } = redis;
  const channel = (topic: string) => `${prefix}${topic}`;
  /** What this pub/sub listens to, stopped on close (the connections are the runtime's). */
  const listening = new Set<() => Promise<void>>();
  const heads = new Map<string, { at: number; head: Promise<number> }>();
  return {
    publish: (topic, payload) => channels.publish(channel(topic), JSON.stringify(payload)),
    pollIntervalMs,
    listen: async (topic, accept, push) => {
      const unsubscribe = await channels.subscribe(channel(topic), (message) => {
        let payload: TopicMap[typeof topic];
        try {
          payload = JSON.parse(message) as TopicMap[typeof topic];
        } catch {
          return; // not one of ours: only the subgraphs publish here, always JSON
        }
        const item = accept(payload);
        if (item !== null) push(item);
      });
      listening.add(unsubscribe);
      return () => {
        listening.delete(unsubscribe);
        return unsubscribe();
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
    onRecovered: (listener) => channels.onReconnected(listener),
    async close() {
      const stops = [...listening];
      listening.clear();
      await Promise.allSettled(stops.map((stop) => stop()));
    },
  };
}
