/**
 * Compares what each subscriber received with what the database stored: every stored item
 * exactly once, in stored order.
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
}

export function checkDelivery(
  subscriber: string,
  expected: string[],
  received: Received[],
): Delivery {
  const position = new Map(expected.map((key, index) => [key, index]));
  const seen = new Set<string>();
  let duplicated = 0;
  let outOfOrder = 0;
  let highest = -1;
  const unexpected: string[] = [];
  for (const { key } of received) {
    if (seen.has(key)) {
      duplicated += 1;
      continue;
    }
    seen.add(key);
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
  };
}

export interface DeliveryTotals {
  subscribers: number;
  expectedPerSubscriber: string;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  unexpected: number;
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
    affected: deliveries.filter(
      (d) => d.lost.length + d.duplicated + d.outOfOrder + d.unexpected.length > 0,
    ).length,
  };
}

/** One line per subscriber with a problem: precise enough to start debugging from. */
export function problems(deliveries: Delivery[]): string[] {
  return deliveries
    .filter((d) => d.lost.length + d.duplicated + d.outOfOrder + d.unexpected.length > 0)
    .map(
      (d) =>
        `${d.subscriber}: expected ${d.expected}, received ${d.received}; lost ${d.lost.length}` +
        (d.lost.length ? ` (first ${d.lost.slice(0, 3).join(', ')})` : '') +
        `, duplicated ${d.duplicated}, out of order ${d.outOfOrder}, unexpected ${d.unexpected.length}`,
    );
}
