/** Operations and helpers for the subscription tests: documents, Redis listener counts. */
import { print } from 'graphql';
import { Redis } from 'ioredis';
import {
  DeploymentEventsStreamDocument,
  DeploymentUpdatedDocument,
  MessageAddedDocument,
  MessageAddedIdsDocument,
  MessageChangedDocument,
  NodeStatusChangedDocument,
} from '../__generated__/graphql';
import type { Stack } from './stack';

/** The subscriptions as text, for tests of the transports that build requests by hand. */
export const MESSAGE_ADDED = print(MessageAddedDocument);
export const MESSAGE_ADDED_IDS = print(MessageAddedIdsDocument);
export const MESSAGE_CHANGED = print(MessageChangedDocument);
export const DEPLOYMENT_UPDATED = print(DeploymentUpdatedDocument);
export const DEPLOYMENT_EVENTS = print(DeploymentEventsStreamDocument);
export const NODE_STATUS_CHANGED = print(NodeStatusChangedDocument);

/**
 * How many subgraph replicas listen on a topic of a stack's Redis: a subscription is live once
 * its subgraph has subscribed (each replica subscribes once per topic, however many
 * subscriptions it serves).
 */
/**
 * Topics a running subgraph listens to for as long as it runs, beside any stream: the deployments
 * subgraph follows node retirements (a decommissioned node's queue) and heartbeats (leases), and
 * the nodes subgraph the confirmations of retirements.
 */
const PERMANENT_LISTENERS: Record<string, Record<string, number>> = {
  deployments: { NODE_RETIRED: 1, NODE_HEARTBEAT: 1 },
  nodes: { NODE_RETIREMENT_CONFIRMED: 1 },
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
