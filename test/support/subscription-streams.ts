/** Operations and helpers for the subscription tests: documents, Redis listener counts. */
import { Redis } from 'ioredis';
import type { Stack } from './stack';

export const MESSAGE_ADDED = `subscription ($channelId: ID!, $after: String) {
  messageAdded(channelId: $channelId, after: $after) {
    id cursor body author { username displayName } channel { name }
  }
}`;
export const MESSAGE_ADDED_IDS = `subscription ($channelId: ID!, $after: String) {
  messageAdded(channelId: $channelId, after: $after) { id cursor }
}`;
export const MESSAGE_CHANGED = `subscription ($channelId: ID!) {
  messageChanged(channelId: $channelId) { id body editedAt deleted author { username } }
}`;
export const DEPLOYMENT_UPDATED = `subscription ($id: ID, $nodeId: ID) {
  deploymentUpdated(id: $id, nodeId: $nodeId) {
    id status application node { name region } triggeredBy { username }
  }
}`;
export const DEPLOYMENT_EVENTS = `subscription ($deploymentId: ID!, $after: String) {
  deploymentEvents(deploymentId: $deploymentId, after: $after) {
    cursor type status level message
  }
}`;
export const NODE_STATUS_CHANGED = `subscription ($nodeId: ID) {
  nodeStatusChanged(nodeId: $nodeId) { id name status registeredBy { username } }
}`;

/**
 * How many subgraph replicas listen on a topic of a stack's Redis: a subscription is live once
 * its subgraph has subscribed (each replica subscribes once per topic, however many
 * subscriptions it serves).
 */
/**
 * Topics a running subgraph listens to for as long as it runs, beside any stream: the deployments
 * subgraph follows node status changes (a decommissioned node's queue) and heartbeats (leases).
 */
const PERMANENT_LISTENERS: Record<string, Record<string, number>> = {
  deployments: { NODE_STATUS_CHANGED: 1, NODE_HEARTBEAT: 1 },
};

/** Connections listening to a topic for subscriptions, the subgraphs' permanent ones left out. */
export function topicListeners(stack: Stack) {
  const redis = new Redis(stack.shared.base.redisUrl);
  const permanent = (topic: string) =>
    Object.keys(stack.subgraphs).reduce(
      (sum, name) => sum + (PERMANENT_LISTENERS[name]?.[topic] ?? 0),
      0,
    );
  return {
    async count(topic: string): Promise<number> {
      const reply = (await redis.pubsub('NUMSUB', `${stack.shared.base.redisPrefix}${topic}`)) as [
        string,
        number,
      ];
      return Number(reply[1]) - permanent(topic);
    },
    close: () => redis.quit().then(() => undefined),
  };
}

/** Polls an async condition (e.g. a listener count) until it holds. */
export async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
