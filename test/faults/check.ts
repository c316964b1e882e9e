/**
 * Compares what each subscriber received with what the database stored: every stored item
 * exactly once, in stored order, and each item as every other subscriber of its stream received
 * it (replayed after a reconnect, re-enriched after a failed fetch, or live: the same data).
 */
import type { Received } from './clients';

export interface Delivery {
  subscriber: string;
  expected: number;
  received: number;
  /** Stored items never received. */
  lost: string[];
  /** Deliveries of an item already received. */
  duplicated: number;
  /** Items received after one stored later than them. */
  outOfOrder: number;
  /** Received items that are not among those expected (never stored, or before the start). */
  unexpected: string[];
  /** Items whose data differs from what another subscriber of the stream received of them. */
  differing: string[];
}

export function checkDelivery(
  subscriber: string,
  expected: string[],
  received: Received[],
  /**
   * Each item's data as the subscribers of the same stream checked before received it, by key
   * (shared between their calls); a fresh map checks this subscriber alone.
   */
  asReceivedBefore = new Map<string, string>(),
): Delivery {
  const position = new Map(expected.map((key, index) => [key, index]));
  const seen = new Set<string>();
  let duplicated = 0;
  let outOfOrder = 0;
  let highest = -1;
  const unexpected: string[] = [];
  const differing: string[] = [];
  for (const { key, payload } of received) {
    if (seen.has(key)) {
      duplicated += 1;
      continue;
    }
    seen.add(key);
    const before = asReceivedBefore.get(key);
    if (before === undefined) asReceivedBefore.set(key, payload);
    else if (before !== payload) differing.push(key);
    const at = position.get(key);
    if (at === undefined) {
      unexpected.push(key);
      continue;
    }
    if (at < highest) outOfOrder += 1;
    highest = Math.max(highest, at);
  }
  return {
    subscriber,
    expected: expected.length,
    received: received.length,
    lost: expected.filter((key) => !seen.has(key)),
    duplicated,
    outOfOrder,
    unexpected,
    differing,
  };
}

/** checkDelivery's `asReceivedBefore` for each stream, one map per stream, made on first use. */
export function receivedPerStream<K>(): (stream: K) => Map<string, string> {
  const maps = new Map<K, Map<string, string>>();
  return (stream) => {
    let map = maps.get(stream);
    if (!map) maps.set(stream, (map = new Map()));
    return map;
  };
}

export interface DeliveryTotals {
  subscribers: number;
  expectedPerSubscriber: string;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  unexpected: number;
  differing: number;
  /** Subscribers with any problem. */
  affected: number;
}

export function totals(deliveries: Delivery[]): DeliveryTotals {
  const sum = (pick: (d: Delivery) => number) => deliveries.reduce((n, d) => n + pick(d), 0);
  const counts = deliveries.map((d) => d.expected);
  return {
    subscribers: deliveries.length,
    expectedPerSubscriber:
      counts.length === 0 ? '0' : `${Math.min(...counts)}–${Math.max(...counts)}`,
    lost: sum((d) => d.lost.length),
    duplicated: sum((d) => d.duplicated),
    outOfOrder: sum((d) => d.outOfOrder),
    unexpected: sum((d) => d.unexpected.length),
    differing: sum((d) => d.differing.length),
    affected: deliveries.filter(troubled).length,
  };
}

const troubled = (d: Delivery) =>
  d.lost.length + d.duplicated + d.outOfOrder + d.unexpected.length + d.differing.length > 0;

/** One line per subscriber with a problem: precise enough to start debugging from. */
export function problems(deliveries: Delivery[]): string[] {
  return deliveries
    .filter(troubled)
    .map(
      (d) =>
        `${d.subscriber}: expected ${d.expected}, received ${d.received}; lost ${d.lost.length}` +
        (d.lost.length ? ` (first ${d.lost.slice(0, 3).join(', ')})` : '') +
        `, duplicated ${d.duplicated}, out of order ${d.outOfOrder}, unexpected ${d.unexpected.length}` +
        `, differing ${d.differing.length}` +
        (d.differing.length ? ` (first ${d.differing.slice(0, 3).join(', ')})` : ''),
    );
}
